/**
 * Multi-node serving with LeaderWorkerSet. What must hold at deploy time: the LeaderWorkerSet
 * CRD and its webhooks exist before any LeaderWorkerSet is applied (the `crds-before-objects`
 * invariant checks the order on every synthesized app); only the leader of a group serves, so
 * the Service, the Gateway backends and the probes see the leader only; the workers reach the
 * leader at `$(LWS_LEADER_ADDRESS)` with the same parallel sizes and their own node rank, and
 * the namespace's default-deny lets the group's pods talk to each other; KEDA scales groups
 * (LeaderWorkerSet's scale subresource); the site's GPUs hold every pod of every group.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, InferenceScaling, InferenceService, KubernetesSite, MultiNodeServing, ServiceExposure, Team } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation and manifests are untyped */

const IMAGE = 'vllm/vllm-openai:v0.12.0';

function cluster(options: { lws?: boolean; maxSize?: number; autoscaling?: boolean } = {}): { app: App; stack: Stack; gpu: GpuCluster } {
  const app = testApp();
  const stack = new Stack(app, 'Platform');
  const gpu = new GpuCluster(stack, 'Gpu', {});
  gpu.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: options.maxSize ?? 6 });
  if (options.lws ?? true) gpu.addLeaderWorkerSet();
  if (options.autoscaling) gpu.addInferenceAutoscaling();
  return { app, stack, gpu };
}

function lws(objects: KubernetesObject[], name: string): any {
  return findObject(objects, 'LeaderWorkerSet', name, 'inference');
}

