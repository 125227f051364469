/** Builders shared by the data tests. */
import * as fs from 'fs';
import * as path from 'path';
import { App, AppProps, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopicKey } from '../../lib/monitoring/alarm-topic-key';
import { testApp } from '../harness/synth';

/** An app (project feature flags, validation on) with one stack `S` in a fixed environment. */
export function stackFixture(props: AppProps = {}): { app: App; stack: Stack } {
  const app = testApp(props);
  const stack = new Stack(app, 'S', { env: { account: '111122223333', region: 'eu-west-1' } });
  return { app, stack };
}

/** An SNS topic that passes cdk-nag (KMS, TLS only). */
export function encryptedTopic(stack: Stack, id = 'Alerts'): sns.Topic {
  const masterKey = new kms.Key(stack, `${id}Key`, { enableKeyRotation: true });
  AlarmTopicKey.allowCloudWatchAlarms(masterKey);
  return new sns.Topic(stack, id, { masterKey, enforceSSL: true });
}

export { errorOf } from '../harness/thrown';

/** A self-signed test CA certificate in PEM form (public test data, not a secret; the file the examples use). */
export const TEST_CA_PEM = fs.readFileSync(path.join(__dirname, '..', 'examples', 'test-ca.pem'), 'utf8');
