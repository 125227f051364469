import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { buildConformantPlatformExample, CONFORMANT_CONTEXT, CONFORMANT_NAMES } from '../../examples/conformant-platform/app';
import { buildGpuPoolsExample, GPU_POOLS_SERVICES } from '../../examples/gpu-pools/app';
import { buildHybridBurstExample, HYBRID_CONTEXT } from '../../examples/hybrid-burst/app';
import { buildLlmServingExample } from '../../examples/llm-serving-scale-to-zero/app';
import { buildSageMakerEndpointExample } from '../../examples/sagemaker-endpoint/app';
import { buildStreamingFeaturesExample } from '../../examples/streaming-features/app';
import { IKubernetesSite, KubernetesSiteBase } from '../../lib';
import { expectSafeManifests, findObject, pinnedCapacities, siteObjects } from '../harness/manifests';
import { expectNagClean, RulePack } from '../harness/nag';
import { cleanTemplates, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized manifests are untyped */

const CA_FILE = path.join(__dirname, 'test-ca.pem');
const CA = fs.readFileSync(CA_FILE, 'utf8');
/** Context of every example: a CA file (hybrid burst) and the PEM itself (streaming features, not yet moved to a file). */
const CONTEXT = {
  onPremisesCaBundle: CA,
  [HYBRID_CONTEXT.caBundleFile]: CA_FILE,
  [HYBRID_CONTEXT.modelsBucketName]: 'hybrid-models-test',
  [HYBRID_CONTEXT.helperImage]: 'registry.lab.example/aws-signing-helper:1.8.1',
  [CONFORMANT_CONTEXT.certificateArn]: 'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901',
  [CONFORMANT_CONTEXT.host]: 'chat.example.com',
};

function sitesOf(app: App): IKubernetesSite[] {
  return app.node.findAll().filter((c): c is KubernetesSiteBase => c instanceof KubernetesSiteBase);
}

/** Top-level stacks (nested stacks are checked through their parents' assembly). */
function stacksOf(app: App): Stack[] {
  return app.node.findAll().filter((c): c is Stack => Stack.isStack(c) && !c.nested);
}

function testAppWith(build: (app: App) => unknown): App {
  const app = testApp({ context: CONTEXT });
  build(app);
  return app;
}

/** Synthesizes clean (validation, annotations), checks manifests and cdk-nag. */
function expectExampleSound(build: (app: App) => unknown): App {
  const app = testApp({ context: CONTEXT });
  build(app);
  cleanTemplates(...stacksOf(app));
  for (const site of sitesOf(app)) expectSafeManifests(siteObjects(site));
  const nagApp = testApp({ context: CONTEXT });
  build(nagApp);
  expectNagClean(nagApp, [RulePack.AWS_SOLUTIONS, RulePack.NIST_800_53_R5]);
  return app;
}

describe('examples synthesize cleanly, with valid manifests and no cdk-nag findings (AwsSolutions, NIST 800-53 rev 5)', () => {
  test('1. LLM serving on EKS with scale to zero', () => {
    const app = expectExampleSound(buildLlmServingExample);
    const objects = siteObjects(sitesOf(app)[0]);
    const scaled = findObject(objects, 'ScaledObject', 'llama', 'inference');
    expect((scaled.spec as { minReplicaCount: number }).minReplicaCount).toBe(0);
    // The wake-up path: the interceptor's route, and the Service clients call.
    expect(findObject(objects, 'InterceptorRoute', 'llama', 'inference')).toBeDefined();
    expect(findObject(objects, 'Service', 'llama-wake', 'inference')).toBeDefined();
  });

  test('2. hybrid on-premises + cloud burst', () => {
    const app = expectExampleSound(buildHybridBurstExample);
    expect(sitesOf(app).map((s) => s.siteName).sort()).toEqual(['hybrid-eks', 'hybrid-lab']);
    // The failover alarm watches what the lab's heartbeat CronJob publishes.
    const lab = sitesOf(app).find((s) => s.siteName === 'hybrid-lab')!;
    expect(findObject(siteObjects(lab), 'CronJob', 'heartbeat', 'site-health')).toBeDefined();
    const [compute] = cleanTemplates(...stacksOf(testAppWith(buildHybridBurstExample)).filter((s) => s.stackName.endsWith('Compute')));
    compute.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'cdk-scalable-ai/hybrid-lab', MetricName: 'Heartbeat', Dimensions: [{ Name: 'SiteName', Value: 'hybrid-lab' }], TreatMissingData: 'breaching',
    });
  });

  test('3. streaming events into the lake with features for a model', () => {
    expectExampleSound(buildStreamingFeaturesExample);
  });

  test('4. a managed SageMaker endpoint', () => {
    expectExampleSound(buildSageMakerEndpointExample);
  });

  test('5. two GPU pools on Auto Mode, a model pinned to each', () => {
    const app = expectExampleSound(buildGpuPoolsExample);
    const objects = siteObjects(sitesOf(app)[0]);
    expect(pinnedCapacities(findObject(objects, 'Deployment', GPU_POOLS_SERVICES.large, 'inference'))).toEqual(['h100']);
    expect(pinnedCapacities(findObject(objects, 'Deployment', GPU_POOLS_SERVICES.small, 'inference'))).toEqual(['l40s']);
  });

  test('6. a conformant platform: two teams queueing on a shared L40S pool, GPU shares, a Gateway with a canary, a mounted model, a model across two EFA nodes', () => {
    const app = expectExampleSound(buildConformantPlatformExample);
    const objects = siteObjects(sitesOf(app)[0]);
    for (const team of [CONFORMANT_NAMES.fraud, CONFORMANT_NAMES.assistant]) {
      expect(findObject(objects, 'LocalQueue', 'gpu', team)).toBeDefined();
      expect((findObject(objects, 'ClusterQueue', team).spec as { cohortName: string }).cohortName).toBe('teams');
    }
    const scorer = findObject(objects, 'Deployment', CONFORMANT_NAMES.scorer, CONFORMANT_NAMES.fraud);
    expect(JSON.stringify(scorer.spec)).toContain('"nvidia.com/gpu.shared":1');
    // Its copied weights are requested as local disk.
    expect((scorer.spec as any).template.spec.containers[0].resources.requests['ephemeral-storage']).toBe('3Gi');
    const route = findObject(objects, 'HTTPRoute', CONFORMANT_NAMES.chat, CONFORMANT_NAMES.assistant).spec as { rules: Array<{ backendRefs: Array<{ weight?: number }> }> };
    expect(route.rules[1].backendRefs.map((b) => b.weight)).toEqual([90, 10]);
    // The chat model is mounted from the lake, not copied: a claim and no download init container.
    const chat = findObject(objects, 'Deployment', CONFORMANT_NAMES.chat, CONFORMANT_NAMES.assistant).spec as any;
    expect(chat.template.spec.initContainers).toBeUndefined();
    expect(chat.template.spec.volumes).toContainEqual({ name: 'models', persistentVolumeClaim: { claimName: 'chat-model', readOnly: true } });
    // The large model: one leader and one worker per replica, 8 GPUs and 32 EFA devices each.
    const large = findObject(objects, 'LeaderWorkerSet', CONFORMANT_NAMES.large, 'inference').spec as any;
    expect(large.leaderWorkerTemplate.size).toBe(2);
    for (const pod of [large.leaderWorkerTemplate.leaderTemplate, large.leaderWorkerTemplate.workerTemplate]) {
      expect(pod.spec.containers[0].resources.limits).toEqual(expect.objectContaining({ 'nvidia.com/gpu': 8, 'vpc.amazonaws.com/efa': 32 }));
    }
    const evidence = objects.filter((o) => o.kind === 'Job' && o.metadata?.namespace === 'ai-conformance' && o.metadata?.labels?.['cdk-scalable-ai.io/checklist-id']).map((j) => j.metadata!.labels!['cdk-scalable-ai.io/checklist-id']);
    expect(evidence.sort()).toEqual(['accelerator_metrics', 'ai_inference', 'ai_service_metrics', 'cluster_autoscaling', 'gang_scheduling', 'pod_autoscaling', 'robust_controller', 'secure_accelerator_access']);
  });

  test('examples that need a CA bundle say so', () => {
    expect(() => buildStreamingFeaturesExample(testApp())).toThrow(/onPremisesCaBundle/);
    expect(() => buildHybridBurstExample(testApp())).toThrow(/Pass the path of the on-premises CA bundle \(PEM\): -c onPremisesCaBundleFile=/);
    expect(() => buildHybridBurstExample(testApp({ context: { [HYBRID_CONTEXT.caBundleFile]: CA_FILE } }))).toThrow(/-c modelsBucketName=/);
  });
});