describe('a vLLM model across two 8-GPU nodes', () => {
  let built: ReturnType<typeof cluster>;
  let service: InferenceService;
  let template: Template;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = cluster({ autoscaling: true });
    service = new InferenceService(built.stack, 'Llama405b', {
      site: built.gpu.site,
      name: 'llama-405b',
      image: IMAGE,
      modelVersion: 'v1',
      args: ['meta-llama/Llama-3.1-405B-Instruct', '--max-model-len', '32768'],
      gpusPerReplica: 8,
      cpu: '96',
      memory: '1000Gi',
      multiNode: MultiNodeServing.vllm({ nodes: 2 }),
      scaling: InferenceScaling.onQueueDepth(8),
      maxReplicas: 2,
    });
    template = cleanTemplate(built.stack);
    objects = siteObjects(built.gpu.site);
  });

  test('the LeaderWorkerSet release is pinned and waits for its controller', () => {
    const release = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'lws' } }))[0];
    expect(release.Properties).toEqual(expect.objectContaining({
      Repository: 'oci://registry.k8s.io/lws/charts/lws', Version: '0.10.0', Namespace: 'lws-system', Release: 'lws', Wait: true, CreateNamespace: true,
    }));
    expect(JSON.parse(release.Properties.Values).image.manager).toEqual({ repository: 'registry.k8s.io/lws/lws', tag: 'v0.10.0', pullPolicy: 'IfNotPresent' });
    expect(built.gpu.leaderWorkerSet?.version).toBe('0.10.0');
    expect(built.gpu.site.leaderWorkerSetAvailable).toBe(true);
  });

  test('the service\'s manifest is applied after the release (its webhooks fail closed)', () => {
    const releaseId = Object.keys(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'lws' } }))[0];
    const manifest = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .find((m) => JSON.stringify(m.Properties.Manifest).includes('LeaderWorkerSet'));
    expect(manifest.DependsOn).toEqual(expect.arrayContaining([releaseId]));
  });

  test('one group per replica: a leader and a worker, restarted and rolled out together, scaled by KEDA', () => {
    expectSafeManifests(objects);
    expect(objects.filter((o) => o.kind === 'Deployment' && o.metadata?.namespace === 'inference')).toEqual([]);
    const spec = lws(objects, 'llama-405b').spec;
    expect(spec.replicas).toBeUndefined();
    expect(spec.leaderWorkerTemplate.size).toBe(2);
    expect(spec.leaderWorkerTemplate.restartPolicy).toBe('RecreateGroupOnPodRestart');
    expect(spec.rolloutStrategy).toEqual({ type: 'RollingUpdate', rollingUpdateConfiguration: { maxUnavailable: 0, maxSurge: 1 } });
    expect(spec.startupPolicy).toBe('LeaderCreated');
    expect((findObject(objects, 'ScaledObject', 'llama-405b', 'inference').spec as any).scaleTargetRef)
      .toEqual({ apiVersion: 'leaderworkerset.x-k8s.io/v1', kind: 'LeaderWorkerSet', name: 'llama-405b' });
  });

  test('tensor parallel within a node, pipeline parallel across nodes; workers join the leader headless', () => {
    const { leaderTemplate, workerTemplate } = lws(objects, 'llama-405b').spec.leaderWorkerTemplate;
    const parallel = ['--tensor-parallel-size', '8', '--pipeline-parallel-size', '2', '--nnodes', '2', '--master-addr', '$(LWS_LEADER_ADDRESS)', '--master-port', '29501', '--distributed-executor-backend', 'mp'];
    const model = ['meta-llama/Llama-3.1-405B-Instruct', '--max-model-len', '32768'];
    expect(leaderTemplate.spec.containers[0].args).toEqual([...model, ...parallel, '--node-rank', '0']);
    expect(workerTemplate.spec.containers[0].args).toEqual([...model, ...parallel, '--node-rank', '$(LWS_WORKER_INDEX)', '--headless']);
    for (const pod of [leaderTemplate, workerTemplate]) {
      expect(pod.spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(8);
      expect(pod.spec.enableServiceLinks).toBe(false);
    }
  });

  test('only the leader serves: probes, HTTP port, scraping, Service endpoints', () => {
    const { leaderTemplate, workerTemplate } = lws(objects, 'llama-405b').spec.leaderWorkerTemplate;
    expect(leaderTemplate.metadata.labels['cdk-scalable-ai.io/role']).toBe('leader');
    expect(workerTemplate.metadata.labels['cdk-scalable-ai.io/role']).toBe('worker');
    const leader = leaderTemplate.spec.containers[0];
    const worker = workerTemplate.spec.containers[0];
    expect(leader.startupProbe.httpGet.path).toBe('/health');
    expect(leader.ports).toEqual([{ name: 'http', containerPort: 8000, protocol: 'TCP' }, { name: 'rendezvous', containerPort: 29501, protocol: 'TCP' }]);
    expect([worker.startupProbe, worker.readinessProbe, worker.livenessProbe, worker.ports]).toEqual([undefined, undefined, undefined, undefined]);
    expect(workerTemplate.metadata.annotations).toBeUndefined();
    expect((findObject(objects, 'Service', 'llama-405b', 'inference').spec as any).selector).toEqual(expect.objectContaining({ 'cdk-scalable-ai.io/role': 'leader' }));
    expect(service.podNamePattern).toBe('llama-405b-[0-9]+(-[0-9]+)?');
    expect(service.podsPerReplica).toBe(2);
  });

  test('the group\'s pods may reach each other on every port; clients reach only the leader\'s port', () => {
    const group = findObject(objects, 'NetworkPolicy', 'allow-llama-405b-group', 'inference').spec as any;
    const app = { 'app.kubernetes.io/name': 'llama-405b', 'app.kubernetes.io/part-of': 'cdk-scalable-ai' };
    expect(group).toEqual({ podSelector: { matchLabels: app }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: app } }] }] });
    const clients = findObject(objects, 'NetworkPolicy', 'allow-llama-405b-clients', 'inference').spec as any;
    expect(clients.podSelector.matchLabels['cdk-scalable-ai.io/role']).toBe('leader');
    expect(clients.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
  });

  test('the site\'s demand counts every GPU of a group', () => {
    expect(service.gpuDemand.gpusPerReplica).toBe(16);
  });
});

describe('a multi-node model behind a Gateway with a canary', () => {
  test('each track\'s Service selects its leaders; the route and the groups resolve on the deployed cluster', () => {
    const app = testApp();
    const stack = new Stack(app, 'Platform');
    const gpu = new GpuCluster(stack, 'Gpu', { awsLoadBalancerController: { gatewayApi: true } });
    gpu.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 8 });
    gpu.addLeaderWorkerSet();
    new InferenceService(stack, 'Big', {
      site: gpu.site, name: 'big', image: IMAGE, modelVersion: 'v1', args: ['m'], gpusPerReplica: 8, cpu: '96', memory: '1000Gi',
      multiNode: MultiNodeServing.vllm({ nodes: 2 }),
      exposure: ServiceExposure.gatewayWithCertificate('big.example.com', 'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901'),
      canary: { modelVersion: 'v2', trafficPercent: 5 },
    });
    // The gateway-routes-resolve invariant runs here: backends select pods the groups create.
    cleanTemplate(stack);
    const objects = siteObjects(gpu.site);
    expectSafeManifests(objects);
    for (const track of ['stable', 'canary']) {
      expect((findObject(objects, 'Service', `big-${track}`, 'inference').spec as any).selector)
        .toEqual(expect.objectContaining({ 'cdk-scalable-ai.io/track': track, 'cdk-scalable-ai.io/role': 'leader' }));
    }
    expect(lws(objects, 'big-canary').spec.replicas).toBe(1);
    expect(lws(objects, 'big-canary').spec.leaderWorkerTemplate.leaderTemplate.metadata.labels['app.kubernetes.io/version']).toBe('v2');
  });
});

