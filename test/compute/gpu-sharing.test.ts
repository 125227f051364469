/**
 * GPU sharing by time-slicing. What must hold at deploy time: the time-sliced nodes run a device
 * plugin with the sharing configuration and the plain plugin does not run there (two plugins
 * would register the same GPUs); shares are advertised under their own resource name, so a
 * service asking for whole GPUs never lands on a share, and a service asking for a share lands
 * only where shares exist; the capacity check counts shares, not GPUs.
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, GpuNodeGroup, GpuNodeOperatingSystem, InferenceService, KubernetesSite, Team } from '../../lib';
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
    expect(() => cluster.addGpuNodeGroup('Br', { instanceTypes: [new ec2.InstanceType('g6.xlarge')], operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET, timeSlicing: 2 }))
      .toThrow(/timeSlicing = 2 .*Bottlerocket/);
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
