/**
 * Teams, Kueue and conformance evidence through AiPlatform's typed configuration. What must
 * hold: teams exist before the services of their namespaces (a service in a team's namespace
 * runs under the team's quota, its manifest after the team's), Kueue comes with the first
 * quota, quotas name the platform's node groups by id, and the evidence is applied last.
 */
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AiPlatform, AiPlatformProps, MultiNodeServing } from '../../lib';
import { findObject, siteObjects } from '../harness/manifests';
import { synthesizeClean, testApp } from '../harness/synth';

/** A small platform: one L40S node group, no streams, no monitoring. */
const SMALL: AiPlatformProps = {
  streams: [],
  monitoring: false,
  gpuNodeGroups: [{ id: 'L40s', options: { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 } }],
};
const SERVER = { image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' };

describe('AiPlatform with teams', () => {
  test('a team with quotas brings Kueue; its service runs in its namespace after it; the evidence comes last', () => {
    const app = testApp();
    const platform = new AiPlatform(app, 'Ai', {
      ...SMALL,
      teams: [{ id: 'Fraud', namespace: 'fraud', maxGpus: 4, gpuQuotas: [{ gpuCapacityId: 'L40s', gpus: 2 }], dataAccess: [{ zone: 'features', prefix: 'fraud/' }] }],
      inferenceServices: [{ id: 'Scorer', service: { ...SERVER, name: 'scorer', namespace: 'fraud' } }],
      conformanceEvidence: true,
    });
    synthesizeClean(app);
    expect(platform.teams.map((t) => t.localQueueName)).toEqual(['gpu']);
    expect(platform.cluster.kueue).toBeDefined();
    const objects = siteObjects(platform.cluster.site);
    expect(findObject(objects, 'Deployment', 'scorer', 'fraud')).toBeDefined();
    expect(findObject(objects, 'ClusterQueue', 'fraud')).toBeDefined();
    expect(objects.filter((o) => o.kind === 'Job' && o.metadata?.namespace === 'ai-conformance' && o.metadata?.labels?.['cdk-scalable-ai.io/checklist-id']).map((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id']).sort())
      .toEqual(['accelerator_metrics', 'gang_scheduling', 'robust_controller', 'secure_accelerator_access']);
    // The service's stack deploys after the compute stack that holds the team's namespace.
    const inference = Template.fromStack(platform.serviceGroupStack('fraud'));
    expect(Object.keys(inference.findResources('Custom::AWSCDK-EKS-KubernetesResource')).length).toBeGreaterThan(0);
    expect(platform.serviceGroupStack('fraud').dependencies).toContain(platform.computeStack);
  });

  test('mountModel installs the Mountpoint driver and mounts the model instead of copying it', () => {
    const app = testApp();
    const platform = new AiPlatform(app, 'Ai', {
      ...SMALL,
      inferenceServices: [{ id: 'Llm', modelPrefix: 'llama/v1', mountModel: true, service: { ...SERVER, name: 'llama' } }],
    });
    synthesizeClean(app);
    expect(platform.cluster.site.mountpointS3).toBeDefined();
    const objects = siteObjects(platform.cluster.site);
    expect(findObject(objects, 'PersistentVolumeClaim', 'llama-model', 'inference')).toBeDefined();
    expect(() => new AiPlatform(testApp(), 'Bad', { inferenceServices: [{ id: 'Llm', mountModel: true, service: { ...SERVER, name: 'llama' } }] }))
      .toThrow(/inferenceServices\[Llm\]\.mountModel = true mounts no model: modelPrefix is not set/);
  });

  test('a multi-node service brings LeaderWorkerSet; an EFA node group serves it', () => {
    const app = testApp();
    const platform = new AiPlatform(app, 'Ai', {
      ...SMALL,
      gpuNodeGroups: [{ id: 'H100', options: { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 4, efa: true } }],
      inferenceServices: [{
        id: 'Large', gpuCapacityIds: ['H100'],
        service: { ...SERVER, name: 'large', gpusPerReplica: 8, cpu: '96', memory: '1000Gi', multiNode: MultiNodeServing.vllm({ nodes: 2, efa: true }) },
      }],
    });
    synthesizeClean(app);
    expect(platform.cluster.leaderWorkerSet?.version).toBe('0.10.0');
    const group = findObject(siteObjects(platform.cluster.site), 'LeaderWorkerSet', 'large', 'inference').spec as { leaderWorkerTemplate: { size: number } };
    expect(group.leaderWorkerTemplate.size).toBe(2);
    expect(new AiPlatform(testApp(), 'Plain', { ...SMALL, inferenceServices: [{ id: 'Llm', service: { ...SERVER, name: 'llama' } }] }).cluster.leaderWorkerSet).toBeUndefined();
  });

  test('clusterAutoscaler lets the GPU node groups scale with demand', () => {
    const app = testApp();
    const platform = new AiPlatform(app, 'Ai', { ...SMALL, clusterAutoscaler: true });
    synthesizeClean(app);
    expect(platform.cluster.clusterAutoscaler?.imageTag).toBe('v1.36.1');
    expect(new AiPlatform(testApp(), 'Plain', SMALL).cluster.clusterAutoscaler).toBeUndefined();
  });

  test('a lake without a "models" zone serves services that load their model themselves', () => {
    const app = testApp();
    new AiPlatform(app, 'Ai', {
      ...SMALL,
      dataLake: { zones: [{ name: 'raw' }] },
      inferenceServices: [{ id: 'Llm', service: { ...SERVER, name: 'llama' } }],
    });
    synthesizeClean(app);
  });

  test('a quota on an unknown capacity id fails with the ids to use', () => {
    expect(() => new AiPlatform(testApp(), 'Ai', {
      gpuNodeGroups: [{ id: 'L40s', options: { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')] } }],
      teams: [{ id: 'Fraud', namespace: 'fraud', gpuQuotas: [{ gpuCapacityId: 'H100', gpus: 2 }] }],
    })).toThrow(/teams\[Fraud\]\.gpuQuotas = "H100" names no GPU node group or node pool of the platform\. Use one of "L40s"/);
  });
});
