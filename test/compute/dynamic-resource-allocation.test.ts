/**
 * GPUs allocated with Dynamic Resource Allocation. What must hold at deploy time: the NVIDIA
 * DRA driver's kubelet plugin runs on exactly the nodes of DRA node groups (its chart's default
 * affinity needs Node Feature Discovery labels EKS nodes lack) and no device plugin runs there
 * (the two would hand out the same GPUs); the driver's chart is applied with GPU allocation
 * on, after gpu-system's namespace and policies, and before the charts whose pods claim GPUs;
 * those pods claim them from a ResourceClaimTemplate of the driver's DeviceClass and request no
 * `nvidia.com/gpu` (nothing on those nodes advertises it); Kueue counts the claims against the
 * same GPU quota; the cluster serves `resource.k8s.io/v1`.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import {
  ConformanceEvidence, GpuCluster, GpuNodeGroup, GpuNodeOperatingSystem, InferenceScaling, InferenceService, KubernetesSite, MultiNodeServing, Team,
} from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, pinnedCapacities, siteObjects } from '../harness/manifests';
import { cleanTemplate, synthesizeClean, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation and manifests are untyped */

const spec = (o: KubernetesObject): any => o.spec as any;
const IMAGE = 'vllm/vllm-openai:v0.11.0';
const DRA_LABEL = 'cdk-scalable-ai.io/nvidia-dra-driver';

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly cluster: GpuCluster;
  readonly claimed: GpuNodeGroup;
}

function draCluster(options: { requested?: boolean } = {}): Built {
  const app = testApp();
  const stack = new Stack(app, 'Gpus');
  const cluster = new GpuCluster(stack, 'Gpu', {});
  const claimed = cluster.addGpuNodeGroup('Claimed', { instanceTypes: [new ec2.InstanceType('g6e.12xlarge')], maxSize: 4, dynamicResourceAllocation: true });
  if (options.requested) cluster.addGpuNodeGroup('Requested', { instanceTypes: [new ec2.InstanceType('g6.4xlarge')], maxSize: 2 });
  return { app, stack, cluster, claimed };
}

