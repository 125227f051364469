/**
 * GPU sharing by time-slicing and MIG. What must hold at deploy time: the time-sliced nodes run a
 * device plugin with the sharing configuration and the plain plugin does not run there (two
 * plugins would register the same GPUs); on Bottlerocket, the node settings configure its own
 * plugin (valid TOML in a form EKS merges); shares are advertised under their own resource
 * name, so a service asking for whole GPUs never lands on a share, and a service asking for a
 * share lands only where shares exist; MIG instances serve one per pod and are counted as what
 * pods request; the capacity check counts shares and instances, not GPUs.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Size } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parse as parseToml } from 'smol-toml';
import { GpuCluster, GpuNodeGroup, GpuNodeOperatingSystem, InferenceScaling, InferenceService, KubernetesSite, MultiNodeServing, Team } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { synthesizeClean, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized manifests are untyped */

const spec = (o: KubernetesObject): any => o.spec as any;
const IMAGE = 'vllm/vllm-openai:v0.11.0';
/** A small model server: four fit one g6.4xlarge (16 vCPU, 64 GiB). */
const SMALL = { image: IMAGE, modelVersion: 'v1', sharedGpu: true, cpu: '2', memory: '8Gi' };

function sharedCluster(): { app: App; stack: Stack; cluster: GpuCluster; shared: GpuNodeGroup; whole: GpuNodeGroup } {
  const app = testApp();
  const stack = new Stack(app, 'Gpus');
  const cluster = new GpuCluster(stack, 'Gpu', {});
  const shared = cluster.addGpuNodeGroup('Shared', { instanceTypes: [new ec2.InstanceType('g6.4xlarge')], maxSize: 2, timeSlicing: 4 });
  const whole = cluster.addGpuNodeGroup('Whole', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 2 });
  return { app, stack, cluster, shared, whole };
}

