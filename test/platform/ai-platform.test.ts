import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AiPlatform, InferenceScaling, KubernetesSite, ScaleToZero } from '../../lib';
import { synthFindings, testApp } from '../harness/synth';

const service = (name: string) => ({ name, image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });

describe('AiPlatform', () => {
  test('data and compute stacks (no inference stack without services or endpoints), sites named per platform; two platforms in one app', () => {
    const app = testApp();
    const prod = new AiPlatform(app, 'Prod', { inferenceAutoscaling: false });
    const dev = new AiPlatform(app, 'Dev', { inferenceAutoscaling: false, monitoring: false });
    expect(prod.node.children.filter((c) => Stack.isStack(c)).map((s) => s.node.id)).toEqual(['Data', 'Compute']);
    expect(prod.computeStack.dependencies).toEqual([]);
    expect([prod.cluster.site.siteName, dev.cluster.site.siteName]).toEqual(['prod-eks', 'dev-eks']);
    expect(dev.monitoring).toBeUndefined();
    expect(prod.streams.map((s) => s.node.id)).toEqual(['Events']);
  });

  test('an inference service on an unknown site fails with the known names', () => {
    expect(() => new AiPlatform(testApp(), 'P', {
      onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 8 } }],
      inferenceServices: [{ id: 'Llm', site: 'elsewhere', service: service('llm') }],
    })).toThrow(/inferenceServices\[Llm\].site = "elsewhere" names no site of the platform. Use one of "p-eks", "p-lab"/);
  });

  test('an on-premises service that needs the lake but has no trust source fails', () => {
    expect(() => new AiPlatform(testApp(), 'P', {
      onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 8 } }],
      inferenceServices: [{ id: 'Llm', site: 'p-lab', modelPrefix: 'm/v1', service: service('llm') }],
    })).toThrow(/model = "m\/v1" needs AWS credentials, but site "p-lab" gives workloads none/);
  });

  test('duplicate site names in one platform and across the app fail', () => {
    expect(() => new AiPlatform(testApp(), 'P', {
      onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 8 } }, { id: 'lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 8 } }],
    })).toThrow(/onPremisesSites = .* contains "lab" twice/);
    const app = testApp();
    new AiPlatform(app, 'P', { inferenceAutoscaling: false, monitoring: false });
    new KubernetesSite(app, 'Clash', { siteName: 'p-eks' });
    expect(() => synthFindings(app)).toThrow(/siteName = "p-eks" is also used by .*both would write cdk.out\/manifests\/p-eks\//);
  });

  test('a configuration beyond CloudFormation\'s 500 resources per stack fails at synth', () => {
    const app = testApp();
    new AiPlatform(app, 'Big', {
      monitoring: false,
      streams: Array.from({ length: 60 }, (_, i) => ({ id: `S${i}` })),
    });
    // aws-cdk-lib itself refuses a stack over 500 resources (nested stacks too).
    expect(() => synthFindings(app)).toThrow(/Number of resources in stack 'Big\/Data': \d+ is greater than allowed maximum of 500/);
  });

  test('a model is pinned to a GPU node group by its id; an unknown id fails with the known ones', () => {
    const gpuNodeGroups = [
      { id: 'L40s', options: { instanceTypes: [new ec2.InstanceType('g6e.xlarge')], maxSize: 4 } },
      { id: 'H100', options: { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 2 } },
    ];
    const p = new AiPlatform(testApp(), 'P', {
      monitoring: false, inferenceAutoscaling: false, gpuNodeGroups,
      inferenceServices: [{ id: 'Big', gpuCapacityIds: ['H100'], service: { ...service('big'), gpusPerReplica: 8, minReplicas: 1, maxReplicas: 1 } }],
    });
    expect(p.inferenceServices[0].pinnedCapacities).toEqual([p.cluster.gpuNodeGroups[1]]);
    expect(() => new AiPlatform(testApp(), 'Q', {
      monitoring: false, inferenceAutoscaling: false, gpuNodeGroups,
      inferenceServices: [{ id: 'Big', gpuCapacityIds: ['A100'], service: service('big') }],
    })).toThrow(/inferenceServices\[Big\]\.gpuCapacityIds = "A100" names no GPU node group or node pool of the platform\. Use one of "L40s", "H100"\./);
  });

  test('an EKS service that wakes on requests brings the KEDA HTTP add-on; others do not', () => {
    const gpuNodeGroups = [{ id: 'L40s', options: { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 } }];
    const platform = (scaleToZero?: ScaleToZero) => new AiPlatform(testApp(), 'P', {
      monitoring: false, gpuNodeGroups,
      inferenceServices: [{ id: 'Llm', service: { ...service('llm'), scaling: InferenceScaling.onQueueDepth(8), scaleToZero } }],
    });
    const woken = platform(ScaleToZero.onRequest());
    expect(woken.cluster.inferenceAutoscaling!.kedaHttpAddOn).toBeDefined();
    expect(woken.inferenceServices[0].url).toBe('http://llm-wake.inference.svc.cluster.local:8080');
    expect(platform().cluster.inferenceAutoscaling!.kedaHttpAddOn).toBeUndefined();
  });
});
