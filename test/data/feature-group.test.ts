import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { errorOf, stackFixture } from './fixtures';
import { DataLake, FeatureGroup, FeatureGroupProps, FeatureType } from '../../lib/data';
import { expectNagClean } from '../harness/nag';
import { cleanTemplate } from '../harness/synth';

const FEATURES = [
  { name: 'customer_id', type: FeatureType.STRING },
  { name: 'event_time', type: FeatureType.FRACTIONAL },
  { name: 'orders_30d', type: FeatureType.INTEGRAL },
];

function setup(props: Partial<FeatureGroupProps> = {}) {
  const { app, stack } = stackFixture();
  const lake = new DataLake(stack, 'Lake');
  const build = () => new FeatureGroup(stack, 'Customers', {
    featureGroupName: 'customer-features', recordIdentifierFeatureName: 'customer_id', eventTimeFeatureName: 'event_time',
    features: FEATURES, offlineStoreZone: lake.zone('features'), ...props,
  });
  return { app, stack, lake, build };
}

describe('FeatureGroup', () => {
  test('offline store in the features zone with the lake key, Glue table in the zone database, no online store, retained', () => {
    const { stack, lake, build } = setup();
    const group = build();
    const t = cleanTemplate(stack);
    t.hasResource('AWS::SageMaker::FeatureGroup', {
      Properties: {
        FeatureGroupName: 'customer-features',
        RecordIdentifierFeatureName: 'customer_id',
        EventTimeFeatureName: 'event_time',
        FeatureDefinitions: [
          { FeatureName: 'customer_id', FeatureType: 'String' },
          { FeatureName: 'event_time', FeatureType: 'Fractional' },
          { FeatureName: 'orders_30d', FeatureType: 'Integral' },
        ],
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^CustomersRole'), 'Arn'] },
        OfflineStoreConfig: {
          S3StorageConfig: {
            S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: 'LakeZonefeaturesBucketE57BF085' }, '/feature-store']] },
            KmsKeyId: { 'Fn::GetAtt': ['LakeKey7B6C155C', 'Arn'] },
          },
          DisableGlueTableCreation: false,
          DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: lake.zone('features').databaseName, TableName: 'customer_features' },
        },
        OnlineStoreConfig: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
    expect(stack.resolve(group.featureGroupArn)).toBe('arn:aws:sagemaker:eu-west-1:111122223333:feature-group/customer-features');
  });

  test('the role is least privilege: zone prefix, key through S3, its Glue table, no managed policies', () => {
    const { stack, lake, build } = setup();
    build();
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'sagemaker.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const db = lake.zone('features').databaseName;
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^CustomersRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: Match.arrayWith(['s3:PutObject']), Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LakeZonefeaturesBucketE57BF085', 'Arn'] }, '/feature-store/*']] } }),
          Match.objectLike({ Action: Match.arrayWith(['s3:GetBucketAcl']), Resource: { 'Fn::GetAtt': ['LakeZonefeaturesBucketE57BF085', 'Arn'] } }),
          Match.objectLike({
            Action: ['glue:GetTable', 'glue:UpdateTable'],
            Resource: [
              'arn:aws:glue:eu-west-1:111122223333:catalog',
              `arn:aws:glue:eu-west-1:111122223333:database/${db}`,
              `arn:aws:glue:eu-west-1:111122223333:table/${db}/customer_features`,
            ],
          }),
        ]),
      },
    });
    const statements = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p) => (p as { Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[] }> } } }).Properties.PolicyDocument.Statement);
    expect(statements.flatMap((s) => ([] as string[]).concat(s.Action)).filter((a) => a.includes('*'))).toEqual([]);
  });

  test('online store encrypted with the lake key; record grants', () => {
    const { stack, build } = setup({ onlineStore: true, offlineStorePrefix: 'fs/customers' });
    const group = build();
    const app = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    group.grantReadRecords(app);
    group.grantWriteRecords(app);
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::SageMaker::FeatureGroup', {
      OnlineStoreConfig: { EnableOnlineStore: true, SecurityConfig: { KmsKeyId: { 'Fn::GetAtt': ['LakeKey7B6C155C', 'Arn'] } } },
      OfflineStoreConfig: Match.objectLike({ S3StorageConfig: Match.objectLike({ S3Uri: { 'Fn::Join': ['', ['s3://', { Ref: 'LakeZonefeaturesBucketE57BF085' }, '/fs/customers']] } }) }),
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^App') }],
      PolicyDocument: { Statement: [{
        Effect: 'Allow',
        Action: ['sagemaker:BatchGetRecord', 'sagemaker:DeleteRecord', 'sagemaker:GetRecord', 'sagemaker:PutRecord'],
        Resource: 'arn:aws:sagemaker:eu-west-1:111122223333:feature-group/customer-features',
      }] },
    });
  });

  test('removal follows the shared DESTROY opt-in', () => {
    const { stack, build } = setup({ removalPolicy: RemovalPolicy.DESTROY });
    build();
    Template.fromStack(stack).hasResource('AWS::SageMaker::FeatureGroup', { DeletionPolicy: 'Retain' });
  });

  test('is cdk-nag clean', () => {
    const { app, build } = setup({ onlineStore: true });
    build();
    expect(() => expectNagClean(app)).not.toThrow();
  });

  test.each<[string, Partial<FeatureGroupProps>, RegExp]>([
    ['bad group name', { featureGroupName: 'customer_features' }, /featureGroupName = "customer_features" is invalid/],
    ['unknown record id', { recordIdentifierFeatureName: 'id' }, /recordIdentifierFeatureName = "id" is not one of the features\. Use one of customer_id, event_time, orders_30d/],
    ['unknown event time', { eventTimeFeatureName: 'ts' }, /eventTimeFeatureName = "ts" is not one of the features/],
    ['integral event time', { eventTimeFeatureName: 'orders_30d' }, /eventTimeFeatureName = "orders_30d" names an INTEGRAL feature/],
    ['no features', { features: [] }, /features = \[\] is empty/],
    ['reserved name', { features: [...FEATURES, { name: 'write_time', type: FeatureType.STRING }] }, /features\[3\]\.name = "write_time" is reserved/],
    ['duplicate feature', { features: [...FEATURES, { name: 'Customer_ID', type: FeatureType.STRING }] }, /features = .* contains "customer_id" twice/],
    ['bad type', { features: [...FEATURES, { name: 'x', type: 'Double' as FeatureType }] }, /features\[3\]\.type = "Double" is not a FeatureType/],
    ['bad prefix', { offlineStorePrefix: '/fs' }, /offlineStorePrefix = "\/fs" is invalid/],
  ])('rejects %s', (_, props, message) => {
    const error = errorOf(setup(props).build);
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(message);
  });
});
