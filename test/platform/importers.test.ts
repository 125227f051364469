/** Importers for other apps: invoke an endpoint, write to a stream, with the same least-privilege grants. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { FeatureGroup, SageMakerEndpoint, StreamingIngestion } from '../../lib';
import { endpointFixture, minimalProps } from '../inference/sagemaker-fixtures';
import { testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

const ENV = { account: '111122223333', region: 'eu-west-1' };

function statementsOf(stack: Stack, roleId: string): any[] {
  return Object.values<any>(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .filter((p) => p.Properties.Roles.some((r: any) => String(r.Ref).startsWith(roleId)))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

describe('SageMaker endpoints', () => {
  test('grantInvoke allows InvokeEndpoint on the endpoint only', () => {
    const { stack, models } = endpointFixture();
    const endpoint = new SageMakerEndpoint(stack, 'Endpoint', minimalProps(models));
    const client = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    endpoint.grantInvoke(client);
    expect(statementsOf(stack, 'Client')).toEqual([{ Action: 'sagemaker:InvokeEndpoint', Effect: 'Allow', Resource: { Ref: stack.getLogicalId(endpoint.endpoint) } }]);
    expect(stack.resolve(endpoint.endpointArn)).toEqual({ Ref: stack.getLogicalId(endpoint.endpoint) });
  });

  test('an endpoint of another app, by name: ARN in this account and region (lower case), grantInvoke', () => {
    const stack = new Stack(testApp(), 'Client', { env: ENV });
    const endpoint = SageMakerEndpoint.fromEndpointName(stack, 'Llm', 'Llama-3-8B-Prod');
    expect(stack.resolve(endpoint.endpointArn)).toBe('arn:aws:sagemaker:eu-west-1:111122223333:endpoint/llama-3-8b-prod');
    const fn = new iam.Role(stack, 'Fn', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    endpoint.grantInvoke(fn);
    expect(statementsOf(stack, 'Fn')[0].Action).toBe('sagemaker:InvokeEndpoint');
  });

  test('an endpoint name SageMaker rejects fails with the prop', () => {
    expect(() => SageMakerEndpoint.fromEndpointName(new Stack(testApp(), 'S'), 'Bad', 'llama_3')).toThrow(/endpointName = "llama_3" is invalid: endpointName must be 1-63 letters, digits and hyphens/);
  });
});

describe('streams of another app', () => {
  const STREAM = 'arn:aws:kinesis:eu-west-1:111122223333:stream/events';
  const KEY = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';

  test('fromStreamAttributes: producers get PutRecord(s) on the stream and a data key through Kinesis only', () => {
    const stack = new Stack(testApp(), 'Producers', { env: ENV });
    const ingestion = StreamingIngestion.fromStreamAttributes(stack, 'Events', { streamArn: STREAM, encryptionKeyArn: KEY });
    const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    ingestion.grantWrite(producer);
    expect(statementsOf(stack, 'Producer')).toEqual([
      { Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'], Effect: 'Allow', Resource: STREAM },
      { Action: 'kms:GenerateDataKey', Effect: 'Allow', Resource: KEY, Condition: { StringEquals: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } } },
    ]);
  });

  test.each([
    ['streamArn', { streamArn: 'events', encryptionKeyArn: KEY }, /streamArn = "events" is not a kinesis ARN/],
    ['encryptionKeyArn', { streamArn: STREAM, encryptionKeyArn: 'alias/events' }, /encryptionKeyArn = "alias\/events" is not a kms ARN/],
  ])('a malformed %s fails with an example', (_prop, attrs, expected) => {
    expect(() => StreamingIngestion.fromStreamAttributes(new Stack(testApp(), 'S'), 'E', attrs)).toThrow(expected);
  });
});

describe('feature groups of another app', () => {
  test('fromFeatureGroupName: record grants on the group\'s ARN (name lower-cased, as SageMaker writes it)', () => {
    const stack = new Stack(testApp(), 'Consumers', { env: ENV });
    const group = FeatureGroup.fromFeatureGroupName(stack, 'Customers', 'Customer-Features');
    expect(group.featureGroupArn).toBe('arn:aws:sagemaker:eu-west-1:111122223333:feature-group/customer-features');
    const reader = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    group.grantReadRecords(reader);
    group.grantWriteRecords(reader);
    expect(statementsOf(stack, 'Reader')).toEqual([{
      Action: ['sagemaker:BatchGetRecord', 'sagemaker:DeleteRecord', 'sagemaker:GetRecord', 'sagemaker:PutRecord'], Effect: 'Allow',
      Resource: 'arn:aws:sagemaker:eu-west-1:111122223333:feature-group/customer-features',
    }]);
  });

  test('a name SageMaker rejects fails with the prop', () => {
    expect(() => FeatureGroup.fromFeatureGroupName(new Stack(testApp(), 'S'), 'Bad', 'customer_features')).toThrow(/featureGroupName = "customer_features" is invalid/);
  });
});
