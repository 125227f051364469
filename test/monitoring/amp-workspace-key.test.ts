/**
 * The inference Prometheus workspace is encrypted with a customer managed key: everything that
 * writes into it or reads from it must be able to use the key, through AMP only.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { GpuCluster } from '../../lib/compute/gpu-cluster';
import { InferenceAutoscaling } from '../../lib/inference/inference-autoscaling';
import { cleanTemplate, testApp } from '../harness/synth';
import { expectNagClean } from '../harness/nag';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

const ENV = { account: '111122223333', region: 'eu-west-1' };
const VIA_APS = { 'kms:ViaService': 'aps.eu-west-1.amazonaws.com' };

function build(encryptionKey?: (stack: Stack) => kms.IKey) {
  const app = testApp();
  const stack = new Stack(app, 'Compute', { env: ENV });
  const cluster = new GpuCluster(stack, 'Gpu');
  const autoscaling = cluster.addInferenceAutoscaling({ encryptionKey: encryptionKey?.(stack) });
  return { app, stack, autoscaling };
}

function id(stack: Stack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as any);
}

/** Statements of the inline policies attached to the role. */
function policyStatements(template: Template, roleId: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('InferenceAutoscaling with its customer managed workspace key', () => {
  let stack: Stack;
  let autoscaling: InferenceAutoscaling;
  let template: Template;
  let keyArn: unknown;
  let workspaceArn: unknown;
  let sourceId: string;
  let targetId: string;

  beforeAll(() => {
    ({ stack, autoscaling } = build());
    template = cleanTemplate(stack);
    keyArn = { 'Fn::GetAtt': [id(stack, autoscaling.encryptionKey as kms.Key), 'Arn'] };
    workspaceArn = { 'Fn::GetAtt': [stack.getLogicalId(autoscaling.workspace), 'Arn'] };
    sourceId = id(stack, autoscaling.collectorSourceRole);
    targetId = id(stack, autoscaling.collectorTargetRole);
  });

  test('the workspace uses the key and the scraper writes with a same-account role configuration', () => {
    template.hasResourceProperties('AWS::APS::Workspace', { KmsKeyArn: keyArn });
    template.hasResourceProperties('AWS::APS::Scraper', {
      RoleConfiguration: { SourceRoleArn: { 'Fn::GetAtt': [sourceId, 'Arn'] }, TargetRoleArn: { 'Fn::GetAtt': [targetId, 'Arn'] } },
    });
  });

  test('the source role is assumable only by scrapers of this account and region, and may only assume the target role', () => {
    const trust = template.toJSON().Resources[sourceId].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'scraper.aps.amazonaws.com' },
      Condition: {
        StringEquals: { 'aws:SourceAccount': '111122223333' },
        ArnLike: { 'aws:SourceArn': 'arn:aws:aps:eu-west-1:111122223333:scraper/*' },
      },
    }]);
    expect(policyStatements(template, sourceId)).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [targetId, 'Arn'] } },
    ]);
  });

  test('the target role trusts the source role for scrapers of this account, writes into this workspace and uses its key through AMP', () => {
    const trust = template.toJSON().Resources[targetId].Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { AWS: { 'Fn::GetAtt': [sourceId, 'Arn'] } },
      Condition: { StringLike: { 'sts:ExternalId': 'arn:aws:aps:eu-west-1:111122223333:scraper/*' } },
    }]);
    expect(policyStatements(template, targetId)).toEqual([
      { Action: 'aps:RemoteWrite', Effect: 'Allow', Resource: workspaceArn },
      { Action: 'kms:DescribeKey', Effect: 'Allow', Resource: keyArn, Condition: { StringEquals: VIA_APS } },
      {
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow', Resource: keyArn,
        Condition: { StringEquals: { ...VIA_APS, 'kms:EncryptionContext:aws:aps:arn': workspaceArn } },
      },
    ]);
  });

  test('the scraper is created after both roles and their policies', () => {
    const dependsOn: string[] = Object.values(template.findResources('AWS::APS::Scraper'))[0].DependsOn;
    const policies = Object.entries(template.findResources('AWS::IAM::Policy'))
      .filter(([, p]: any) => p.Properties.Roles.some((r: any) => [sourceId, targetId].includes(r.Ref)))
      .map(([logicalId]) => logicalId);
    expect(policies).toHaveLength(2);
    expect(dependsOn).toEqual(expect.arrayContaining([sourceId, targetId, ...policies]));
  });

  test('the KEDA operator may decrypt query results of this workspace through AMP, and starts after its rights exist', () => {
    const kedaId = id(stack, autoscaling.kedaRole);
    expect(policyStatements(template, kedaId)).toEqual(expect.arrayContaining([
      {
        Action: 'kms:Decrypt', Effect: 'Allow', Resource: keyArn,
        Condition: { StringEquals: { ...VIA_APS, 'kms:EncryptionContext:aws:aps:arn': workspaceArn } },
      },
    ]));
    const kedaPolicy = Object.entries(template.findResources('AWS::IAM::Policy'))
      .find(([, p]: any) => p.Properties.Roles.some((r: any) => r.Ref === kedaId))![0];
    const chart = template.toJSON().Resources[id(stack, autoscaling.keda)];
    expect(chart.DependsOn).toEqual(expect.arrayContaining([kedaPolicy]));
  });

  test('no role may use the key outside AMP', () => {
    const keyStatements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Resource) === JSON.stringify(keyArn));
    expect(keyStatements.length).toBeGreaterThanOrEqual(4);
    for (const s of keyStatements) expect(s.Condition.StringEquals['kms:ViaService']).toBe('aps.eu-west-1.amazonaws.com');
  });

  test('is cdk-nag AwsSolutions clean', () => {
    expectNagClean(build().app);
  });
});

test('a key you bring is the workspace key and the one the collector and KEDA are granted', () => {
  const { stack, autoscaling } = build((s) => new kms.Key(s, 'MyKey', { enableKeyRotation: true }));
  const template = cleanTemplate(stack);
  const myKey = { 'Fn::GetAtt': [stack.getLogicalId(stack.node.findChild('MyKey').node.defaultChild as any), 'Arn'] };
  template.hasResourceProperties('AWS::APS::Workspace', { KmsKeyArn: myKey });
  expect(autoscaling.node.tryFindChild('Key')).toBeUndefined();
  const onKey = Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => JSON.stringify(s.Resource) === JSON.stringify(myKey));
  expect(onKey.length).toBeGreaterThanOrEqual(4);
});
