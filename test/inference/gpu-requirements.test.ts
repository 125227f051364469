/**
 * Pinning a model to the GPUs it needs: by GPU model, memory per GPU or named capacity. Pods
 * require the matching capacities' node labels; the capacity check counts only them.
 */
import { Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterCapacityMode, GpuCluster, GpuNodeGroup, GpuPlacement, InferenceService, InferenceServiceProps, KubernetesSite } from '../../lib'
import { nodeAllocatable } from '../../lib/compute/node-allocatable';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { synthFindings, synthesizeClean, testApp } from '../harness/synth';
import { GPU_CAPACITY_LABEL } from '../../lib/compute/gpu-capacity';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifest specs are untyped JSON */

/** nodeSelectorTerms of a Deployment's pods. */
function terms(objects: KubernetesObject[], name: string): any[] {
  return (findObject(objects, 'Deployment', name).spec as any).template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
}

const base = (site: InferenceServiceProps['site'], name: string): InferenceServiceProps => ({ site, name, image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });

/** A managed-node-group cluster with an L40S group and an H100 group. */
function twoGroups() {
  const stack = new Stack(testApp(), 'Compute');
  const cluster = new GpuCluster(stack, 'Gpu', { gpuEnablement: false });
  const l40s = cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.xlarge')], maxSize: 4 });
  const h100 = cluster.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 1 });
  return { stack, cluster, l40s, h100 };
}

describe('node groups and pools describe their GPUs and label their nodes', () => {
  test('a node group: GPU models, memory and a capacity label on its nodes', () => {
    const { stack, l40s, h100 } = twoGroups();
    expect([l40s.gpuModels, l40s.gpuMemoryGiB, h100.gpuModels, h100.gpuMemoryGiB]).toEqual([['L40S'], 44, ['H100'], 80]);
    expect(l40s.nodeSelector).toEqual({ [GPU_CAPACITY_LABEL]: expect.stringMatching(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/) });
    expect(l40s.nodeSelector![GPU_CAPACITY_LABEL]).not.toBe(h100.nodeSelector![GPU_CAPACITY_LABEL]);
    Template.fromStack(stack).hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['g6e.xlarge'], Labels: l40s.nodeSelector as any });
  });

  test('a node pool: labels its nodes with its name and offers its largest size to one pod (8-GPU replicas fit a p5 pool by default)', () => {
    const cluster = new GpuCluster(new Stack(testApp(), 'Auto'), 'Gpu', { capacityMode: ClusterCapacityMode.AUTO_MODE, gpuEnablement: false });
    const pool = cluster.addGpuNodePool('H100', { instanceFamilies: ['p5'] });
    expect([pool.gpusPerNode, pool.maxGpusPerNode, pool.maxGpus, pool.gpuModels]).toEqual([1, 8, 8, ['H100']]);
    const svc = new InferenceService(cluster, 'Big', { ...base(cluster.site, 'big'), gpusPerReplica: 8, minReplicas: 1, maxReplicas: 1, gpuRequirements: { capacities: [pool] } });
    const objects = siteObjects(cluster.site);
    expect((findObject(objects, 'NodePool', 'h100').spec as any).template.metadata.labels).toMatchObject({ [GPU_CAPACITY_LABEL]: 'h100' });
    expect(terms(objects, 'big')).toEqual([{ matchExpressions: expect.arrayContaining([{ key: GPU_CAPACITY_LABEL, operator: 'In', values: ['h100'] }]) }]);
    // 8 GPUs for the replica and 8 for its rollout surge do not fit a pool of 8: the minimum check says so.
    expect(() => synthFindings(svc.node.root as any)).toThrow(/need 16 GPUs to run their minimum replicas .* but its GPU capacity offers 8/);
  });
});

