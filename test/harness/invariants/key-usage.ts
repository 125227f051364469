/**
 * A customer-managed key must admit every principal that has to use it, or the resource it
 * protects silently stops working: CloudWatch cannot publish alarms to a topic whose key it may
 * not use, a role that may read an object but not decrypt it gets AccessDenied, a log group
 * whose key CloudWatch Logs may not use cannot be created.
 */
import { AssemblyModel, ModelResource, ResourceRef } from './assembly-model';
import { allowsAction, IamModel } from './iam-model';
import { Invariant } from './invariant';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A resource type encrypted with a key, and which of its actions need which key action. */
interface EncryptedResourceKind {
  readonly type: string;
  keyOf(properties: any): unknown;
  readonly uses: ReadonlyArray<{ readonly action: string; readonly keyAction: string }>;
}

/** Key actions AWS documents for each use (S3 SSE-KMS, Kinesis SSE, SNS SSE, AMP CMK workspaces). */
export const ENCRYPTED_RESOURCE_KINDS: readonly EncryptedResourceKind[] = [
  {
    type: 'AWS::S3::Bucket',
    keyOf: (p) => (p?.BucketEncryption?.ServerSideEncryptionConfiguration ?? [])
      .map((c: any) => c.ServerSideEncryptionByDefault)
      .find((d: any) => String(d?.SSEAlgorithm ?? '').startsWith('aws:kms'))?.KMSMasterKeyID,
    uses: [{ action: 's3:GetObject', keyAction: 'kms:Decrypt' }, { action: 's3:PutObject', keyAction: 'kms:GenerateDataKey' }],
  },
  {
    type: 'AWS::Kinesis::Stream',
    keyOf: (p) => (p?.StreamEncryption?.EncryptionType === 'KMS' ? p.StreamEncryption.KeyId : undefined),
    uses: [{ action: 'kinesis:GetRecords', keyAction: 'kms:Decrypt' }, { action: 'kinesis:PutRecord', keyAction: 'kms:GenerateDataKey' }],
  },
  {
    type: 'AWS::SNS::Topic',
    keyOf: (p) => p?.KmsMasterKeyId,
    uses: [{ action: 'sns:Publish', keyAction: 'kms:GenerateDataKey' }, { action: 'sns:Publish', keyAction: 'kms:Decrypt' }],
  },
  {
    type: 'AWS::APS::Workspace',
    keyOf: (p) => p?.KmsKeyArn,
    uses: [{ action: 'aps:QueryMetrics', keyAction: 'kms:Decrypt' }, { action: 'aps:RemoteWrite', keyAction: 'kms:GenerateDataKey' }],
  },
];

const ALARM_TYPES = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'];
const CLOUDWATCH_PRINCIPAL = /"cloudwatch\.amazonaws\.com"/;
const LOGS_PRINCIPAL = /logs\./;

function keyResource(model: AssemblyModel, stack: string, keyValue: unknown): ModelResource | undefined {
  const ref = model.references(stack, keyValue).find((r) => model.resource(r)?.Type === 'AWS::KMS::Key');
  return ref ? { ...ref, resource: model.resource(ref)! } : undefined;
}

function alarmTopicViolations(model: AssemblyModel, iam: IamModel): string[] {
  const violations: string[] = [];
  for (const alarm of ALARM_TYPES.flatMap((t) => model.resources(t))) {
    const { AlarmActions, OKActions, InsufficientDataActions } = alarm.resource.Properties ?? {};
    for (const topic of model.references(alarm.stack, [AlarmActions, OKActions, InsufficientDataActions])) {
      const topicResource = model.resource(topic);
      if (topicResource?.Type !== 'AWS::SNS::Topic') continue;
      const keyValue = topicResource.Properties?.KmsMasterKeyId;
      if (keyValue === undefined) continue;
      const awsManaged = JSON.stringify(keyValue).match(/alias\/aws\/[a-z0-9-]+/);
      if (awsManaged) {
        violations.push(`alarm ${model.describe(alarm)} notifies topic ${model.describe(topic)}, encrypted with the AWS managed key ${awsManaged[0]}, whose policy CloudWatch may never use: notifications are dropped. Use a customer managed key that allows cloudwatch.amazonaws.com.`);
        continue;
      }
      const key = keyResource(model, topic.stack, keyValue);
      if (!key) continue;
      const missing = ['kms:Decrypt', 'kms:GenerateDataKey'].filter((a) => !iam.serviceMayUseKey(key, CLOUDWATCH_PRINCIPAL, a));
      if (missing.length > 0) {
        violations.push(`alarm ${model.describe(alarm)} notifies topic ${model.describe(topic)}, but the policy of its key ${model.describe(key)} does not let cloudwatch.amazonaws.com ${missing.join(' and ')}: notifications are dropped.`);
      }
    }
  }
  return violations;
}

function logGroupViolations(model: AssemblyModel, iam: IamModel): string[] {
  return model.resources('AWS::Logs::LogGroup').flatMap((group) => {
    const key = keyResource(model, group.stack, group.resource.Properties?.KmsKeyId);
    if (!key) return [];
    const missing = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'].filter((a) => !iam.serviceMayUseKey(key, LOGS_PRINCIPAL, a));
    return missing.length === 0 ? [] : [`log group ${model.describe(group)} is encrypted with ${model.describe(key)}, whose policy does not let CloudWatch Logs ${missing.join(', ')}: the log group cannot be created.`];
  });
}

/** Roles that may act on an encrypted resource must also be able to use its key. */
function resourceUserViolations(model: AssemblyModel, iam: IamModel): string[] {
  const violations: string[] = [];
  const encrypted: Array<{ resource: ResourceRef; kind: EncryptedResourceKind; key: ModelResource }> = [];
  for (const kind of ENCRYPTED_RESOURCE_KINDS) {
    for (const resource of model.resources(kind.type)) {
      const key = keyResource(model, resource.stack, kind.keyOf(resource.resource.Properties));
      if (key) encrypted.push({ resource, kind, key });
    }
  }
  for (const { role, statements } of iam.roles()) {
    for (const { resource, kind, key } of encrypted) {
      for (const use of kind.uses) {
        const grants = statements.some((s) => allowsAction(s.statement.Action, use.action) && !(s.statement.Resource === '*') && iam.coversResource(s, resource));
        if (!grants || iam.roleMayUseKey(role, key, use.keyAction)) continue;
        violations.push(`role ${model.describe(role)} may ${use.action} on ${model.describe(resource)}, encrypted with ${model.describe(key)}, but may not ${use.keyAction} with that key: the call fails with AccessDenied.`);
      }
    }
  }
  return violations;
}

export const keysAdmitTheirUsers: Invariant = {
  id: 'keys-admit-their-users',
  description: 'every customer-managed key admits every principal that must use it (alarm topics, log groups, readers and writers)',
  check(model: AssemblyModel): string[] {
    const iam = new IamModel(model);
    return [...alarmTopicViolations(model, iam), ...logGroupViolations(model, iam), ...resourceUserViolations(model, iam)];
  },
};
