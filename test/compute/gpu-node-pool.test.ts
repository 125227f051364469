import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import fc from 'fast-check';
import {
  ClusterCapacityMode, ConsolidationPolicy, GpuCluster, GpuNodePool, GpuNodePoolProps, InferenceService, KubernetesSite, MultiNodeServing, NodeClassReference, NodePoolCapacityType,
} from '../../lib';
import { expectNagClean } from '../harness/nag';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, testApp } from '../harness/synth';

describe('Auto Mode cluster with a GPU NodePool', () => {
  test('defaults: WhenEmpty after 10 minutes, 14-day expiry, 10% budget, on-demand, GPU taint, limit 8', () => {
    const app = testApp();
    const stack = new Stack(app, 'Auto');
    const cluster = new GpuCluster(stack, 'Gpu', { capacityMode: ClusterCapacityMode.AUTO_MODE });
    const pool = cluster.addGpuNodePool('L40s', { instanceFamilies: ['g6e', 'g6'] });
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    expect(findObject(objects, 'NodePool', 'l40s')).toEqual({
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: 'l40s' },
      spec: {
        template: {
          metadata: { labels: { 'nvidia.com/gpu.present': 'true', 'cdk-scalable-ai.io/gpu-capacity': 'l40s' } },
          spec: {
            nodeClassRef: { group: 'eks.amazonaws.com', kind: 'NodeClass', name: 'default' },
            requirements: [
              { key: 'eks.amazonaws.com/instance-family', operator: 'In', values: ['g6e', 'g6'] },
              { key: 'eks.amazonaws.com/instance-gpu-count', operator: 'Gt', values: ['0'] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['on-demand'] },
              { key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] },
            ],
            taints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
            expireAfter: '20160m',
          },
        },
        disruption: { consolidationPolicy: 'WhenEmpty', consolidateAfter: '10m', budgets: [{ nodes: '10%' }] },
        limits: { 'nvidia.com/gpu': '8' },
      },
    });
    expect([pool.gpusPerNode, pool.maxGpus]).toEqual([1, 8]);
    expect(cluster.site.gpuCapacities).toEqual([pool]);

    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      // general-purpose too: the system pool's CriticalAddonsOnly taint keeps KEDA and controllers off it.
      ComputeConfig: { Enabled: true, NodePools: ['system', 'general-purpose'], NodeRoleArn: Match.anyValue() },
    });
    // Auto Mode runs networking and DNS itself: only the observability add-on is installed.
    template.resourceCountIs('AWS::EKS::Addon', 1);
    template.resourceCountIs('AWS::EKS::Nodegroup', 0);
    // Auto Mode enforces NetworkPolicies only once its network policy controller is switched on.
    expect(findObject(objects, 'ConfigMap', 'amazon-vpc-cni', 'kube-system')).toMatchObject({ data: { 'enable-network-policy-controller': 'true' } });
    template.hasResourceProperties('Custom::AWSCDK-EKS-KubernetesResource', { Manifest: Match.stringLikeRegexp('"enable-network-policy-controller":"true"') });
    expect(cluster.networkPoliciesEnforced).toBe(true);
  });

  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const app = testApp();
    const stack = new Stack(app, 'AutoNag');
    new GpuCluster(stack, 'Gpu', { capacityMode: ClusterCapacityMode.AUTO_MODE }).addGpuNodePool('H100', { instanceFamilies: ['p5'], minGpusPerNode: 8, maxGpus: 16 });
    expect(() => expectNagClean(app)).not.toThrow();
  });

  test('node pools need Auto Mode on a GpuCluster', () => {
    const cluster = new GpuCluster(new Stack(testApp(), 'Mng'), 'Gpu');
    expect(() => cluster.addGpuNodePool('Pool', { instanceFamilies: ['g6'] })).toThrow(/capacityMode = "managed-node-groups" has no NodePool support.*AUTO_MODE/);
  });
});