describe('InferenceService gpuRequirements', () => {
  test('by GPU model: pinned to the H100 node group only, with the site\'s GPU labels in the term', () => {
    const { cluster, h100 } = twoGroups();
    new InferenceService(cluster, 'Llama70b', { ...base(cluster.site, 'llama-70b'), gpusPerReplica: 4, minReplicas: 1, maxReplicas: 1, gpuRequirements: { models: ['h100'] } });
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    expect(terms(objects, 'llama-70b')).toEqual([{
      matchExpressions: [
        { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
        { key: GPU_CAPACITY_LABEL, operator: 'In', values: [h100.nodeSelector![GPU_CAPACITY_LABEL]] },
      ],
    }]);
  });

  test('by memory per GPU: at least 40 GiB matches both groups, one term each; 80 GiB only the H100s', () => {
    const { cluster, l40s, h100 } = twoGroups();
    new InferenceService(cluster, 'A', { ...base(cluster.site, 'a'), gpuRequirements: { minGpuMemory: Size.gibibytes(40) } });
    new InferenceService(cluster, 'B', { ...base(cluster.site, 'b'), gpuRequirements: { minGpuMemory: Size.gibibytes(80) } });
    const objects = siteObjects(cluster.site);
    const capacityOf = (t: any) => t.matchExpressions.find((e: any) => e.key === GPU_CAPACITY_LABEL).values[0];
    expect(terms(objects, 'a').map(capacityOf)).toEqual([l40s, h100].map((g: GpuNodeGroup) => g.nodeSelector![GPU_CAPACITY_LABEL]));
    expect(terms(objects, 'b').map(capacityOf)).toEqual([h100.nodeSelector![GPU_CAPACITY_LABEL]]);
  });

  test('the capacity check counts only the pinned capacity: 2 H100 replicas of 8 GPUs do not fit one p5 node', () => {
    const { cluster } = twoGroups();
    new InferenceService(cluster, 'Big', { ...base(cluster.site, 'big'), gpusPerReplica: 8, minReplicas: 1, maxReplicas: 1, gpuRequirements: { models: ['H100'] } });
    expect(() => synthFindings(cluster.node.root as any)).toThrow(/need 16 GPUs to run their minimum replicas .* but its GPU capacity Compute\/Gpu\/H100 8 offers 8/);
  });

  test('a GPU request larger than the pinned nodes fails even when other nodes are larger', () => {
    const stack = new Stack(testApp(), 'Compute');
    const cluster = new GpuCluster(stack, 'Gpu', { gpuEnablement: false });
    cluster.addGpuNodeGroup('Big', { instanceTypes: [new ec2.InstanceType('g6e.48xlarge')], maxSize: 2 });
    cluster.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.4xlarge')], maxSize: 8 });
    new InferenceService(cluster, 'Llm', { ...base(cluster.site, 'llm'), gpusPerReplica: 4, minReplicas: 1, maxReplicas: 1, gpuRequirements: { models: ['H100'] } });
    expect(() => synthFindings(stack.node.root as any)).toThrow(/gpusPerReplica = 4 is more than any node matching models H100 of site "gpu" offers \(1\)/);
  });

  test('a cluster with requirements that match synthesizes clean', () => {
    const { stack, cluster } = twoGroups();
    new InferenceService(cluster, 'Small', { ...base(cluster.site, 'small'), gpuRequirements: { models: ['L40S'] } });
    expect(() => synthesizeClean(stack.node.root as any)).not.toThrow();
  });

  test('nothing matches: fails at construction, listing the site\'s capacities', () => {
    const { cluster } = twoGroups();
    expect(() => new InferenceService(cluster, 'X', { ...base(cluster.site, 'x'), gpuRequirements: { models: ['B200'] } }))
      .toThrow(/gpuRequirements = "models B200" matches no GPU capacity of site "gpu" \(it has Compute\/Gpu\/L40s: L40S; Compute\/Gpu\/H100: H100\)\. Add a node group or node pool/);
  });

  test('placement and requirements combine: hybrid placement with an H100 requirement matches no cloud group', () => {
    const { cluster } = twoGroups();
    expect(() => new InferenceService(cluster, 'X', { ...base(cluster.site, 'x'), placement: GpuPlacement.HYBRID, gpuRequirements: { models: ['H100'] } }))
      .toThrow(/matches no GPU capacity of site "gpu" for placement hybrid/);
  });

  test('a matching capacity added after the service fails synth: its pods would not be pinned there', () => {
    const { stack, cluster } = twoGroups();
    new InferenceService(cluster, 'Llm', { ...base(cluster.site, 'llm'), gpuRequirements: { models: ['L40S'] } });
    cluster.addGpuNodeGroup('MoreL40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 2 });
    expect(() => synthFindings(stack.node.root as any)).toThrow(/also match Compute\/Gpu\/MoreL40s, registered after the service: its pods are not pinned there/);
  });

  test('unknown models and empty lists fail with the known models', () => {
    const { cluster } = twoGroups();
    expect(() => new InferenceService(cluster, 'X', { ...base(cluster.site, 'x'), gpuRequirements: { models: ['H1000'] } }))
      .toThrow(/gpuRequirements\.models = "H1000" is not a GPU model of the catalog\. Use one of .*H100/);
    expect(() => new InferenceService(cluster, 'Y', { ...base(cluster.site, 'y'), gpuRequirements: { models: [] } }))
      .toThrow(/gpuRequirements\.models = \[\] is not a non-empty list of GPU models/);
  });

  test('on a site with declared capacity: pinned by the declared node labels, or a clear error without them', () => {
    const labelled = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', {
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16, gpuModel: 'H100', gpuMemory: Size.gibibytes(80), nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' } },
    });
    new InferenceService(labelled, 'Llm', { ...base(labelled, 'llm'), gpuRequirements: { models: ['H100'] } });
    expect(terms(siteObjects(labelled), 'llm')[0].matchExpressions).toContainEqual({ key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-H100-80GB-HBM3'] });
    const bare = new KubernetesSite(new Stack(testApp(), 'S'), 'Bare', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16, gpuModel: 'H100' } });
    expect(() => new InferenceService(bare, 'Llm', { ...base(bare, 'llm'), gpuRequirements: { models: ['H100'] } }))
      .toThrow(/matches S\/Bare \(declared\), which declares no node labels to pin pods to\. Declare nodeLabels on the site's gpuCapacity/);
  });

  test('without requirements nothing changes: one term with the site\'s GPU labels', () => {
    const { cluster } = twoGroups();
    new InferenceService(cluster, 'Any', base(cluster.site, 'any'));
    expect(terms(siteObjects(cluster.site), 'any')).toEqual([{ matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] }]);
  });
});

