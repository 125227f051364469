/**
 * The AI Conformance evidence Jobs. What must hold on the live cluster: each Job's checks wait on
 * objects the site really has (a check on a kind the cluster lacks fails as "no matching
 * resources"), the service account may read exactly the kinds the checks wait on (kubectl wait
 * lists and watches them), the pods pass Pod Security "restricted" and may reach the API
 * server through the namespace's default-deny policies, and the Jobs come after every other
 * chart of the site.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterCapacityMode, ConformanceEvidence, GpuCluster, GpuNodeGroup, GpuNodeOperatingSystem, InferenceScaling, InferenceService, KubernetesSite, MultiNodeServing, ScaleToZero, ServiceExposure, Team } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, siteObjects } from '../harness/manifests';
import { cleanTemplate, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized manifests are untyped */

const CERTIFICATE = 'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901';
const spec = (o: KubernetesObject): any => o.spec as any;
/** The RBAC resource each kind kubectl is given names (as the checks spell them). */
const RESOURCE_OF: Record<string, { apiGroup: string; resource: string }> = {
  'gatewayclasses.gateway.networking.k8s.io': { apiGroup: 'gateway.networking.k8s.io', resource: 'gatewayclasses' },
  'gateways.gateway.networking.k8s.io': { apiGroup: 'gateway.networking.k8s.io', resource: 'gateways' },
  'clusterqueues.kueue.x-k8s.io': { apiGroup: 'kueue.x-k8s.io', resource: 'clusterqueues' },
  'scaledobjects.keda.sh': { apiGroup: 'keda.sh', resource: 'scaledobjects' },
  'daemonset': { apiGroup: 'apps', resource: 'daemonsets' },
  'deployment': { apiGroup: 'apps', resource: 'deployments' },
  'customresourcedefinitions': { apiGroup: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  'nodepools.karpenter.sh': { apiGroup: 'karpenter.sh', resource: 'nodepools' },
  'leaderworkersets.leaderworkerset.x-k8s.io': { apiGroup: 'leaderworkerset.x-k8s.io', resource: 'leaderworkersets' },
  'jobs.batch': { apiGroup: 'batch', resource: 'jobs' },
};

function jobsOf(objects: KubernetesObject[]): KubernetesObject[] {
  return objects.filter((o) => o.kind === 'Job' && o.metadata?.namespace === 'ai-conformance' && o.metadata?.labels?.['cdk-scalable-ai.io/checklist-id'] !== undefined);
}

describe('evidence on an EKS cluster with Gateway API, Kueue and KEDA', () => {
  let objects: KubernetesObject[];
  let stack: Stack;
  beforeAll(() => {
    stack = new Stack(testApp(), 'Platform');
    const cluster = new GpuCluster(stack, 'Gpu', { awsLoadBalancerController: { gatewayApi: true } });
    const l40s = cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 });
    cluster.addKueue();
    cluster.addInferenceAutoscaling();
    cluster.addClusterAutoscaler();
    new Team(stack, 'Research', { site: cluster.site, namespace: 'research', gpuQuotas: [{ capacity: l40s, gpus: 2 }] });
    new InferenceService(stack, 'Llm', {
      site: cluster.site, name: 'llm', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', maxReplicas: 2,
      scaling: InferenceScaling.onQueueDepth(8), exposure: ServiceExposure.gatewayWithCertificate('llm.example.com', CERTIFICATE),
    });
    ConformanceEvidence.addToSite({ site: cluster.site });
    cleanTemplate(stack);
    objects = siteObjects(cluster.site);
  });

  test('one Job per item the site can show, labelled with its checklist id, restricted and schema-valid', () => {
    expectSafeManifests(objects);
    const jobs = jobsOf(objects);
    expect(jobs.map((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id']).sort())
      .toEqual(['accelerator_metrics', 'ai_inference', 'ai_service_metrics', 'cluster_autoscaling', 'gang_scheduling', 'pod_autoscaling', 'robust_controller', 'secure_accelerator_access']);
    const gateway = jobs.find((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'] === 'ai_inference')!;
    expect(spec(gateway).template.spec.containers.map((c: any) => c.args)).toEqual([
      ['wait', '--for=condition=Accepted', 'gatewayclasses.gateway.networking.k8s.io/internal-alb', '--timeout=15m'],
      ['wait', '--for=condition=Programmed', 'gateways.gateway.networking.k8s.io', '--all', '--all-namespaces', '--timeout=15m'],
    ]);
    expect(gateway.metadata!.name).toMatch(/^ai-inference-[0-9a-f]{8}$/);
  });

  test('the service account may read exactly what the checks wait on', () => {
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'conformance-evidence') as any;
    const granted = new Set<string>(role.rules.flatMap((r: any) => r.resources.map((res: string) => `${r.apiGroups[0]}/${res}:${[...r.verbs].sort().join(',')}`)));
    const needed = new Set<string>();
    for (const job of jobsOf(objects)) {
      for (const container of spec(job).template.spec.containers) {
        const targets = (container.args as string[]).slice(1).filter((a) => !a.startsWith('--') && a !== 'status');
        for (const target of targets) {
          const { apiGroup, resource } = RESOURCE_OF[target.split('/')[0]];
          needed.add(`${apiGroup}/${resource}:get,list,watch`);
        }
      }
    }
    expect(granted).toEqual(needed);
    const binding = objects.find((o) => o.kind === 'ClusterRoleBinding' && o.metadata?.name === 'conformance-evidence') as any;
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'conformance-evidence', namespace: 'ai-conformance' }]);
  });

  test('the pods may reach the API server and nothing else beyond DNS', () => {
    const egress = objects.filter((o) => o.kind === 'NetworkPolicy' && o.metadata?.namespace === 'ai-conformance' && spec(o).policyTypes.includes('Egress'));
    expect(egress.map((p) => p.metadata!.name).sort()).toEqual(['allow-api-server', 'allow-dns', 'allow-egress-within-namespace', 'default-deny']);
    const api = egress.find((p) => p.metadata!.name === 'allow-api-server')!;
    expect(spec(api).egress[0].ports.map((p: any) => p.port)).toEqual([443, 6443]);
  });
});