describe('Karpenter NodePool on another site', () => {
  test('EC2NodeClass reference, karpenter labels, device plugin label, spot and options', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab');
    new GpuNodePool(site, 'Pool', {
      site,
      name: 'big-gpus',
      nodeClass: NodeClassReference.karpenter('gpu'),
      instanceFamilies: ['p5', 'p5e'],
      minGpusPerNode: 8,
      maxGpus: 32,
      capacityTypes: [NodePoolCapacityType.SPOT, NodePoolCapacityType.ON_DEMAND],
      consolidationPolicy: ConsolidationPolicy.WHEN_EMPTY_OR_UNDERUTILIZED,
      consolidateAfter: Duration.minutes(30),
      expireAfter: Duration.days(7),
    });
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    const pool = findObject(objects, 'NodePool', 'big-gpus') as unknown as { spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pool.spec.template.spec.nodeClassRef).toEqual({ group: 'karpenter.k8s.aws', kind: 'EC2NodeClass', name: 'gpu' });
    expect(pool.spec.template.metadata.labels).toEqual({ 'nvidia.com/gpu.present': 'true', 'cdk-scalable-ai.io/gpu-capacity': 'big-gpus', 'cdk-scalable-ai.io/nvidia-device-plugin': 'daemonset' });
    expect(pool.spec.template.spec.requirements).toEqual(expect.arrayContaining([
      { key: 'karpenter.k8s.aws/instance-gpu-count', operator: 'Gt', values: ['7'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot', 'on-demand'] },
    ]));
    expect(pool.spec.disruption).toEqual({ consolidationPolicy: 'WhenEmptyOrUnderutilized', consolidateAfter: '30m', budgets: [{ nodes: '10%' }] });
    expect(pool.spec.template.spec.expireAfter).toBe('10080m');
  });

  test.each([
    [{ instanceFamilies: ['m7i'] }, /instanceFamilies = "m7i" is not an NVIDIA GPU instance family/],
    [{ instanceFamilies: ['g6', 'g5g'] }, /mixes arm64 and x86_64 families/],
    [{ instanceFamilies: ['g6e'], minGpusPerNode: 16, maxGpus: 32 }, /instanceFamilies = "g6e" has no size with 16 GPUs/],
    [{ instanceFamilies: ['g6'], minGpusPerNode: 4, maxGpus: 2 }, /maxGpus = 2 is below minGpusPerNode \(4\)/],
    [{ instanceFamilies: [] }, /instanceFamilies = \[\] is empty/],
    [{ instanceFamilies: ['g6', 'g6'] }, /contains "g6" twice/],
    [{ instanceFamilies: ['g6'], name: 'Not_Valid' }, /name = "Not_Valid" is not a DNS-1123 label/],
  ])('rejects %j', (options, message) => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab');
    expect(() => new GpuNodePool(site, 'Pool', { site, ...options })).toThrow(message);
  });

  test('property: random families and GPU counts build a schema-valid pool or throw a ValidationError', () => {
    const families = ['g6', 'g6e', 'p5', 'g5g', 'p6e-gb200', 'm7i', 'g4ad'];
    fc.assert(fc.property(
      fc.subarray(families, { minLength: 0, maxLength: 3 }),
      fc.option(fc.integer({ min: -1, max: 10 }), { nil: undefined }),
      fc.option(fc.integer({ min: -1, max: 40 }), { nil: undefined }),
      (instanceFamilies, minGpusPerNode, maxGpus) => {
        const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab');
        try {
          new GpuNodePool(site, 'Pool', { site, instanceFamilies, minGpusPerNode, maxGpus });
        } catch (error) {
          expect((error as Error).name).toBe('ValidationError');
          expect((error as Error).message).toMatch(/(instanceFamilies|minGpusPerNode|maxGpus) = /);
          return;
        }
        expectSafeManifests(siteObjects(site));
      },
    ), { numRuns: 60 });
  });
});

