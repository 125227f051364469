/**
 * Auto Mode scale-to-zero serving (examples/llm-serving-scale-to-zero): the model server's
 * Deployment becomes Available, a client's request through the KEDA HTTP interceptor is
 * answered, and the managed collector that feeds KEDA is active.
 */
import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { buildLlmServingExample } from '../../examples/llm-serving-scale-to-zero/app';
import { GpuCluster, InferenceService, WakeUpSignal } from '../../lib';
import { integApp, integTest } from './integ-app';
import { expectAnswersThroughInterceptor, expectDeploymentAvailable, expectScraperActive } from './serving-assertions';

export function buildLlmServingInteg(app: App): IntegTest {
  const stack = buildLlmServingExample(app);
  const integ = integTest(app, 'LlmServingInteg', [stack]);
  for (const service of stack.node.findAll().filter((c): c is InferenceService => c instanceof InferenceService)) {
    const available = expectDeploymentAvailable(service);
    if (service.scaleToZero?.signal === WakeUpSignal.REQUEST) expectAnswersThroughInterceptor(service, available);
  }
  const cluster = stack.node.findAll().find((c): c is GpuCluster => c instanceof GpuCluster);
  if (!cluster) throw new Error('the serving example has no GpuCluster');
  expectScraperActive(integ, cluster);
  return integ;
}

if (require.main === module) {
  const app = integApp();
  buildLlmServingInteg(app);
  app.synth();
}
