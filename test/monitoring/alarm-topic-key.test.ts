/**
 * Every topic an alarm of the library notifies must be usable by CloudWatch: a KMS-encrypted
 * topic only receives alarm notifications when its key policy admits cloudwatch.amazonaws.com.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { FakeSageMakerEndpoint } from './fixtures';
import { DataLake } from '../../lib/data/data-lake';
import { StreamingIngestion } from '../../lib/data/streaming-ingestion';
import { AlarmTopicKey } from '../../lib/monitoring/alarm-topic-key';
import { PlatformMonitoring } from '../../lib/monitoring/platform-monitoring';
import { buildSageMakerEndpointExample } from '../../examples/sagemaker-endpoint/app';
import { buildStreamingFeaturesExample } from '../../examples/streaming-features/app';
import { cleanTemplate, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

const ENV = { account: '111122223333', region: 'eu-west-1' };

/** The documented statement (SNS "Enable compatibility between event sources ... and encrypted topics"), with confused-deputy conditions. */
const CLOUDWATCH_STATEMENT = {
  Sid: 'AllowCloudWatchAlarms',
  Effect: 'Allow',
  Principal: { Service: 'cloudwatch.amazonaws.com' },
  Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
  Resource: '*',
  Condition: {
    StringEquals: { 'aws:SourceAccount': '111122223333' },
    ArnLike: { 'aws:SourceArn': 'arn:aws:cloudwatch:eu-west-1:111122223333:alarm:*' },
  },
};

function keyPolicy(template: Template, stack: Stack, key: kms.IKey): any[] {
  return template.toJSON().Resources[stack.getLogicalId((key as kms.Key).node.defaultChild as kms.CfnKey)].Properties.KeyPolicy.Statement;
}

function monitoredEndpoint(stack: Stack, monitoring: PlatformMonitoring): void {
  monitoring.monitor(new FakeSageMakerEndpoint(stack, 'Endpoint'));
}

test('AlarmTopicKey.allowCloudWatchAlarms admits CloudWatch alarms of the key\'s account and region only', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  expect(AlarmTopicKey.allowCloudWatchAlarms(key)).toBe(true);
  expect(keyPolicy(Template.fromStack(stack), stack, key)).toContainEqual(CLOUDWATCH_STATEMENT);
  expect(AlarmTopicKey.allowCloudWatchAlarms(kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111122223333:key/abcd'))).toBe(false);
});

test('PlatformMonitoring\'s own topic key admits CloudWatch alarms (scoped) and the alarms notify that topic', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const monitoring = new PlatformMonitoring(stack, 'Monitoring');
  monitoredEndpoint(stack, monitoring);
  const template = cleanTemplate(stack);
  expect(keyPolicy(template, stack, monitoring.alarmTopicKey!)).toContainEqual(CLOUDWATCH_STATEMENT);
  const topic = { Ref: stack.getLogicalId(monitoring.alarmTopic.node.defaultChild as sns.CfnTopic) };
  for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm'))) {
    expect((alarm as any).Properties.AlarmActions).toEqual([topic]);
  }
});

test('a topic you give PlatformMonitoring with a key of your app: the key gets the CloudWatch statement', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const key = new kms.Key(stack, 'PagerKey', { enableKeyRotation: true });
  const topic = new sns.Topic(stack, 'Pager', { masterKey: key, enforceSSL: true });
  monitoredEndpoint(stack, new PlatformMonitoring(stack, 'Monitoring', { alarmTopic: topic }));
  expect(keyPolicy(cleanTemplate(stack), stack, key)).toContainEqual(CLOUDWATCH_STATEMENT);
});

test('a topic with an imported key: a warning with a stable id says what to add to the key policy', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const topic = sns.Topic.fromTopicAttributes(stack, 'Pager', {
    topicArn: 'arn:aws:sns:eu-west-1:111122223333:pager',
    keyArn: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  });
  new PlatformMonitoring(stack, 'Monitoring', { alarmTopic: topic });
  Annotations.fromStack(stack).hasWarning('/S/Monitoring', Match.stringLikeRegexp(
    'alarmTopic: the key arn:aws:kms:eu-west-1:111122223333:key/1234abcd.* is imported.*Allow cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey\\*.*\\[ack: cdk-scalable-ai:alarmTopicKeyPolicy\\]'));
});

test('StreamingIngestion\'s alarmTopic: its key gets the CloudWatch statement and the alarms notify it', () => {
  const stack = new Stack(testApp(), 'S', { env: ENV });
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }] });
  const key = new kms.Key(stack, 'OpsKey', { enableKeyRotation: true });
  const topic = new sns.Topic(stack, 'Ops', { masterKey: key, enforceSSL: true });
  const ingestion = new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('raw'), alarmTopic: topic });
  const template = cleanTemplate(stack);
  expect(keyPolicy(template, stack, key)).toContainEqual(CLOUDWATCH_STATEMENT);
  for (const alarm of ingestion.alarms) {
    const props = template.toJSON().Resources[stack.getLogicalId(alarm.node.defaultChild as cloudwatch.CfnAlarm)].Properties;
    expect(props.AlarmActions).toEqual([{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }]);
  }
});

test('the SageMaker example\'s encrypted alerts topic can receive its rollback alarms', () => {
  const stack = buildSageMakerEndpointExample(testApp());
  const template = cleanTemplate(stack);
  const [[topicId, topic]] = Object.entries(template.findResources('AWS::SNS::Topic')) as [string, any][];
  const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
  expect(template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement).toContainEqual(CLOUDWATCH_STATEMENT);
  const notifying = Object.values(template.findResources('AWS::CloudWatch::Alarm'))
    .filter((a: any) => JSON.stringify(a.Properties.AlarmActions ?? []) === JSON.stringify([{ Ref: topicId }]));
  expect(notifying).toHaveLength(2);
});

test('the streaming features example: every alarm notifies its encrypted topic, whose key CloudWatch may use', () => {
  const ca = fs.readFileSync(path.join(__dirname, '..', 'examples', 'test-ca.pem'), 'utf8');
  const stack = buildStreamingFeaturesExample(testApp({ context: { onPremisesCaBundle: ca } }));
  const template = cleanTemplate(stack);
  const [[topicId, topic]] = Object.entries(template.findResources('AWS::SNS::Topic')) as [string, any][];
  const keyId = topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
  expect(template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement).toContainEqual({
    ...CLOUDWATCH_STATEMENT,
    Condition: {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
    },
  });
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
  expect(alarms).toHaveLength(3);
  for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
});
