/**
 * CloudWatch alarms publish to a KMS-encrypted SNS topic only when the topic's key lets the
 * `cloudwatch.amazonaws.com` principal use it (SNS developer guide, "Enable compatibility
 * between event sources from AWS services and encrypted topics"): kms:GenerateDataKey* and
 * kms:Decrypt, scoped by aws:SourceAccount and aws:SourceArn against confused deputies.
 * Without it every notification fails at KMS and the alarm only shows a failed action.
 */
import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { warn } from '../private/validation';

/** Key actions CloudWatch alarms need to publish to a topic the key encrypts. */
export const CLOUDWATCH_ALARM_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey*'];
/** Statement id of the key policy statement for CloudWatch alarms. */
export const CLOUDWATCH_ALARM_KEY_SID = 'AllowCloudWatchAlarms';

/** Key policies for alarm topics. */
export class AlarmTopicKey {
  /**
   * Lets CloudWatch alarms of the key's account and region publish to topics the key
   * encrypts. Returns false when the key's policy cannot be changed here (an imported key):
   * then add the statement to the key policy yourself.
   */
  public static allowCloudWatchAlarms(key: kms.IKey): boolean {
    const stack = Stack.of(key);
    return key.addToResourcePolicy(new iam.PolicyStatement({
      sid: CLOUDWATCH_ALARM_KEY_SID,
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: CLOUDWATCH_ALARM_KEY_ACTIONS,
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
      },
    })).statementAdded;
  }

  private constructor() {}
}

/**
 * Makes an alarm topic someone passed usable by CloudWatch: its key (when the topic carries
 * one) gets the statement; an imported key gets a warning with a stable id instead, as the
 * library cannot change its policy.
 */
export function ensureAlarmTopicUsable(scope: IConstruct, prop: string, topic: sns.ITopic): void {
  const key = topic.masterKey;
  if (!key || AlarmTopicKey.allowCloudWatchAlarms(key)) return;
  warn(scope, 'alarmTopicKeyPolicy', `${prop}: the key ${key.keyArn} of topic ${topic.topicArn} is imported, so its policy cannot be changed here. `
    + `Allow cloudwatch.amazonaws.com ${CLOUDWATCH_ALARM_KEY_ACTIONS.join(' and ')} on it (aws:SourceAccount = this account, aws:SourceArn = arn:...:cloudwatch:<region>:<account>:alarm:*), or alarm notifications to the topic fail.`);
}