describe('a multi-node model queued through its team\'s Kueue queue', () => {
  test('the LeaderWorkerSet carries the queue label, so Kueue admits each group whole; the queue exists in the team namespace', () => {
    const { stack, gpu } = cluster({ maxSize: 8, lws: false });
    gpu.addKueue({ podsReadyTimeout: Duration.minutes(45) });
    gpu.addLeaderWorkerSet();
    const team = new Team(stack, 'Research', { site: gpu.site, namespace: 'research', gpuQuotas: [{ capacity: gpu.gpuNodeGroups[0], gpus: 32 }] });
    const service = new InferenceService(stack, 'Big', {
      site: gpu.site, name: 'big', namespace: 'research', image: IMAGE, modelVersion: 'v1', args: ['m'], gpusPerReplica: 8, cpu: '96', memory: '1000Gi',
      multiNode: MultiNodeServing.vllm({ nodes: 2 }), queueName: team.localQueueName, maxStartupTime: Duration.minutes(40),
    });
    // kueue-queues-admit runs here: the queue exists and Kueue manages the namespace.
    cleanTemplate(stack);
    const group = findObject(siteObjects(gpu.site), 'LeaderWorkerSet', 'big', 'research');
    expect(group.metadata!.labels!['kueue.x-k8s.io/queue-name']).toBe('gpu');
    expect(service.queueName).toBe('gpu');
  });

  test('a queue without Kueue, or a startup longer than Kueue waits for ready pods, fails', () => {
    const { stack, gpu } = cluster();
    const base = { site: gpu.site, image: IMAGE, modelVersion: 'v1', gpusPerReplica: 8, cpu: '96', memory: '1000Gi', multiNode: MultiNodeServing.vllm({ nodes: 2 }) };
    expect(() => new InferenceService(stack, 'A', { ...base, name: 'a', queueName: 'gpu' })).toThrow(/queueName = "gpu" needs Kueue, which site "gpu" does not run/);
    gpu.addKueue();
    expect(() => new InferenceService(stack, 'B', { ...base, name: 'b', queueName: 'gpu' }))
      .toThrow(/maxStartupTime = "30 minutes" is longer than Kueue's podsReadyTimeout \(15 minutes\)/);
    // A window sized from the weights says so.
    expect(() => new InferenceService(stack, 'C', { ...base, name: 'c', queueName: 'gpu', modelSize: Size.gibibytes(300) }))
      .toThrow(/maxStartupTime = "1 hour 27 minutes \(from modelSize\)" is longer than Kueue's podsReadyTimeout/);
  });
});

describe('multi-node validation', () => {
  const base = { name: 'big', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 8, cpu: '96', memory: '1000Gi' };

  test('without LeaderWorkerSet on the site the error names the call', () => {
    const { stack, gpu } = cluster({ lws: false });
    expect(() => new InferenceService(stack, 'S', { ...base, site: gpu.site, multiNode: MultiNodeServing.vllm({ nodes: 2 }) }))
      .toThrow(/multiNode = "2 nodes" needs LeaderWorkerSet, which site "gpu" does not have\. Call gpuCluster\.addLeaderWorkerSet\(\)/);
  });

  test('a declared site needs leaderWorkerSetAvailable', () => {
    const stack = new Stack(testApp(), 'OnPrem');
    const site = new KubernetesSite(stack, 'Site', { siteName: 'dc1', gpuCapacity: { gpusPerNode: 8, totalGpus: 32 } });
    expect(() => new InferenceService(stack, 'S', { ...base, site, cpu: '8', memory: '64Gi', multiNode: MultiNodeServing.vllm({ nodes: 2 }) }))
      .toThrow(/declare leaderWorkerSetAvailable: true on the site/);
    const declared = new KubernetesSite(stack, 'Declared', { siteName: 'dc2', gpuCapacity: { gpusPerNode: 8, totalGpus: 32 }, leaderWorkerSetAvailable: true });
    const service = new InferenceService(stack, 'T', { ...base, site: declared, cpu: '8', memory: '64Gi', multiNode: MultiNodeServing.vllm({ nodes: 2 }) });
    expectSafeManifests(siteObjects(declared));
    expect(lws(siteObjects(declared), 'big').spec.leaderWorkerTemplate.size).toBe(2);
    expect(service.multiNode?.nodes).toBe(2);
  });

  test('nodes out of range, shared GPUs and CPU-only servers fail', () => {
    const { stack, gpu } = cluster();
    expect(() => new InferenceService(stack, 'A', { ...base, site: gpu.site, multiNode: MultiNodeServing.vllm({ nodes: 1 }) }))
      .toThrow(/multiNode\.nodes = 1 .*between 2 and 32/);
    expect(() => new InferenceService(stack, 'B', { ...base, site: gpu.site, gpusPerReplica: 0, multiNode: MultiNodeServing.vllm({ nodes: 2 }) }))
      .toThrow(/gpusPerReplica = 0 cannot go with multiNode/);
    expect(() => new InferenceService(stack, 'C', { ...base, site: gpu.site, gpusPerReplica: 1, sharedGpu: true, multiNode: MultiNodeServing.vllm({ nodes: 2 }) }))
      .toThrow(/sharedGpu = true cannot go with multiNode/);
  });

  test('parallel sizes must use exactly the replica\'s GPUs', () => {
    const { stack, gpu } = cluster();
    expect(() => new InferenceService(stack, 'A', { ...base, site: gpu.site, multiNode: MultiNodeServing.vllm({ nodes: 2, tensorParallelSize: 8, pipelineParallelSize: 4 }) }))
      .toThrow(/tensorParallelSize 8 x pipelineParallelSize 4" does not use the replica's 16 GPUs \(gpusPerReplica 8 x nodes 2\).*e\.g\. tensorParallelSize 8 and pipelineParallelSize 2/);
    // Tensor parallel across both nodes is fine: 16 x 1.
    const wide = new InferenceService(stack, 'B', { ...base, name: 'wide', site: gpu.site, multiNode: MultiNodeServing.vllm({ nodes: 2, tensorParallelSize: 16 }) });
    expect(wide.multiNode?.tensorParallelSize).toBe(16);
    const args = lws(siteObjects(gpu.site), 'wide').spec.leaderWorkerTemplate.leaderTemplate.spec.containers[0].args;
    expect(args.slice(0, 4)).toEqual(['--tensor-parallel-size', '16', '--pipeline-parallel-size', '1']);
  });

  test('flags the launch writes itself are refused in args', () => {
    const { stack, gpu } = cluster();
    expect(() => new InferenceService(stack, 'A', { ...base, site: gpu.site, args: ['m', '--tensor-parallel-size=8'], multiNode: MultiNodeServing.vllm({ nodes: 2 }) }))
      .toThrow(/args = "--tensor-parallel-size=8" sets flags that MultiNodeServing\.vllm writes itself/);
  });

  test('a group larger than the GPUs of the site fails at synth', () => {
    const { app, stack, gpu } = cluster({ maxSize: 3 });
    // 1 replica + 1 surge = 2 groups x 2 nodes x 8 GPUs = 32 > 3 nodes x 8 GPUs.
    new InferenceService(stack, 'A', { ...base, site: gpu.site, multiNode: MultiNodeServing.vllm({ nodes: 2 }) });
    expect(() => app.synth()).toThrow(/need 32 GPUs to run their minimum replicas .* offers 24/);
  });
});

describe('a custom multi-node server', () => {
  test('workers run their own command and arguments; the group talks on the ports given', () => {
    const { stack, gpu } = cluster();
    new InferenceService(stack, 'Trt', {
      site: gpu.site, name: 'trt', image: 'nvcr.io/nvidia/tritonserver:25.01-trtllm-python-py3', modelVersion: 'v1', gpusPerReplica: 8, cpu: '96', memory: '1000Gi',
      command: ['leader.sh'], args: ['--world-size', '16'],
      healthPath: '/v2/health/ready',
      multiNode: MultiNodeServing.custom({ nodes: 2, workerCommand: ['worker.sh'], workerArgs: ['--leader', '$(LWS_LEADER_ADDRESS)'], groupPorts: [29500, 5000] }),
    });
    cleanTemplate(stack);
    const objects = siteObjects(gpu.site);
    expectSafeManifests(objects);
    const { leaderTemplate, workerTemplate } = lws(objects, 'trt').spec.leaderWorkerTemplate;
    expect([leaderTemplate.spec.containers[0].command, leaderTemplate.spec.containers[0].args]).toEqual([['leader.sh'], ['--world-size', '16']]);
    expect([workerTemplate.spec.containers[0].command, workerTemplate.spec.containers[0].args]).toEqual([['worker.sh'], ['--leader', '$(LWS_LEADER_ADDRESS)']]);
    expect((findObject(objects, 'NetworkPolicy', 'allow-trt-group', 'inference').spec as any).ingress[0].ports)
      .toEqual([{ protocol: 'TCP', port: 29500 }, { protocol: 'TCP', port: 5000 }]);
  });

  test('group ports must be ports', () => {
    const { stack, gpu } = cluster();
    expect(() => new InferenceService(stack, 'A', {
      site: gpu.site, name: 'x', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 8, cpu: '96', memory: '1000Gi',
      multiNode: MultiNodeServing.custom({ nodes: 2, workerArgs: [], groupPorts: [70000] }),
    })).toThrow(/multiNode\.groupPorts = 70000/);
  });
});

describe('EFA: node groups with an adapter on every network card, pods that request them', () => {
  let built: { app: App; stack: Stack; gpu: GpuCluster };
  let template: Template;
  let objects: KubernetesObject[];
  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Platform');
    const gpu = new GpuCluster(stack, 'Gpu', {});
    gpu.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 4, efa: true });
    gpu.addLeaderWorkerSet();
    new InferenceService(stack, 'Big', {
      site: gpu.site, name: 'big', image: IMAGE, modelVersion: 'v1', args: ['m'], gpusPerReplica: 8, cpu: '96', memory: '1000Gi',
      multiNode: MultiNodeServing.vllm({ nodes: 2, efa: true }),
    });
    built = { app, stack, gpu };
    template = cleanTemplate(stack);
    objects = siteObjects(gpu.site);
  });

  test('the launch template puts efa on card 0 and efa-only on the other 31 cards, with the cluster security group, in a cluster placement group', () => {
    const templates = Object.values<any>(template.findResources('AWS::EC2::LaunchTemplate'))
      .filter((t) => t.Properties.LaunchTemplateData.NetworkInterfaces !== undefined);
    expect(templates).toHaveLength(1);
    const data = templates[0].Properties.LaunchTemplateData;
    const interfaces = data.NetworkInterfaces;
    expect(interfaces).toHaveLength(32);
    const clusterSg = { 'Fn::GetAtt': [expect.stringMatching(/^Gpu/), 'ClusterSecurityGroupId'] };
    expect(interfaces[0]).toEqual({ NetworkCardIndex: 0, DeviceIndex: 0, InterfaceType: 'efa', Groups: [clusterSg], DeleteOnTermination: true });
    expect(interfaces[31]).toEqual({ NetworkCardIndex: 31, DeviceIndex: 1, InterfaceType: 'efa-only', Groups: [clusterSg], DeleteOnTermination: true });
    expect(data.SecurityGroupIds).toBeUndefined();
    const groups = template.findResources('AWS::EC2::PlacementGroup');
    expect(Object.values<any>(groups).map((g) => g.Properties)).toEqual([{ Strategy: 'cluster' }]);
    expect(data.Placement).toEqual({ GroupName: { Ref: Object.keys(groups)[0] } });
  });

  test('the node group launches in one subnet, labelled for the EFA device plugin, which tolerates the GPU taint', () => {
    const nodegroup = Object.values<any>(template.findResources('AWS::EKS::Nodegroup')).find((n) => n.Properties.InstanceTypes?.[0] === 'p5.48xlarge');
    expect(nodegroup.Properties.Subnets).toHaveLength(1);
    expect(nodegroup.Properties.Labels).toEqual(expect.objectContaining({ 'vpc.amazonaws.com/efa.present': 'true' }));
    const release = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'aws-efa-k8s-device-plugin' } }))[0];
    expect(release.Properties).toEqual(expect.objectContaining({ Repository: 'https://aws.github.io/eks-charts', Version: 'v0.5.30', Namespace: 'kube-system' }));
    expect(JSON.parse(release.Properties.Values)).toEqual({
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
      nodeSelector: { 'vpc.amazonaws.com/efa.present': 'true' },
    });
    expect(built.gpu.gpuNodeGroups[0].efaDevicesPerNode).toBe(32);
  });

  test('each pod of a group requests all 32 adapters of its node and stays within the restricted profile', () => {
    expectSafeManifests(objects);
    const { leaderTemplate, workerTemplate } = lws(objects, 'big').spec.leaderWorkerTemplate;
    for (const pod of [leaderTemplate, workerTemplate]) {
      const container = pod.spec.containers[0];
      expect(container.resources.requests['vpc.amazonaws.com/efa']).toBe(32);
      expect(container.resources.limits['vpc.amazonaws.com/efa']).toBe(32);
      expect(container.env).toEqual(expect.arrayContaining([{ name: 'FI_EFA_USE_HUGE_PAGE', value: '0' }]));
      expect(container.securityContext.privileged).toBe(false);
    }
  });
});