describe('time-sliced node group', () => {
  let built: ReturnType<typeof sharedCluster>;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = sharedCluster();
    new InferenceService(built.stack, 'Small', { ...SMALL, site: built.cluster.site, name: 'small', minReplicas: 6 });
    new InferenceService(built.stack, 'Large', { site: built.cluster.site, name: 'large', image: IMAGE, modelVersion: 'v1' });
    synthesizeClean(built.app);
    objects = siteObjects(built.cluster.site);
  });

  test('its nodes run the time-slicing plugin with renamed, single-share GPUs; the plain plugin keeps off them', () => {
    expectSafeManifests(objects);
    expect(built.shared.timeSlicingReplicas).toBe(4);
    expect(built.shared.nodeLabels['cdk-scalable-ai.io/nvidia-device-plugin']).toBe('time-slicing-4');
    expect(built.whole.nodeLabels['cdk-scalable-ai.io/nvidia-device-plugin']).toBe('daemonset');
    const required = (name: string) => spec(findObject(objects, 'DaemonSet', name, 'gpu-system')).template.spec.affinity.nodeAffinity
      .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions
      .find((e: any) => e.key === 'cdk-scalable-ai.io/nvidia-device-plugin').values;
    expect(required('nvidia-device-plugin')).toEqual(['daemonset']);
    expect(required('nvidia-device-plugin-time-slicing-4')).toEqual(['time-slicing-4']);
    const config = JSON.parse((findObject(objects, 'ConfigMap', 'nvidia-device-plugin-time-slicing-4', 'gpu-system') as any).data['config.yaml']);
    expect(config.sharing.timeSlicing).toEqual({ renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: 'nvidia.com/gpu', replicas: 4 }] });
    const container = spec(findObject(objects, 'DaemonSet', 'nvidia-device-plugin-time-slicing-4', 'gpu-system')).template.spec.containers[0];
    expect(container.env).toEqual([{ name: 'CONFIG_FILE', value: '/etc/nvidia-device-plugin/config.yaml' }]);
    expect(container.volumeMounts).toContainEqual({ name: 'config', mountPath: '/etc/nvidia-device-plugin', readOnly: true });
  });

  test('a shared service requests one share, a whole-GPU service a whole GPU', () => {
    const resources = (name: string) => spec(findObject(objects, 'Deployment', name, 'inference')).template.spec.containers[0].resources;
    expect(resources('small').requests['nvidia.com/gpu.shared']).toBe(1);
    expect(resources('small').limits['nvidia.com/gpu.shared']).toBe(1);
    expect(resources('small').requests['nvidia.com/gpu']).toBeUndefined();
    expect(resources('large').requests['nvidia.com/gpu']).toBe(1);
  });

  test('shares are counted: more replicas than shares fail, as do shares on a site without them', () => {
    const over = sharedCluster();
    new InferenceService(over.stack, 'Small', { ...SMALL, site: over.cluster.site, name: 'small', minReplicas: 8 });
    expect(() => over.app.synth()).toThrow(/small .*9.*8/s);
    const plain = new GpuCluster(new Stack(testApp(), 'Plain'), 'Gpu', {});
    plain.addGpuNodeGroup('Whole', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 2 });
    new InferenceService(plain, 'Small', { ...SMALL, site: plain.site, name: 'small' });
    expect(() => synthesizeClean(plain.node.root as App)).toThrow(/sharedGpu .* site "gpu" has no time-sliced GPU capacity/);
  });

  test('shares beyond what CPU and memory let pods use are not counted', () => {
    const tight = sharedCluster();
    // 6 vCPU per pod: a g6.4xlarge (16 vCPU) holds 2 of them, not its 4 shares.
    new InferenceService(tight.stack, 'Wide', { ...SMALL, site: tight.cluster.site, name: 'wide', cpu: '6', minReplicas: 4 });
    expect(() => tight.app.synth()).toThrow(/sharedGpu: 5 replicas must run .* hold only 4 of its pods \(CPU and memory run out before the GPU shares\)/);
  });

  test('bad combinations fail at synth with the fix', () => {
    const { stack, cluster } = sharedCluster();
    expect(() => new InferenceService(stack, 'Two', { ...SMALL, site: cluster.site, name: 'two', gpusPerReplica: 2 }))
      .toThrow(/gpusPerReplica = 2 .* one share of a GPU/);
    expect(() => cluster.addGpuNodeGroup('One', { instanceTypes: [new ec2.InstanceType('g6.xlarge')], timeSlicing: 1 })).toThrow(/timeSlicing = 1/);
    cluster.addKueue();
    const shared = cluster.gpuNodeGroups.find((g) => g.timeSlicingReplicas !== undefined)!;
    expect(() => new Team(stack, 'T', { site: cluster.site, namespace: 't', gpuQuotas: [{ capacity: shared, gpus: 1 }] }))
      .toThrow(/gpuQuotas\[0\]\.capacity = .* time-sliced/);
  });

  test('a site outside AWS declares its time-sliced capacity', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Lab', { gpuCapacity: { gpusPerNode: 1, totalGpus: 2, timeSlicing: 8 } });
    new InferenceService(app, 'Small', { ...SMALL, site, name: 'small', minReplicas: 10 });
    synthesizeClean(app);
    expect(spec(findObject(siteObjects(site), 'Deployment', 'small', 'inference')).template.spec.containers[0].resources.requests['nvidia.com/gpu.shared']).toBe(1);
  });
});

/** The Bottlerocket settings of a node group's launch template, parsed; undefined without user data. */
function nodeSettings(stack: Stack, group: GpuNodeGroup): any {
  const template = Template.fromStack(stack).toJSON();
  const id = stack.getLogicalId(group.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate);
  const userData = template.Resources[id].Properties.LaunchTemplateData.UserData;
  return userData === undefined ? undefined : parseToml(userData['Fn::Base64']);
}

const BOTTLEROCKET = GpuNodeOperatingSystem.BOTTLEROCKET;