describe('GPU isolation probes (secure_accelerator_access)', () => {
  let objects: KubernetesObject[];
  beforeAll(() => {
    const stack = new Stack(testApp(), 'Platform');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 2 });
    ConformanceEvidence.addToSite({ site: cluster.site });
    cleanTemplate(stack);
    objects = siteObjects(cluster.site);
  });

  const probe = (name: string) => objects.find((o) => o.kind === 'Job' && o.metadata?.name?.startsWith(`${name}-`)) as any;

  test('a pod without a GPU request runs nvidia-smi on a GPU node asking for every GPU; one with a GPU runs the same', () => {
    expectSafeManifests(objects);
    const isolation = probe('gpu-isolation-probe');
    const allocation = probe('gpu-allocation-probe');
    for (const job of [isolation, allocation]) {
      expect(job.spec.backoffLimit).toBe(0);
      expect(job.spec.activeDeadlineSeconds).toBeUndefined();
      const pod = job.spec.template.spec;
      expect(pod.containers[0].command).toEqual(['nvidia-smi', '-L']);
      expect(pod.containers[0].env).toEqual([{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }]);
      expect(pod.containers[0].image).toBe('nvcr.io/nvidia/cuda:12.8.1-base-ubi9');
      expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
      expect(JSON.stringify(pod.affinity)).toContain('nvidia.com/gpu.present');
    }
    expect(isolation.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBeUndefined();
    expect(allocation.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
  });

  test('the evidence passes when the GPU-less probe fails and the GPU probe completes', () => {
    const job = jobsOf(objects).find((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'] === 'secure_accelerator_access')!;
    expect(spec(job).template.spec.containers.map((c: any) => c.args)).toEqual([
      ['wait', '--for=condition=Failed', `jobs.batch/${probe('gpu-isolation-probe').metadata.name}`, '--namespace=ai-conformance', '--timeout=15m'],
      ['wait', '--for=condition=Complete', `jobs.batch/${probe('gpu-allocation-probe').metadata.name}`, '--namespace=ai-conformance', '--timeout=15m'],
    ]);
  });

  test('every GPU capacity gets an isolation probe, time-sliced and MIG ones included; each kind of GPU an allocation probe', () => {
    const stack = new Stack(testApp(), 'Mixed');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    const l40s = cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 2 });
    const shared = cluster.addGpuNodeGroup('Shared', { instanceTypes: [new ec2.InstanceType('g6.4xlarge')], maxSize: 2, timeSlicing: 4, operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET });
    const mig = cluster.addGpuNodeGroup('Mig', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 1, migPartitions: 7, operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET });
    ConformanceEvidence.addToSite({ site: cluster.site });
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    const capacitiesOf = (job: any): string[] => job.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms
      .map((t: any) => t.matchExpressions.find((e: any) => e.key === 'cdk-scalable-ai.io/gpu-capacity').values[0]);
    const jobs = (name: string) => objects.filter((o) => o.kind === 'Job' && o.metadata?.name?.startsWith(`${name}-`)) as any[];
    const label = (g: GpuNodeGroup) => g.nodeSelector!['cdk-scalable-ai.io/gpu-capacity'];
    expect(jobs('gpu-isolation-probe').map(capacitiesOf)).toEqual([[label(l40s)], [label(shared)], [label(mig)]]);
    expect(jobs('gpu-isolation-probe').every((j) => j.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu'] === undefined)).toBe(true);
    // A whole GPU (or a MIG instance) on whole and MIG capacity, a share on the time-sliced one.
    const allocation = jobs('gpu-allocation-probe');
    expect(allocation.map((j) => [capacitiesOf(j), j.spec.template.spec.containers[0].resources.limits])).toEqual([
      [[label(l40s), label(mig)], expect.objectContaining({ 'nvidia.com/gpu': 1 })],
      [[label(shared)], expect.objectContaining({ 'nvidia.com/gpu.shared': 1 })],
    ]);
    const job = jobsOf(objects).find((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'] === 'secure_accelerator_access')!;
    expect(spec(job).template.spec.containers.map((c: any) => c.args)).toEqual([
      ['wait', '--for=condition=Failed', ...jobs('gpu-isolation-probe').map((j) => `jobs.batch/${j.metadata.name}`), '--namespace=ai-conformance', '--timeout=15m'],
      ['wait', '--for=condition=Complete', ...allocation.map((j) => `jobs.batch/${j.metadata.name}`), '--namespace=ai-conformance', '--timeout=15m'],
    ]);
  });

  test('a site whose GPUs are all time-sliced probes with a share; one without GPUs gets no probes', () => {
    const site = new KubernetesSite(testApp(), 'Shared', { gpuCapacity: { gpusPerNode: 1, totalGpus: 4, timeSlicing: 4 } });
    ConformanceEvidence.addToSite({ site });
    expect(jobsOf(siteObjects(site)).map((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'])).toContain('secure_accelerator_access');
    const allocation = siteObjects(site).find((o) => o.kind === 'Job' && o.metadata?.name?.startsWith('gpu-allocation-probe-')) as any;
    expect(allocation.spec.template.spec.containers[0].resources.limits['nvidia.com/gpu.shared']).toBe(1);
    const bare = new KubernetesSite(testApp(), 'Bare', {});
    expect(new ConformanceEvidence(bare.newChart('evidence'), 'Evidence', { site: bare }).checklistIds).not.toContain('secure_accelerator_access');
  });
});

describe('evidence with multi-node models', () => {
  test('the LeaderWorkerSet operator shows its CRD established and every group available', () => {
    const stack = new Stack(testApp(), 'Platform');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    cluster.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 4 });
    cluster.addLeaderWorkerSet();
    new InferenceService(stack, 'Big', {
      site: cluster.site, name: 'big', image: 'vllm/vllm-openai:v0.12.0', modelVersion: 'v1', gpusPerReplica: 8, cpu: '96', memory: '1000Gi',
      multiNode: MultiNodeServing.vllm({ nodes: 2 }),
    });
    ConformanceEvidence.addToSite({ site: cluster.site });
    cleanTemplate(stack);
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    const job = jobsOf(objects).find((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'] === 'robust_controller')!;
    expect(spec(job).template.spec.containers.map((c: any) => c.args)).toEqual([
      ['wait', '--for=condition=Established', 'customresourcedefinitions/leaderworkersets.leaderworkerset.x-k8s.io', '--timeout=15m'],
      ['wait', '--for=condition=Available', 'leaderworkersets.leaderworkerset.x-k8s.io', '--all', '--all-namespaces', '--timeout=15m'],
    ]);
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'conformance-evidence') as any;
    expect(role.rules).toContainEqual({ apiGroups: ['leaderworkerset.x-k8s.io'], resources: ['leaderworkersets'], verbs: ['get', 'list', 'watch'] });
  });
});

describe('evidence on EKS Auto Mode', () => {
  test('GPU NodePools give the cluster autoscaling item', () => {
    const stack = new Stack(testApp(), 'Auto');
    const cluster = new GpuCluster(stack, 'Gpu', { capacityMode: ClusterCapacityMode.AUTO_MODE });
    cluster.addGpuNodePool('L40s', { instanceFamilies: ['g6e'], maxGpus: 8 });
    ConformanceEvidence.addToSite({ site: cluster.site });
    cleanTemplate(stack);
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    const job = jobsOf(objects).find((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'] === 'cluster_autoscaling')!;
    expect(spec(job).template.spec.containers[0].args).toEqual(['wait', '--for=condition=Ready', 'nodepools.karpenter.sh', '--all', '--timeout=15m']);
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata?.name === 'conformance-evidence') as any;
    expect(role.rules).toContainEqual({ apiGroups: ['karpenter.sh'], resources: ['nodepools'], verbs: ['get', 'list', 'watch'] });
  });
});

describe('evidence on a plain site', () => {
  test('a site without Gateway API, Kueue, KEDA or GPU enablement has no item to show; one with KEDA shows autoscaling and its CRD', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Lab', {});
    ConformanceEvidence.addToSite({ site, timeoutMinutes: 5 });
    const jobs = jobsOf(siteObjects(site));
    expect(jobs.map((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'])).toEqual([]);
    const lab = new KubernetesSite(app, 'Gpus', { kedaAvailable: true, prometheusQueryUrl: 'http://prometheus.monitoring:9090' });
    const evidence = new ConformanceEvidence(lab.newChart('evidence'), 'Evidence', { site: lab });
    expect(evidence.checklistIds).toEqual(['pod_autoscaling', 'robust_controller']);
    expect(() => new ConformanceEvidence(lab.newChart('bad'), 'Evidence', { site: lab, timeoutMinutes: 0 })).toThrow(/timeoutMinutes = 0/);
  });
});

describe('metrics evidence (ai_service_metrics, accelerator_metrics)', () => {
  const HAPPY = '--for=jsonpath={.status.health.s0-prometheus.status}=Happy';
  const checksOf = (objects: KubernetesObject[], id: string): any[] =>
    spec(jobsOf(objects).find((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id'] === id)!).template.spec.containers;

  test('services scaled on built-in model server or DCGM queries are the evidence that those series reach the query API', () => {
    const site = new KubernetesSite(testApp(), 'Lab', {
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, kedaAvailable: true, prometheusQueryUrl: 'http://prometheus.monitoring:9090',
    });
    const service = (name: string, scaling: InferenceScaling, extra: object = {}) => new InferenceService(site, name, {
      site, name, image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', maxReplicas: 2, scaling, ...extra,
    });
    service('queued', InferenceScaling.onQueueDepth(8));
    service('busy', InferenceScaling.onConcurrency(4), { namespace: 'team-b' });
    service('hot', InferenceScaling.onGpuUtilization(70));
    service('custom', InferenceScaling.onQueueDepth(8, { query: 'sum(my_queue{namespace="{namespace}"})' }));
    service('idle', InferenceScaling.onQueueDepth(8), { scaleToZero: ScaleToZero.whenIdle('sum(rate(requests_total{app="{app}"}[5m]))') });
    ConformanceEvidence.addToSite({ site });
    const objects = siteObjects(site);
    expectSafeManifests(objects);

    const labelled = Object.fromEntries(objects.filter((o) => o.kind === 'ScaledObject')
      .map((o) => [o.metadata!.name, o.metadata!.labels?.['cdk-scalable-ai.io/metrics-evidence']]));
    // A query of your own reads unknown series; a service at zero replicas has none to read.
    expect(labelled).toEqual({ queued: 'model-server', busy: 'model-server', hot: 'accelerator', custom: undefined, idle: undefined });
    for (const [name, source] of Object.entries(labelled).filter(([, s]) => s !== undefined)) {
      const so = objects.find((o) => o.kind === 'ScaledObject' && o.metadata!.name === name)!;
      // The check reads the first trigger's health, which KEDA keeps only with a fallback and
      // marks Happy only when the query returned a value.
      expect(spec(so).triggers[0]).toMatchObject({ type: 'prometheus', metadata: { ignoreNullValues: 'false' } });
      expect(spec(so).fallback).toBeDefined();
      expect(spec(so).minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(source).toMatch(/^(model-server|accelerator)$/);
    }

    expect(checksOf(objects, 'ai_service_metrics').map((c) => c.args)).toEqual([
      ['wait', HAPPY, 'scaledobjects.keda.sh', '--selector=cdk-scalable-ai.io/metrics-evidence=model-server', '--all-namespaces', '--timeout=15m'],
    ]);
    expect(checksOf(objects, 'accelerator_metrics').map((c) => c.args)).toContainEqual(
      ['wait', HAPPY, 'scaledobjects.keda.sh', '--selector=cdk-scalable-ai.io/metrics-evidence=accelerator', '--all-namespaces', '--timeout=15m']);
  });

  test('no check without a labelled ScaledObject (kubectl wait on no match fails)', () => {
    const site = new KubernetesSite(testApp(), 'Lab', {
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, kedaAvailable: true, prometheusQueryUrl: 'http://prometheus.monitoring:9090',
    });
    new InferenceService(site, 'Cpu', { site, name: 'cpu', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', maxReplicas: 2, scaling: InferenceScaling.onCpu(70) });
    const evidence = new ConformanceEvidence(site.newChart('evidence'), 'Evidence', { site });
    expect(evidence.checklistIds).not.toContain('ai_service_metrics');
    expect(evidence.checklistIds).not.toContain('accelerator_metrics');
  });
});