describe('EFA validation', () => {
  function stackWithCluster(): { stack: Stack; gpu: GpuCluster } {
    const stack = new Stack(testApp(), 'Platform');
    return { stack, gpu: new GpuCluster(stack, 'Gpu', {}) };
  }

  test('instance types without EFA, several types, or several subnets fail', () => {
    const { gpu } = stackWithCluster();
    expect(() => gpu.addGpuNodeGroup('Small', { instanceTypes: [new ec2.InstanceType('g6e.xlarge')], efa: true }))
      .toThrow(/efa = true is not available on g6e\.xlarge/);
    expect(() => gpu.addGpuNodeGroup('Two', { instanceTypes: [new ec2.InstanceType('p5.48xlarge'), new ec2.InstanceType('p5e.48xlarge')], efa: true }))
      .toThrow(/instanceTypes = .* must be one known instance type with efa/);
    expect(() => gpu.addGpuNodeGroup('Wide', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], efa: true, subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } }))
      .toThrow(/subnets = "2 subnets" must select exactly one subnet with efa/);
  });

  test('a service asking for EFA needs EFA capacity of one device count', () => {
    const { stack, gpu } = stackWithCluster();
    gpu.addGpuNodeGroup('Plain', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')] });
    gpu.addLeaderWorkerSet();
    const props = { site: gpu.site, image: IMAGE, modelVersion: 'v1', gpusPerReplica: 8, cpu: '96', memory: '1000Gi', multiNode: MultiNodeServing.vllm({ nodes: 2, efa: true }) };
    expect(() => new InferenceService(stack, 'A', { ...props, name: 'a' })).toThrow(/multiNode = "efa: true" finds no EFA-enabled GPU capacity on site "gpu"/);
    gpu.addGpuNodeGroup('P5', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], efa: true });
    gpu.addGpuNodeGroup('P5en', { instanceTypes: [new ec2.InstanceType('p5en.48xlarge')], efa: true });
    expect(() => new InferenceService(stack, 'B', { ...props, name: 'b' })).toThrow(/different device counts \(.*P5: 32, .*P5en: 16\)/);
    const pinned = new InferenceService(stack, 'C', { ...props, name: 'c', gpuRequirements: { models: ["H200"] } });
    expect(pinned.pinnedCapacities?.map((c) => c.efaDevicesPerNode)).toEqual([16]);
  });

  test('declared capacity on another cluster may offer EFA devices', () => {
    const stack = new Stack(testApp(), 'OnPrem');
    const site = new KubernetesSite(stack, 'Site', { siteName: 'dc1', gpuCapacity: { gpusPerNode: 8, totalGpus: 32, efaDevicesPerNode: 4 }, leaderWorkerSetAvailable: true });
    new InferenceService(stack, 'S', { site, name: 's', image: IMAGE, modelVersion: 'v1', gpusPerReplica: 8, cpu: '8', memory: '64Gi', multiNode: MultiNodeServing.vllm({ nodes: 2, efa: true }) });
    const pod = lws(siteObjects(site), 's').spec.leaderWorkerTemplate.workerTemplate;
    expect(pod.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe(4);
    expect(() => new KubernetesSite(stack, 'Bad', { siteName: 'dc2', gpuCapacity: { gpusPerNode: 8, totalGpus: 32, efaDevicesPerNode: 0 } }))
      .toThrow(/gpuCapacity\.efaDevicesPerNode = 0/);
  });
});