describe('GPU sharing on Bottlerocket', () => {
  test('time-slicing is written into the node settings for Bottlerocket\'s own plugin, which keeps GPUs from pods without a request', () => {
    const app = testApp();
    const stack = new Stack(app, 'Gpus');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    const shared = cluster.addGpuNodeGroup('Shared', { instanceTypes: [new ec2.InstanceType('g6.4xlarge')], maxSize: 2, timeSlicing: 4, operatingSystem: BOTTLEROCKET });
    const whole = cluster.addGpuNodeGroup('Whole', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 2, operatingSystem: BOTTLEROCKET });
    new InferenceService(stack, 'Small', { ...SMALL, site: cluster.site, name: 'small', minReplicas: 6 });
    synthesizeClean(app);
    expect(nodeSettings(stack, shared)).toEqual({
      settings: {
        'kubelet-device-plugins': {
          nvidia: {
            'device-sharing-strategy': 'time-slicing',
            'time-slicing': { 'replicas': 4, 'rename-by-default': true, 'fail-requests-greater-than-one': true },
          },
        },
      },
    });
    // Whole GPUs need no settings; Bottlerocket's defaults (volume-mounts device lists) stay.
    expect(nodeSettings(stack, whole)).toBeUndefined();
    expect(shared.timeSlicingReplicas).toBe(4);
    expect(shared.nodeLabels['cdk-scalable-ai.io/nvidia-device-plugin']).toBeUndefined();
    const objects = siteObjects(cluster.site);
    expect(objects.filter((o) => o.kind === 'DaemonSet' && o.metadata?.name?.startsWith('nvidia-device-plugin-time-slicing'))).toEqual([]);
    expect(spec(findObject(objects, 'Deployment', 'small', 'inference')).template.spec.containers[0].resources.requests['nvidia.com/gpu.shared']).toBe(1);
  });

  describe('MIG', () => {
    function migCluster(partitions = 7, maxSize = 1): { app: App; stack: Stack; cluster: GpuCluster; mig: GpuNodeGroup } {
      const app = testApp();
      const stack = new Stack(app, 'Gpus');
      const cluster = new GpuCluster(stack, 'Gpu', {});
      const mig = cluster.addGpuNodeGroup('Mig', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize, migPartitions: partitions, operatingSystem: BOTTLEROCKET });
      return { app, stack, cluster, mig };
    }
    const SERVICE = { image: IMAGE, modelVersion: 'v1', cpu: '4', memory: '32Gi' };

    test('the node settings partition every GPU; the capacity is the instances pods see', () => {
      const { app, stack, cluster, mig } = migCluster(7);
      new InferenceService(stack, 'Small', { ...SERVICE, site: cluster.site, name: 'small', minReplicas: 4, gpuRequirements: { minGpuMemory: Size.gibibytes(10) } });
      synthesizeClean(app);
      expect(nodeSettings(stack, mig)).toEqual({
        settings: { 'kubelet-device-plugins': { nvidia: { 'device-partitioning-strategy': 'mig', 'mig': { profile: { 'h100.80gb': '7' } } } } },
      });
      // EKS does not merge bracketed headers with quoted keys: the profile is a plain header.
      const cfn = Template.fromStack(stack).toJSON();
      const userData: string = cfn.Resources[stack.getLogicalId(mig.launchTemplate.node.defaultChild as ec2.CfnLaunchTemplate)].Properties.LaunchTemplateData.UserData['Fn::Base64'];
      expect(userData.split('\n').filter((l) => l.startsWith('['))).toEqual(['[settings.kubelet-device-plugins.nvidia]', '[settings.kubelet-device-plugins.nvidia.mig.profile]']);
      expect(mig.migPartitions).toBe(7);
      expect(mig.gpuMemoryGiB).toBe(10);
      expect(mig.gpusPerNode).toBe(8);
      const pod = spec(findObject(siteObjects(cluster.site), 'Deployment', 'small', 'inference')).template.spec;
      expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    });

    test('instances are counted: 56 per p5.48xlarge at 7 partitions', () => {
      const fits = migCluster(7, 1);
      new InferenceService(fits.stack, 'Small', { ...SERVICE, cpu: '1', memory: '8Gi', site: fits.cluster.site, name: 'small', minReplicas: 55 });
      expect(() => synthesizeClean(fits.app)).not.toThrow();
      const over = migCluster(7, 1);
      new InferenceService(over.stack, 'Small', { ...SERVICE, cpu: '1', memory: '8Gi', site: over.cluster.site, name: 'small', minReplicas: 56 });
      expect(() => over.app.synth()).toThrow(/need 57 GPUs .* offers 56/);
      const halves = migCluster(2, 1);
      expect(halves.mig.gpuMemoryGiB).toBe(40);
      expect(halves.mig.maxGpus * 2).toBe(16);
    });

    test('a replica gets one instance: more GPUs, several nodes or GPU utilization scaling fail at synth', () => {
      const two = migCluster();
      new InferenceService(two.stack, 'Two', { ...SERVICE, site: two.cluster.site, name: 'two', gpusPerReplica: 2 });
      expect(() => two.app.synth()).toThrow(/gpusPerReplica = 2, but the GPU capacity .* is MIG-partitioned .*a process sees one MIG instance only/);
      const wide = migCluster();
      wide.cluster.addLeaderWorkerSet();
      new InferenceService(wide.stack, 'Wide', { ...SERVICE, site: wide.cluster.site, name: 'wide', multiNode: MultiNodeServing.vllm({ nodes: 2 }) });
      expect(() => wide.app.synth()).toThrow(/across nodes, but the GPU capacity .* is MIG-partitioned/);
      const hot = migCluster();
      hot.cluster.addInferenceAutoscaling();
      new InferenceService(hot.stack, 'Hot', { ...SERVICE, site: hot.cluster.site, name: 'hot', scaling: InferenceScaling.onGpuUtilization(70) });
      expect(() => hot.app.synth()).toThrow(/DCGM_FI_DEV_GPU_UTIL, which DCGM does not report for MIG instances/);
    });

    test('team quotas count instances', () => {
      const { stack, cluster, mig } = migCluster(7, 1);
      cluster.addKueue();
      expect(() => new Team(stack, 'T', { site: cluster.site, namespace: 't', gpuQuotas: [{ capacity: mig, gpus: 56 }] })).not.toThrow();
      expect(() => new Team(stack, 'U', { site: cluster.site, namespace: 'u', gpuQuotas: [{ capacity: mig, gpus: 57 }] })).toThrow(/gpuQuotas\[0\]\.gpus = 57/);
    });

    test('bad groups fail at synth with the fix', () => {
      const stack = new Stack(testApp(), 'Gpus');
      const cluster = new GpuCluster(stack, 'Gpu', {});
      const p5 = [new ec2.InstanceType('p5.48xlarge')];
      expect(() => cluster.addGpuNodeGroup('Al', { instanceTypes: p5, migPartitions: 7 })).toThrow(/migPartitions = 7 needs Bottlerocket/);
      expect(() => cluster.addGpuNodeGroup('Five', { instanceTypes: p5, migPartitions: 5, operatingSystem: BOTTLEROCKET })).toThrow(/migPartitions = 5 .*1, 2, 3, 4, 7/);
      expect(() => cluster.addGpuNodeGroup('Both', { instanceTypes: p5, migPartitions: 7, timeSlicing: 2, operatingSystem: BOTTLEROCKET })).toThrow(/cannot be combined with timeSlicing/);
      expect(() => cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], migPartitions: 7, operatingSystem: BOTTLEROCKET }))
        .toThrow(/instanceTypes = .*g6e.2xlarge.* MIG-capable GPU .*p4d, p4de, p5, p5e, p5en/);
      expect(() => cluster.addGpuNodeGroup('Mixed', { instanceTypes: [new ec2.InstanceType('p5.48xlarge'), new ec2.InstanceType('p4d.24xlarge')], migPartitions: 7, operatingSystem: BOTTLEROCKET }))
        .toThrow(/one MIG-capable GPU/);
    });
  });
});

