/**
 * Team GPU quotas and gang admission with Kueue. What must hold at deploy time: Kueue's
 * webhooks (which fail closed) answer before any queue object is applied, and only the teams'
 * namespaces pass through them; each ClusterQueue's flavors exist and select the GPU nodes
 * (with the tolerations their taints need); each team's LocalQueue is selected by its
 * ClusterQueue and its namespace by Kueue's managed-namespace selector (the
 * `kueue-queues-admit` invariant checks this on every synthesized app); quotas on a capacity
 * never promise more GPUs than it has, and never more than the namespace's ResourceQuota lets
 * pods request.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, GpuNodeGroup, KubernetesSite, Team } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, synthesizeClean, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation and manifests are untyped */

interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly cluster: GpuCluster;
  readonly l40s: GpuNodeGroup;
  readonly l4: GpuNodeGroup;
}

function platform(kueue = true): Built {
  const app = testApp();
  const stack = new Stack(app, 'Platform');
  const cluster = new GpuCluster(stack, 'Gpu', {});
  const l40s = cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.12xlarge')], maxSize: 3 });
  const l4 = cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.xlarge')], maxSize: 4 });
  if (kueue) cluster.addKueue();
  return { app, stack, cluster, l40s, l4 };
}

describe('Kueue on EKS with two teams', () => {
  let built: Built;
  let fraud: Team;
  let template: Template;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = platform();
    fraud = new Team(built.stack, 'Fraud', { site: built.cluster.site, namespace: 'fraud', maxGpus: 8, gpuQuotas: [{ capacity: built.l40s, gpus: 6 }] });
    new Team(built.stack, 'Vision', { site: built.cluster.site, namespace: 'vision', gpuQuotas: [{ capacity: built.l40s, gpus: 6 }, { capacity: built.l4, gpus: 4 }] });
    template = cleanTemplate(built.stack);
    objects = siteObjects(built.cluster.site);
  });

  test('the release is pinned, waits for the controller, and manages only labelled namespaces with GPU-only quotas', () => {
    const releases = template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'kueue' } });
    const release = Object.values<any>(releases)[0];
    expect(release.Properties).toEqual(expect.objectContaining({
      Repository: 'oci://registry.k8s.io/kueue/charts/kueue', Version: '0.19.2', Namespace: 'kueue-system', Release: 'kueue', Wait: true, CreateNamespace: true,
    }));
    const values = JSON.parse(release.Properties.Values);
    expect(values.controllerManager.manager.image).toEqual({ repository: 'registry.k8s.io/kueue/kueue', tag: 'v0.19.2', pullPolicy: 'IfNotPresent' });
    const config = JSON.parse(values.managerConfig.controllerManagerConfigYaml);
    expect(config).toEqual(expect.objectContaining({
      apiVersion: 'config.kueue.x-k8s.io/v1beta2',
      managedJobsNamespaceSelector: { matchLabels: { 'cdk-scalable-ai.io/kueue-managed': 'true' } },
      // GPUs claimed through DRA count as nvidia.com/gpu (dynamic-resource-allocation.test.ts).
      resources: { quotaCheckStrategy: 'IgnoreUndeclared', deviceClassMappings: [{ name: 'nvidia.com/gpu', deviceClassNames: ['gpu.nvidia.com'] }] },
      waitForPodsReady: { timeout: '900s', blockAdmission: false },
    }));
    expect(config.integrations.frameworks).toEqual(expect.arrayContaining(['batch/job', 'pod', 'leaderworkerset.x-k8s.io/leaderworkerset']));
  });

  test('every queue manifest is applied after the release (its webhooks fail closed)', () => {
    const releaseId = Object.keys(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'kueue' } }))[0];
    const manifests = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .filter((m) => /ResourceFlavor|ClusterQueue/.test(JSON.stringify(m.Properties.Manifest)));
    expect(manifests).toHaveLength(3);
    for (const manifest of manifests) expect(manifest.DependsOn).toEqual(expect.arrayContaining([releaseId]));
  });

  test('one ResourceFlavor per GPU node group, pinned to its nodes and tolerating the GPU taint', () => {
    expectSafeManifests(objects);
    const flavors = objects.filter((o) => o.kind === 'ResourceFlavor');
    expect(flavors.map((f) => (f.spec as any).nodeLabels)).toEqual([
      { 'nvidia.com/gpu.present': 'true', ...built.l40s.nodeSelector },
      { 'nvidia.com/gpu.present': 'true', ...built.l4.nodeSelector },
    ]);
    for (const flavor of flavors) expect((flavor.spec as any).tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
  });

  test('each team has a ClusterQueue in the shared cohort with its quotas, and borrows within its ResourceQuota', () => {
    const flavorOf = (group: GpuNodeGroup) => group.nodeSelector!['cdk-scalable-ai.io/gpu-capacity'];
    const queue = (name: string) => findObject(objects, 'ClusterQueue', name).spec as any;
    expect(queue('fraud')).toEqual(expect.objectContaining({
      cohortName: 'teams',
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'fraud' } },
      preemption: { reclaimWithinCohort: 'Any', withinClusterQueue: 'LowerPriority' },
    }));
    expect(queue('fraud').resourceGroups).toEqual([{
      coveredResources: ['nvidia.com/gpu'],
      flavors: [
        { name: flavorOf(built.l40s), resources: [{ name: 'nvidia.com/gpu', nominalQuota: 6, borrowingLimit: 2 }] },
        { name: flavorOf(built.l4), resources: [{ name: 'nvidia.com/gpu', nominalQuota: 0, borrowingLimit: 8 }] },
      ],
    }]);
    // Without maxGpus, borrowing is unlimited.
    expect(queue('vision').resourceGroups[0].flavors.map((f: any) => f.resources[0])).toEqual([
      { name: 'nvidia.com/gpu', nominalQuota: 6 }, { name: 'nvidia.com/gpu', nominalQuota: 4 },
    ]);
  });

  test('the LocalQueue gpu sends work to the team\'s queue, in a namespace Kueue manages', () => {
    expect(fraud.localQueueName).toBe('gpu');
    expect(fraud.clusterQueueName).toBe('fraud');
    expect(findObject(objects, 'LocalQueue', 'gpu', 'fraud').spec).toEqual({ clusterQueue: 'fraud' });
    expect(findObject(objects, 'Namespace', 'fraud').metadata!.labels).toEqual(expect.objectContaining({
      'cdk-scalable-ai.io/kueue-managed': 'true', 'pod-security.kubernetes.io/enforce': 'restricted',
    }));
  });
});

