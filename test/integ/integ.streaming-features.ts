/**
 * Data + streaming (examples/streaming-features): a record put into the Kinesis stream lands
 * in the lake's raw zone through Firehose, under the stream's prefix and its event type.
 */
import { App, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { buildStreamingFeaturesExample } from '../../examples/streaming-features/app';
import { DataLake, StreamingIngestion } from '../../lib';
import { eventually, integApp, integTest, TEST_CA_BUNDLE } from './integ-app';

/** The zone the example streams into. */
const DESTINATION_ZONE = 'raw';

function find<T>(stack: Stack, type: abstract new (...args: never[]) => T): T {
  const found = stack.node.findAll().find((c) => c instanceof type) as T | undefined;
  if (!found) throw new Error(`no ${type.name} in ${stack.node.path}`);
  return found;
}

export function buildStreamingFeaturesInteg(app: App): IntegTest {
  const stack = buildStreamingFeaturesExample(app);
  const integ = integTest(app, 'StreamingFeaturesInteg', [stack]);
  const clicks = find(stack, StreamingIngestion);
  const bucket = find(stack, DataLake).zone(DESTINATION_ZONE).bucket;
  // The literal part of the Firehose prefix, before its first partition expression.
  const prefix = clicks.dataOutputPrefix.split('!{')[0];

  const put = integ.assertions.awsApiCall('Kinesis', 'putRecord', {
    StreamName: clicks.stream.streamName,
    PartitionKey: 'integ-customer',
    Data: JSON.stringify({ event_type: 'integ_click', customer_id: 'integ-customer', event_time: '2026-01-01T00:00:00Z' }),
  });
  // The stream is encrypted with its own key; listing needs s3:ListBucket (not ListObjectsV2).
  put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kinesis:PutRecord'], Resource: [clicks.stream.streamArn] });
  put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [clicks.encryptionKey.keyArn] });
  const landed = integ.assertions.awsApiCall('S3', 'listObjectsV2', { Bucket: bucket.bucketName, Prefix: prefix });
  landed.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [bucket.bucketArn] });
  put.next(eventually(landed,
    ExpectedResult.objectLike({ Contents: Match.arrayWith([Match.objectLike({ Key: Match.stringLikeRegexp('event_type=integ_click') })]) })));
  return integ;
}

if (require.main === module) {
  const app = integApp({}, { onPremisesCaBundle: TEST_CA_BUNDLE });
  buildStreamingFeaturesInteg(app);
  app.synth();
}
