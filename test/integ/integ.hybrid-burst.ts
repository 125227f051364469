/**
 * Hybrid (examples/hybrid-burst): the cloud model server becomes Available, so the burst
 * target exists; the on-premises servers need EKS Hybrid Nodes that only a lab can provide.
 */
import { App } from 'aws-cdk-lib';
import { IntegTest } from '@aws-cdk/integ-tests-alpha';
import { buildHybridBurstExample, HYBRID_CONTEXT } from '../../examples/hybrid-burst/app';
import { GpuPlacement } from '../../lib';
import { integApp, integTest, TEST_CA_BUNDLE_FILE } from './integ-app';
import { expectDeploymentAvailable, expectScraperActive } from './serving-assertions';

/**
 * The example's inputs. A deployer overrides the bucket name (global) and the helper image
 * (one that has aws_signing_helper): `-c modelsBucketName=... -c rolesAnywhereHelperImage=...`.
 */
export const HYBRID_INTEG_CONTEXT: Record<string, string> = {
  [HYBRID_CONTEXT.caBundleFile]: TEST_CA_BUNDLE_FILE,
  [HYBRID_CONTEXT.modelsBucketName]: 'scalable-ai-integ-hybrid-models',
  [HYBRID_CONTEXT.helperImage]: 'public.ecr.aws/example/aws-signing-helper:1.4.0',
};

export function buildHybridBurstInteg(app: App): IntegTest {
  const platform = buildHybridBurstExample(app);
  const integ = integTest(platform, 'HybridBurstInteg', [platform.dataStack, platform.computeStack, platform.inferenceStack]);
  for (const service of platform.inferenceServices.filter((s) => s.placement === GpuPlacement.CLOUD)) expectDeploymentAvailable(service);
  expectScraperActive(integ, platform.cluster);
  return integ;
}

if (require.main === module) {
  const app = integApp({}, HYBRID_INTEG_CONTEXT);
  buildHybridBurstInteg(app);
  app.synth();
}