describe('Kueue validation', () => {
  test('quotas without Kueue on the site fail with the call to make', () => {
    const { stack, cluster, l40s } = platform(false);
    expect(() => new Team(stack, 'Fraud', { site: cluster.site, namespace: 'fraud', gpuQuotas: [{ capacity: l40s, gpus: 2 }] }))
      .toThrow(/gpuQuotas = "1 quota\(s\)" need Kueue, which site "gpu" does not run\. Call gpuCluster\.addKueue\(\) before creating the Team/);
  });

  test('quotas beyond the team\'s maxGpus or the capacity, or on another site\'s capacity, fail', () => {
    const { stack, cluster, l40s, l4 } = platform();
    expect(() => new Team(stack, 'A', { site: cluster.site, namespace: 'a', maxGpus: 4, gpuQuotas: [{ capacity: l40s, gpus: 4 }, { capacity: l4, gpus: 1 }] }))
      .toThrow(/gpuQuotas = "5 GPUs in total" exceed maxGpus \(4\)/);
    expect(() => new Team(stack, 'B', { site: cluster.site, namespace: 'b', gpuQuotas: [{ capacity: l4, gpus: 5 }] }))
      .toThrow(/gpuQuotas\[0\]\.gpus = 5 /);
    const other = platform();
    expect(() => new Team(stack, 'C', { site: cluster.site, namespace: 'c', gpuQuotas: [{ capacity: other.l4, gpus: 1 }] }))
      .toThrow(/gpuQuotas\[0\]\.capacity = ".*L4.*" is not GPU capacity of site "gpu"/);
  });

  test('quotas of all teams on one capacity may not exceed its GPUs', () => {
    const { app, stack, cluster, l4 } = platform();
    new Team(stack, 'A', { site: cluster.site, namespace: 'a', gpuQuotas: [{ capacity: l4, gpus: 3 }] });
    new Team(stack, 'B', { site: cluster.site, namespace: 'b', gpuQuotas: [{ capacity: l4, gpus: 2 }] });
    expect(() => app.synth()).toThrow(/GPU quotas on .*L4.* add up to 5 \(a: 3, b: 2\), more than its 4 GPUs/);
  });

  test('Kueue or GPU capacity added after a Team fails at synth with the order to use', () => {
    const late = platform(false);
    new Team(late.stack, 'A', { site: late.cluster.site, namespace: 'a' });
    late.cluster.addKueue();
    expect(() => late.app.synth()).toThrow(/Team a was created before Kueue ran on site "gpu".*call addKueue\(\) and add the GPU node groups and pools before creating Teams/);

    const pool = platform();
    new Team(pool.stack, 'A', { site: pool.cluster.site, namespace: 'a' });
    pool.cluster.addGpuNodeGroup('Late', { instanceTypes: [new ec2.InstanceType('g6.xlarge')], maxSize: 1 });
    expect(() => pool.app.synth()).toThrow(/GPU capacity .*Late.* was added to site "gpu" after Team a/);
  });

  test('addKueue twice fails', () => {
    const { cluster } = platform();
    expect(() => cluster.addKueue()).toThrow(/addKueue\(\) = "a second call" would install Kueue twice/);
  });
});

describe('Kueue on a cluster outside AWS', () => {
  test('a declared Kueue and GPU capacity with node labels give the same queues, as YAML', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Lab', {
      kueueAvailable: true,
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16, gpuModel: 'H100', nodeLabels: { 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' } },
    });
    const team = new Team(app, 'Research', { site, namespace: 'research', maxGpus: 16, gpuQuotas: [{ capacity: site.gpuCapacities[0], gpus: 16 }] });
    synthesizeClean(app);
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    const flavor = objects.find((o) => o.kind === 'ResourceFlavor')!;
    expect((flavor.spec as any).nodeLabels).toEqual({ 'nvidia.com/gpu.present': 'true', 'nvidia.com/gpu.product': 'NVIDIA-H100-80GB-HBM3' });
    expect(flavor.metadata!.name).toMatch(/^gpus-[0-9a-f]{12}$/);
    expect((findObject(objects, 'ClusterQueue', 'research').spec as any).resourceGroups[0].flavors)
      .toEqual([{ name: flavor.metadata!.name, resources: [{ name: 'nvidia.com/gpu', nominalQuota: 16, borrowingLimit: 0 }] }]);
    expect(team.localQueueName).toBe('gpu');
  });
});