describe('cpu and memory against the nodes the service may use', () => {
  test('allocatable estimates follow the EKS kubelet reservation and the DaemonSet allowance', () => {
    expect(nodeAllocatable('g6e.xlarge')).toEqual({ instanceType: 'g6e.xlarge', vcpus: expect.closeTo(3.42, 2), memoryGiB: expect.closeTo(29.47, 2) });
    expect(nodeAllocatable('p5.48xlarge')!.vcpus).toBeCloseTo(192 - (0.06 + 0.01 + 0.01 + 188 * 0.0025) - 0.5, 5);
    expect(nodeAllocatable('m7i.large')).toBeUndefined();
  });

  test('512Gi on g6e.xlarge nodes fails with the largest node\'s figures; the default service fits', () => {
    const stack = new Stack(testApp(), 'Compute');
    const cluster = new GpuCluster(stack, 'Gpu', { gpuEnablement: false });
    cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.xlarge')], maxSize: 4 });
    new InferenceService(cluster, 'Default', base(cluster.site, 'default'));
    new InferenceService(cluster, 'Huge', { ...base(cluster.site, 'huge'), memory: '512Gi' });
    expect(() => synthFindings(stack.node.root as any)).toThrow(/\[Compute\/Gpu\/Huge\] cpu = "3" and memory = "512Gi" fit no node the service may use on site "gpu" \(the largest, g6e\.xlarge, can allocate about 3\.42 vCPU and 29\.5 GiB/);
  });

  test('the nodes a service is pinned to decide: a large request fits the p5 nodes, not the L40S ones', () => {
    const { stack, cluster } = twoGroups();
    new InferenceService(cluster, 'Big', { ...base(cluster.site, 'big'), cpu: '100', memory: '1500Gi', gpusPerReplica: 4, minReplicas: 1, maxReplicas: 1, gpuRequirements: { models: ['H100'] } });
    expect(synthFindings(stack.node.root as any).findings.filter((f) => f.severity === 'error')).toEqual([]);
    const { cluster: c2 } = twoGroups();
    new InferenceService(c2, 'OnL40s', { ...base(c2.site, 'on-l40s'), cpu: '8', gpuRequirements: { models: ['L40S'] } });
    expect(() => synthFindings(c2.node.root as any)).toThrow(/cpu = "8" and memory = "24Gi" fit no node/);
  });

  test('sites whose nodes are declared (no instance types) are not checked', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16 } });
    new InferenceService(site, 'Llm', { ...base(site, 'llm'), memory: '4Ti' });
    expect(synthFindings(site.node.root as any).findings.filter((f) => /fit no node/.test(f.message))).toEqual([]);
  });
});
