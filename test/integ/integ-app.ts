/**
 * What every integration test app shares: the project's feature flags, destruction allowed,
 * and assertions that fail the deployment (the apps deploy with the plain CDK CLI, see
 * README "Deploy verification", so a failed assertion must fail CloudFormation).
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Duration, RemovalPolicies, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IApiCall, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Construct } from 'constructs';
import { ALLOW_DESTROY_CONTEXT } from '../../lib/private/removal';
import { projectContext } from '../harness/synth';

/** How long an eventually-true assertion polls before it fails the deployment. */
export const ASSERTION_TIMEOUT = Duration.minutes(30);
/** How often it polls. */
export const ASSERTION_INTERVAL = Duration.seconds(30);

/** The test CA the example apps trust for IAM Roles Anywhere (no private key is deployed). */
export const TEST_CA_BUNDLE = fs.readFileSync(path.join(__dirname, '..', 'examples', 'test-ca.pem'), 'utf8');

/** Path of the test CA, for apps that take the bundle as a file (`-c onPremisesCaBundleFile=...`). */
export const TEST_CA_BUNDLE_FILE = path.join(__dirname, '..', 'examples', 'test-ca.pem');

/**
 * An App with cdk.json's feature flags and `cdk-scalable-ai:allowDestroy=true`, as post-CLI
 * context so the CLI's or a runner's own flags cannot change what is tested. `context` holds
 * the apps' inputs (defaults a deployer overrides with `-c key=value`).
 */
export function integApp(props: AppProps = {}, context: Record<string, unknown> = {}): App {
  return new App({ ...props, context, postCliContext: { ...projectContext(), [ALLOW_DESTROY_CONTEXT]: true } });
}

/**
 * The test case: its stacks are destroyed with everything in them (the library retains data
 * by default and the examples do not ask for DESTROY), and no update workflow runs, so the
 * snapshot keeps no assets (the kubectl layer alone is about 60 MB).
 */
export function integTest(scope: Construct, id: string, testCases: Stack[]): IntegTest {
  for (const stack of testCases) RemovalPolicies.of(stack).destroy();
  // In a Stage app the assertion stack lives in the Stage: references cannot cross stages.
  return new IntegTest(scope, id, {
    testCases,
    stackUpdateWorkflow: false,
  });
}

/** Waits (and fails the deployment on timeout) until the call's response matches. */
export function eventually(call: IApiCall, expected: ExpectedResult): IApiCall {
  return call.expect(expected).waitForAssertions({ totalTimeout: ASSERTION_TIMEOUT, interval: ASSERTION_INTERVAL });
}
