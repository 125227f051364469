import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { buildHybridBurstExample } from '../../examples/hybrid-burst/app';
import { buildLlmServingExample } from '../../examples/llm-serving-scale-to-zero/app';
import { buildSageMakerEndpointExample } from '../../examples/sagemaker-endpoint/app';
import { buildStreamingFeaturesExample } from '../../examples/streaming-features/app';
import { IKubernetesSite, KubernetesSiteBase } from '../../lib';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { expectNagClean, RulePack } from '../harness/nag';
import { cleanTemplates, testApp } from '../harness/synth';

const CA = fs.readFileSync(path.join(__dirname, 'test-ca.pem'), 'utf8');

function sitesOf(app: App): IKubernetesSite[] {
  return app.node.findAll().filter((c): c is KubernetesSiteBase => c instanceof KubernetesSiteBase);
}

function stacksOf(app: App): Stack[] {
  return app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
}

/** Synthesizes clean (validation, annotations), checks manifests and cdk-nag. */
function expectExampleSound(build: (app: App) => unknown): App {
  const app = testApp({ context: { onPremisesCaBundle: CA } });
  build(app);
  cleanTemplates(...stacksOf(app));
  for (const site of sitesOf(app)) expectSafeManifests(siteObjects(site));
  const nagApp = testApp({ context: { onPremisesCaBundle: CA } });
  build(nagApp);
  expectNagClean(nagApp, [RulePack.AWS_SOLUTIONS, RulePack.NIST_800_53_R5]);
  return app;
}

describe('examples synthesize cleanly, with valid manifests and no cdk-nag findings (AwsSolutions, NIST 800-53 rev 5)', () => {
  test('1. LLM serving on EKS with scale to zero', () => {
    const app = expectExampleSound(buildLlmServingExample);
    const scaled = findObject(siteObjects(sitesOf(app)[0]), 'ScaledObject', 'llama', 'inference');
    expect((scaled.spec as { minReplicaCount: number }).minReplicaCount).toBe(0);
  });

  test('2. hybrid on-premises + cloud burst', () => {
    const app = expectExampleSound(buildHybridBurstExample);
    expect(sitesOf(app).map((s) => s.siteName).sort()).toEqual(['hybrid-eks', 'hybrid-lab']);
  });

  test('3. streaming events into the lake with features for a model', () => {
    expectExampleSound(buildStreamingFeaturesExample);
  });

  test('4. a managed SageMaker endpoint', () => {
    expectExampleSound(buildSageMakerEndpointExample);
  });

  test('examples that need a CA bundle say so', () => {
    expect(() => buildStreamingFeaturesExample(testApp())).toThrow(/onPremisesCaBundle/);
  });
});