describe('site options of a GpuCluster', () => {
  test('Auto Mode clusters offer internal load balancers through Auto Mode\'s NLB class; options pass through', () => {
    const auto = new GpuCluster(new Stack(testApp(), 'Auto'), 'Gpu', { capacityMode: ClusterCapacityMode.AUTO_MODE });
    expect(auto.site.loadBalancerClass).toBe('eks.amazonaws.com/nlb');
    const managed = new GpuCluster(new Stack(testApp(), 'Managed'), 'Gpu', {
      siteOptions: { loadBalancerClass: 'service.k8s.aws/nlb', prometheusOperatorAvailable: true, imageRegistryMirror: 'mirror.example' },
    });
    expect(managed.site).toMatchObject({ loadBalancerClass: 'service.k8s.aws/nlb', prometheusOperatorAvailable: true, imageRegistryMirror: 'mirror.example', siteName: 'gpu' });
    expect(new GpuCluster(new Stack(testApp(), 'Plain'), 'Gpu').site.loadBalancerClass).toBeUndefined();
  });
});

describe('EFA on Karpenter node pools', () => {
  /* eslint-disable @typescript-eslint/no-explicit-any -- synthesized manifests are untyped */
  function karpenterPool(options: Partial<GpuNodePoolProps> = {}) {
    const stack = new Stack(testApp(), 'Platform');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    cluster.addLeaderWorkerSet();
    const pool = new GpuNodePool(stack, 'H100', {
      site: cluster.site, nodeClass: NodeClassReference.karpenter('efa'), instanceFamilies: ['p5'], minGpusPerNode: 8, maxGpus: 32, efa: true, ...options,
    });
    return { stack, cluster, pool };
  }

  test('the pool keeps to its EFA instance types, labels nodes for the EFA device plugin, and serves multi-node models with every device', () => {
    const { stack, cluster, pool } = karpenterPool();
    expect(pool.efaDevicesPerNode).toBe(32);
    new InferenceService(stack, 'Big', {
      site: cluster.site, name: 'big', image: 'vllm/vllm-openai:v0.12.0', modelVersion: 'v1', gpusPerReplica: 8, cpu: '96', memory: '1000Gi',
      multiNode: MultiNodeServing.vllm({ nodes: 2, efa: true }),
    });
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    const spec = (findObject(objects, 'NodePool', 'h100') as any).spec;
    expect(spec.template.metadata.labels['vpc.amazonaws.com/efa.present']).toBe('true');
    expect(spec.template.spec.requirements).toContainEqual({ key: 'node.kubernetes.io/instance-type', operator: 'In', values: ['p5.48xlarge'] });
    const group = (findObject(objects, 'LeaderWorkerSet', 'big', 'inference') as any).spec.leaderWorkerTemplate;
    for (const template of [group.leaderTemplate, group.workerTemplate]) {
      expect(template.spec.containers[0].resources.limits['vpc.amazonaws.com/efa']).toBe(32);
    }
    // Karpenter initializes a node only once the devices its pods requested are advertised.
    const charts = Object.values<any>(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart'));
    expect(charts.map((c) => c.Properties.Chart)).toContain('aws-efa-k8s-device-plugin');
  });

  test('bad pools fail at synth with the fix', () => {
    expect(() => karpenterPool({ minGpusPerNode: 1 })).toThrow(/efa = true matches instance types with different EFA device counts \(p5.4xlarge: 1, p5.48xlarge: 32\)/);
    expect(() => karpenterPool({ instanceFamilies: ['g4dn'], minGpusPerNode: 1 })).toThrow(/efa = true matches no instance type with EFA in g4dn/);
    expect(() => karpenterPool({ nodeClass: NodeClassReference.autoMode() })).toThrow(/efa = true needs a Karpenter EC2NodeClass/);
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab');
    expect(() => new GpuNodePool(site, 'Pool', { site, nodeClass: NodeClassReference.karpenter('efa'), instanceFamilies: ['p5'], minGpusPerNode: 8, efa: true }))
      .toThrow(/efa = true needs an EKS site/);
  });
});
