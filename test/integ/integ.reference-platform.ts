/**
 * The reference platform (bin/reference-platform.ts): every model server on the cluster
 * becomes Available, the managed collector is ACTIVE, and Amazon Managed Prometheus holds the
 * model servers' own metrics.
 */
import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { buildReferencePlatform } from '../../bin/reference-platform';
import { EksSite } from '../../lib';
import { integApp, integTest } from './integ-app';
import { expectDeploymentAvailable, expectModelServerMetricsInAmp, expectScraperActive } from './serving-assertions';

export function buildReferencePlatformInteg(app: App): IntegTest {
  const platform = buildReferencePlatform(app);
  const integ = integTest(platform, 'ReferencePlatformInteg', [platform.dataStack, platform.computeStack, platform.inferenceStack]);
  for (const service of platform.inferenceServices.filter((s) => s.site instanceof EksSite)) expectDeploymentAvailable(service);
  expectScraperActive(integ, platform.cluster);
  expectModelServerMetricsInAmp(integ, platform.cluster);
  return integ;
}

if (require.main === module) {
  const app = integApp();
  buildReferencePlatformInteg(app);
  app.synth();
}