describe('a DRA node group and a service on it', () => {
  let built: Built;
  let template: Template;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = draCluster({ requested: true });
    new InferenceService(built.stack, 'Llm', {
      site: built.cluster.site, name: 'llm', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 2,
      gpuRequirements: { capacities: [built.claimed] }, canary: { modelVersion: 'v2' },
    });
    new InferenceService(built.stack, 'Small', { site: built.cluster.site, name: 'small', image: IMAGE, modelVersion: 'v1', gpuRequirements: { models: ['L4'] } });
    synthesizeClean(built.app);
    template = Template.fromStack(built.stack);
    objects = siteObjects(built.cluster.site);
  });

  test('the group\'s nodes carry the driver\'s label, not the device plugin\'s', () => {
    expect(built.claimed.dynamicResourceAllocation).toBe(true);
    expect(built.claimed.nodeLabels[DRA_LABEL]).toBe('true');
    expect(built.claimed.nodeLabels['cdk-scalable-ai.io/nvidia-device-plugin']).toBeUndefined();
    const plugin = spec(findObject(objects, 'DaemonSet', 'nvidia-device-plugin', 'gpu-system')).template.spec.affinity.nodeAffinity
      .requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
    expect(plugin).toContainEqual({ key: 'cdk-scalable-ai.io/nvidia-device-plugin', operator: 'In', values: ['daemonset'] });
  });

  test('the driver chart is pinned, allocates GPUs only, and its kubelet plugin runs on the labelled nodes only', () => {
    const releases = template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'dra-driver-nvidia-gpu' } });
    expect(Object.keys(releases)).toHaveLength(1);
    const release = Object.values<any>(releases)[0];
    expect(release.Properties).toEqual(expect.objectContaining({
      Repository: 'oci://registry.k8s.io/dra-driver-nvidia/charts/dra-driver-nvidia-gpu', Version: '0.4.1', Namespace: 'gpu-system', Wait: true,
    }));
    const values = JSON.parse(release.Properties.Values);
    expect(values.gpuResourcesEnabledOverride).toBe(true);
    expect(values.resources).toEqual({ gpus: { enabled: true }, computeDomains: { enabled: false } });
    expect(values.image).toEqual({ repository: 'registry.k8s.io/dra-driver-nvidia/dra-driver-nvidia-gpu', tag: 'v0.4.1', pullPolicy: 'IfNotPresent' });
    const terms = values.kubeletPlugin.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toHaveLength(1);
    expect(terms[0].matchExpressions).toContainEqual({ key: DRA_LABEL, operator: 'In', values: ['true'] });
    expect(values.kubeletPlugin.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
    // gpu-system denies egress by default: the chart's policy lets the plugin reach the API server.
    expect(values.kubeletPlugin.networkPolicy).toEqual({ enabled: true });
  });

  test('the driver comes after gpu-system\'s chart and before the services\' charts', () => {
    const [releaseId] = Object.keys(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'dra-driver-nvidia-gpu' } }));
    const release = template.toJSON().Resources[releaseId];
    const manifests = template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const manifestOf = (needle: string) => Object.entries<any>(manifests).find(([, r]) => JSON.stringify(r.Properties.Manifest).includes(needle))!;
    const [systemId] = manifestOf('"name\\":\\"gpu-system\\"');
    expect(release.DependsOn).toContain(systemId);
    const [, service] = manifestOf('ResourceClaimTemplate');
    expect(service.DependsOn).toContain(releaseId);
  });

  test('the service claims its GPUs from one ResourceClaimTemplate and requests no nvidia.com/gpu', () => {
    expectSafeManifests(objects);
    const claimTemplate = findObject(objects, 'ResourceClaimTemplate', 'llm-gpus', 'inference');
    expect(claimTemplate.apiVersion).toBe('resource.k8s.io/v1');
    expect(spec(claimTemplate).spec.devices.requests).toEqual([
      { name: 'gpus', exactly: { deviceClassName: 'gpu.nvidia.com', allocationMode: 'ExactCount', count: 2 } },
    ]);
    for (const name of ['llm', 'llm-canary']) {
      const deployment = findObject(objects, 'Deployment', name, 'inference');
      const pod = spec(deployment).template.spec;
      expect(pod.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'llm-gpus' }]);
      const resources = pod.containers[0].resources;
      expect(resources.claims).toEqual([{ name: 'gpus' }]);
      expect(resources.requests['nvidia.com/gpu']).toBeUndefined();
      expect(resources.limits['nvidia.com/gpu']).toBeUndefined();
      // DRA adds no toleration for the GPU taint (extended resources get one from admission).
      expect(pod.tolerations).toContainEqual({ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' });
      expect(pinnedCapacities(deployment)).toEqual([built.claimed.nodeSelector![Object.keys(built.claimed.nodeSelector!)[0]]]);
    }
    expect(objects.filter((o) => o.kind === 'ResourceClaimTemplate')).toHaveLength(1);
  });

  test('a service on the other group requests nvidia.com/gpu as before', () => {
    const resources = spec(findObject(objects, 'Deployment', 'small', 'inference')).template.spec.containers[0].resources;
    expect(resources.requests['nvidia.com/gpu']).toBe(1);
    expect(resources.claims).toBeUndefined();
    expect(spec(findObject(objects, 'Deployment', 'small', 'inference')).template.spec.resourceClaims).toBeUndefined();
  });

  test('GPUs the capacity check counts are the DRA group\'s for the claiming service', () => {
    const over = draCluster({ requested: true });
    new InferenceService(over.stack, 'Llm', {
      site: over.cluster.site, name: 'llm', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 4, minReplicas: 4, gpuRequirements: { capacities: [over.claimed] },
    });
    // 5 guaranteed replicas (4 + 1 surge) x 4 GPUs = 20 > 4 nodes x 4 GPUs.
    expect(() => over.app.synth()).toThrow(/llm.*20.*16/s);
  });
});