describe('MIG declared by a site outside AWS', () => {
  test('instances are counted and one serves a replica, as on EKS', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 8, migPartitions: 7, gpuMemory: Size.gibibytes(10), gpuModel: 'H100' } });
    new InferenceService(app, 'Small', { site, name: 'small', image: IMAGE, modelVersion: 'v1', cpu: '1', memory: '8Gi', minReplicas: 55, modelSize: Size.gibibytes(8) });
    synthesizeClean(app);
    expect(spec(findObject(siteObjects(site), 'Deployment', 'small', 'inference')).template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    const over = testApp();
    const full = new KubernetesSite(over, 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 8, migPartitions: 7, gpuMemory: Size.gibibytes(10) } });
    new InferenceService(over, 'Two', { site: full, name: 'two', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 2 });
    expect(() => over.synth()).toThrow(/is MIG-partitioned/);
    expect(() => new KubernetesSite(testApp(), 'Both', { gpuCapacity: { gpusPerNode: 1, totalGpus: 1, migPartitions: 7, timeSlicing: 2 } }))
      .toThrow(/gpuCapacity.migPartitions = 7 cannot be declared with timeSlicing/);
    expect(() => new KubernetesSite(testApp(), 'Five', { gpuCapacity: { gpusPerNode: 1, totalGpus: 1, migPartitions: 5 } }))
      .toThrow(/gpuCapacity.migPartitions = 5 is not a MIG partition count \(1, 2, 3, 4, 7\)/);
  });
});