describe('services choose claims from the capacity they may use', () => {
  test('without GPU requirements on a site of DRA capacity only: claimed, and pinned to it', () => {
    const built = draCluster();
    new InferenceService(built.stack, 'Llm', { site: built.cluster.site, name: 'llm', image: IMAGE, modelVersion: 'v1' });
    synthesizeClean(built.app);
    const objects = siteObjects(built.cluster.site);
    const deployment = findObject(objects, 'Deployment', 'llm', 'inference');
    expect(spec(deployment).template.spec.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'llm-gpus' }]);
    expect(pinnedCapacities(deployment)).toHaveLength(1);
  });

  test('without GPU requirements on a site of both kinds: refused, naming gpuRequirements', () => {
    const built = draCluster({ requested: true });
    expect(() => new InferenceService(built.stack, 'Llm', { site: built.cluster.site, name: 'llm', image: IMAGE, modelVersion: 'v1' }))
      .toThrow(/gpuRequirements.*Dynamic Resource Allocation.*Claimed.*device plugin.*Requested.*capacities/s);
  });

  test('multi-node replicas claim GPUs in the leader and worker templates', () => {
    const built = draCluster();
    built.cluster.addLeaderWorkerSet();
    new InferenceService(built.stack, 'Big', {
      site: built.cluster.site, name: 'big', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 4, multiNode: MultiNodeServing.vllm({ nodes: 2 }),
    });
    synthesizeClean(built.app);
    const group = findObject(siteObjects(built.cluster.site), 'LeaderWorkerSet', 'big', 'inference');
    for (const role of ['leaderTemplate', 'workerTemplate']) {
      const pod = spec(group).leaderWorkerTemplate[role].spec;
      expect(pod.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: 'big-gpus' }]);
      expect(pod.containers[0].resources.claims).toEqual([{ name: 'gpus' }]);
      expect(pod.containers[0].resources.requests['nvidia.com/gpu']).toBeUndefined();
    }
  });

  test('scaling on GPU utilization is refused: no exporter attributes claimed GPUs to pods', () => {
    const built = draCluster();
    built.cluster.addInferenceAutoscaling();
    new InferenceService(built.stack, 'Llm', { site: built.cluster.site, name: 'llm', image: IMAGE, modelVersion: 'v1', scaling: InferenceScaling.onGpuUtilization(70) });
    expect(() => built.app.synth()).toThrow(/GPU utilization.*Dynamic Resource Allocation.*queue depth/s);
  });

  test('a capacity of the other kind registered after the service is named', () => {
    const app = testApp();
    const stack = new Stack(app, 'Late');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    new InferenceService(stack, 'Llm', { site: cluster.site, name: 'llm', image: IMAGE, modelVersion: 'v1' });
    cluster.addGpuNodeGroup('Claimed', { instanceTypes: [new ec2.InstanceType('g6e.xlarge')], dynamicResourceAllocation: true });
    expect(() => app.synth()).toThrow(/Claimed.*claimed through Dynamic Resource Allocation, registered after the service/s);
  });
});

describe('Kueue counts claims as GPUs', () => {
  test('the configuration maps the driver\'s DeviceClass to nvidia.com/gpu; a team\'s claiming service is admitted under its quota', () => {
    const built = draCluster();
    built.cluster.addKueue();
    const team = new Team(built.stack, 'Fraud', { site: built.cluster.site, namespace: 'fraud', gpuQuotas: [{ capacity: built.claimed, gpus: 8 }] });
    new InferenceService(built.stack, 'Llm', { site: built.cluster.site, name: 'llm', namespace: 'fraud', image: IMAGE, modelVersion: 'v1', maxStartupTime: Duration.minutes(10), queueName: team.localQueueName });
    const template = cleanTemplate(built.stack);
    const release = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'kueue' } }))[0];
    const config = JSON.parse(JSON.parse(release.Properties.Values).managerConfig.controllerManagerConfigYaml);
    expect(config.resources.deviceClassMappings).toEqual([{ name: 'nvidia.com/gpu', deviceClassNames: ['gpu.nvidia.com'] }]);
    const objects = siteObjects(built.cluster.site);
    expectSafeManifests(objects);
    const queue = spec(findObject(objects, 'ClusterQueue', 'fraud'));
    expect(queue.resourceGroups[0].coveredResources).toContain('nvidia.com/gpu');
    expect(findObject(objects, 'ResourceClaimTemplate', 'llm-gpus', 'fraud')).toBeDefined();
  });
});

describe('conformance evidence on claimed GPUs', () => {
  test('the allocation probe claims one GPU from a template of its own; the isolation probe runs there without a claim', () => {
    const built = draCluster();
    ConformanceEvidence.addToSite({ site: built.cluster.site });
    synthesizeClean(built.app);
    const objects = siteObjects(built.cluster.site).filter((o) => o.metadata?.namespace === 'ai-conformance');
    expectSafeManifests(objects);
    const probes = objects.filter((o) => o.kind === 'Job' && o.metadata?.labels?.['app.kubernetes.io/name'] !== 'conformance-evidence');
    const allocation = probes.find((o) => o.metadata!.name!.startsWith('gpu-allocation-probe'))!;
    const pod = spec(allocation).template.spec;
    expect(pod.resourceClaims).toEqual([{ name: 'gpus', resourceClaimTemplateName: `${allocation.metadata!.name}-gpu` }]);
    expect(pod.containers[0].resources.claims).toEqual([{ name: 'gpus' }]);
    expect(pod.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    const template = findObject(objects, 'ResourceClaimTemplate', `${allocation.metadata!.name}-gpu`, 'ai-conformance');
    expect(spec(template).spec.devices.requests[0].exactly).toEqual({ deviceClassName: 'gpu.nvidia.com', allocationMode: 'ExactCount', count: 1 });
    const isolation = probes.find((o) => o.metadata!.name!.startsWith('gpu-isolation-probe'))!;
    expect(spec(isolation).template.spec.resourceClaims).toBeUndefined();
    const job = objects.find((o) => o.metadata?.labels?.['cdk-scalable-ai.io/checklist-id'] === 'secure_accelerator_access')!;
    expect(JSON.stringify(spec(job))).toContain(`jobs.batch/${allocation.metadata!.name}`);
  });
});

describe('declared DRA capacity on a site outside AWS', () => {
  test('services claim GPUs there; sharing cannot be declared with it', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Dc', {
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16, gpuModel: 'H100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' }, dynamicResourceAllocation: true },
    });
    new InferenceService(app, 'Llm', { site, name: 'llm', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 8 });
    synthesizeClean(app);
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    expect(spec(findObject(objects, 'ResourceClaimTemplate', 'llm-gpus', 'inference')).spec.devices.requests[0].exactly.count).toBe(8);
    expect(spec(findObject(objects, 'Deployment', 'llm', 'inference')).template.spec.resourceClaims).toHaveLength(1);
    expect(() => new KubernetesSite(testApp(), 'Bad', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16, dynamicResourceAllocation: true, timeSlicing: 4 } }))
      .toThrow(/gpuCapacity.dynamicResourceAllocation.*timeSlicing/);
  });
});

describe('dynamicResourceAllocation validation', () => {
  const group = (options: Record<string, unknown>, version?: eks.KubernetesVersion) => {
    const stack = new Stack(testApp(), 'Gpus');
    const cluster = new GpuCluster(stack, 'Gpu', version ? {
      version, kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Kubectl', 'arn:aws:lambda:us-east-1:123456789012:layer:kubectl:1'),
    } : {});
    return () => cluster.addGpuNodeGroup('G', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], dynamicResourceAllocation: true, ...options });
  };

  test.each([
    ['Bottlerocket', { operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET }, /dynamicResourceAllocation.*needs AL2023.*own device plugin/],
    ['time-slicing', { timeSlicing: 4 }, /dynamicResourceAllocation.*timeSlicing.*alpha/],
    ['MIG', { migPartitions: 7, operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET }, /dynamicResourceAllocation.*(AL2023|migPartitions)/],
  ])('refuses %s', (_, options, message) => {
    expect(group(options)).toThrow(message);
  });

  test('refuses Kubernetes 1.33 (no resource.k8s.io/v1), naming the version and the fix', () => {
    expect(group({}, eks.KubernetesVersion.V1_33)).toThrow(/dynamicResourceAllocation.*1\.34 or later.*version is 1\.33.*V1_34/s);
  });

  test('refuses a group outside a GpuCluster site (no driver to install, version unknown)', () => {
    const stack = new Stack(testApp(), 'Bare');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    expect(() => new GpuNodeGroup(stack, 'G', { cluster: cluster.cluster, instanceTypes: [new ec2.InstanceType('g6e.xlarge')], dynamicResourceAllocation: true }))
      .toThrow(/dynamicResourceAllocation.*site.*addGpuNodeGroup/);
  });

  test('off by default: the device plugin label, no driver chart', () => {
    const stack = new Stack(testApp(), 'Plain');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    const plain = cluster.addGpuNodeGroup('G', { instanceTypes: [new ec2.InstanceType('g6e.xlarge')] });
    expect(plain.dynamicResourceAllocation).toBe(false);
    expect(plain.nodeLabels[DRA_LABEL]).toBeUndefined();
    Template.fromStack(stack).resourcePropertiesCountIs('Custom::AWSCDK-EKS-HelmChart', { Chart: 'dra-driver-nvidia-gpu' }, 0);
  });
});
