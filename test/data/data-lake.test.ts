import { CfnParameter, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { errorOf, stackFixture } from './fixtures';
import { DataLake, S3StorageType, ZoneStorageClass } from '../../lib/data'
import { expectNagClean } from '../harness/nag';
import { cleanTemplate } from '../harness/synth';
import { DEFAULT_ACCESS_LOGS_RETENTION } from '../../lib/data/data-lake';
import { DEFAULT_ZONE_NAMES } from '../../lib/data/lifecycle';
import { LIST_PREFIXES_PER_STATEMENT } from '../../lib/data/zone';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

/** One clean synthesis of the default lake, shared by the default-behaviour tests. */
const fixture = stackFixture();
const lake = new DataLake(fixture.stack, 'Lake');
const reader = new iam.Role(fixture.stack, 'Reader', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
lake.zone('models').grantRead(reader, 'llama-3-8b');
const writer = new iam.Role(fixture.stack, 'Writer', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
lake.zone('raw').grantWrite(writer, '/events/');
const template = cleanTemplate(fixture.stack);

function zoneBucket(zone: string) {
  return Object.entries(template.findResources('AWS::S3::Bucket'))
    .find(([id]) => id.startsWith(`LakeZone${zone}Bucket`))![1] as { Properties: Record<string, unknown> };
}

describe('DataLake defaults', () => {
  test('creates the four default zones, one bucket and one Glue database each, plus a logs bucket', () => {
    expect(DEFAULT_ZONE_NAMES).toEqual(['raw', 'curated', 'features', 'models']);
    expect(lake.zoneNames).toEqual(['raw', 'curated', 'features', 'models']);
    template.resourceCountIs('AWS::S3::Bucket', 5);
    template.resourceCountIs('AWS::Glue::Database', 4);
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('pins the logical ids of the stateful resources (changing them replaces data)', () => {
    const ids = [
      ...Object.keys(template.findResources('AWS::S3::Bucket')),
      ...Object.keys(template.findResources('AWS::KMS::Key')),
      ...Object.keys(template.findResources('AWS::Glue::Database')),
    ].sort();
    expect(ids).toEqual([
      'LakeAccessLogs4431AB8D',
      'LakeKey7B6C155C',
      'LakeZonecuratedBucket51054459',
      'LakeZonecuratedDatabaseE40A810A',
      'LakeZonefeaturesBucketE57BF085',
      'LakeZonefeaturesDatabase9B67FEA8',
      'LakeZonemodelsBucketD74C59E0',
      'LakeZonemodelsDatabaseEF60656A',
      'LakeZonerawBucketD7F34696',
      'LakeZonerawDatabase7060E967',
    ]);
    expect(lake.zone('raw').bucket.node.path).toBe('S/Lake/Zone-raw/Bucket');
  });

  test('one customer-managed key with rotation, retained', () => {
    template.hasResource('AWS::KMS::Key', {
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test.each(['raw', 'curated', 'features', 'models'])('zone %s: SSE-KMS with the lake key and bucket keys, versioned, private, retained', (zone) => {
    template.hasResource('AWS::S3::Bucket', {
      Properties: Match.objectLike({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['LakeKey7B6C155C', 'Arn'] } },
          }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'LakeAccessLogs4431AB8D' }, LogFilePrefix: `${zone}/` },
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(zoneBucket(zone).Properties.LoggingConfiguration).toEqual({ DestinationBucketName: { Ref: 'LakeAccessLogs4431AB8D' }, LogFilePrefix: `${zone}/` });
  });

  test('every zone bucket denies non-TLS requests and TLS below 1.2', () => {
    for (const zone of DEFAULT_ZONE_NAMES) {
      const logicalId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith(`LakeZone${zone}Bucket`))!;
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
          ]),
        },
      });
    }
  });

  test('EventBridge notifications come without a Lambda-backed custom resource', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  test('the access logs bucket uses SSE-S3, never logs to itself, keeps logs 365 days and is retained', () => {
    expect(DEFAULT_ACCESS_LOGS_RETENTION.toDays()).toBe(365);
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        LifecycleConfiguration: {
          Rules: [{ Id: 'access-logs-retention', Status: 'Enabled', ExpirationInDays: 365, NoncurrentVersionExpiration: { NoncurrentDays: 30 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }],
        },
        LoggingConfiguration: Match.absent(),
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: 'LakeAccessLogs4431AB8D' },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow', Action: 's3:PutObject', Principal: { Service: 'logging.s3.amazonaws.com' },
          Condition: Match.objectLike({ ArnLike: { 'aws:SourceArn': { 'Fn::GetAtt': ['LakeZonerawBucketD7F34696', 'Arn'] } } }),
        })]),
      },
    });
  });

  test.each([
    ['raw', [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }, { StorageClass: 'GLACIER', TransitionInDays: 90 }], 30],
    ['curated', [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }, { StorageClass: 'GLACIER_IR', TransitionInDays: 180 }], 90],
    ['features', [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }], 30],
    ['models', [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }], 180],
  ])('zone %s lifecycle defaults', (zone, transitions, noncurrentDays) => {
    expect(zoneBucket(zone as string).Properties.LifecycleConfiguration).toEqual({
      Rules: [{
        Id: 'zone-tiering',
        Status: 'Enabled',
        Transitions: transitions,
        NoncurrentVersionExpiration: { NoncurrentDays: noncurrentDays },
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
      }],
    });
  });

  test('a Glue database per zone, located at the zone bucket, retained', () => {
    for (const zone of DEFAULT_ZONE_NAMES) {
      const bucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith(`LakeZone${zone}Bucket`))!;
      template.hasResource('AWS::Glue::Database', {
        Properties: {
          CatalogId: '111122223333',
          DatabaseInput: Match.objectLike({
            Name: Match.stringLikeRegexp(`^s_lake_[0-9a-f]{8}_${zone}$`),
            LocationUri: { 'Fn::Join': ['', ['s3://', { Ref: bucketId }]] },
          }),
        },
        DeletionPolicy: 'Retain',
      });
    }
    expect(lake.zone('features').databaseName).toMatch(/^s_lake_[0-9a-f]{8}_features$/);
  });

  test('grantRead scopes objects and listing to the prefix and decrypts only through S3', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Reader') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion'],
            Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LakeZonemodelsBucketD74C59E0', 'Arn'] }, '/llama-3-8b/*']] },
          },
          {
            Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': ['LakeZonemodelsBucketD74C59E0', 'Arn'] },
            Condition: { StringLike: { 's3:prefix': ['llama-3-8b/*'] } },
          },
          { Effect: 'Allow', Action: 's3:GetBucketLocation', Resource: { 'Fn::GetAtt': ['LakeZonemodelsBucketD74C59E0', 'Arn'] } },
          {
            Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['LakeKey7B6C155C', 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
          },
        ]),
      },
    });
  });

  test('prefixes read by one principal share ListBucket statements, 50 prefixes each; a token prefix stays alone', () => {
    const { stack } = stackFixture();
    const l = new DataLake(stack, 'Lake');
    const role = new iam.Role(stack, 'Many', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    for (let i = 0; i < LIST_PREFIXES_PER_STATEMENT + 1; i++) l.zone('models').grantRead(role, `model-${i}/v1`);
    l.zone('models').grantRead(role, 'model-0/v1'); // granted twice: named once
    l.zone('models').grantRead(role, new CfnParameter(stack, 'Prefix').valueAsString);
    const template = cleanTemplate(stack);
    const statements = ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy'].flatMap((type) => Object.values<any>(template.findResources(type)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    const lists = statements.filter((st: any) => st.Action === 's3:ListBucket').map((st: any) => st.Condition.StringLike['s3:prefix'])
      .sort((a: unknown[], b: unknown[]) => b.length - a.length);
    expect(lists).toEqual([
      Array.from({ length: LIST_PREFIXES_PER_STATEMENT }, (_, i) => `model-${i}/v1/*`),
      expect.arrayContaining([expect.anything()]),
      expect.arrayContaining([expect.anything()]),
    ]);
    expect(lists.slice(1)).toEqual(expect.arrayContaining([[`model-${LIST_PREFIXES_PER_STATEMENT}/v1/*`], [{ 'Fn::Join': ['', [{ Ref: 'Prefix' }, '/*']] }]]));
  });

  test('grantWrite normalizes the prefix, never grants wildcard actions, includes the key', () => {
    const policy = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Writer') }] } }))[0] as {
      Properties: { PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } };
    };
    const statements = policy.Properties.PolicyDocument.Statement;
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:DeleteObject', 's3:ListMultipartUploadParts', 's3:PutObject', 's3:PutObjectTagging'],
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['LakeZonerawBucketD7F34696', 'Arn'] }, '/events/*']] },
      },
      {
        Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: { 'Fn::GetAtt': ['LakeKey7B6C155C', 'Arn'] },
        Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
      },
    ]);
    const actions = statements.flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });

  test('zone storage metrics: AWS/S3 daily, BucketName + StorageType', () => {
    const stack = fixture.stack;
    const size = stack.resolve(lake.zone('raw').metricBucketSizeBytes().toMetricConfig().metricStat);
    expect(size).toMatchObject({
      namespace: 'AWS/S3', metricName: 'BucketSizeBytes', statistic: 'Average', period: Duration.days(1),
      dimensions: [{ name: 'BucketName', value: { Ref: 'LakeZonerawBucketD7F34696' } }, { name: 'StorageType', value: 'StandardStorage' }],
    });
    const ia = stack.resolve(lake.zone('raw').metricBucketSizeBytes({ storageType: S3StorageType.INFREQUENT_ACCESS }).toMetricConfig().metricStat);
    expect(ia.dimensions).toContainEqual({ name: 'StorageType', value: 'StandardIAStorage' });
    const objects = stack.resolve(lake.zone('raw').metricNumberOfObjects().toMetricConfig().metricStat);
    expect(objects).toMatchObject({
      namespace: 'AWS/S3', metricName: 'NumberOfObjects', period: Duration.days(1),
      dimensions: [{ name: 'BucketName', value: { Ref: 'LakeZonerawBucketD7F34696' } }, { name: 'StorageType', value: 'AllStorageTypes' }],
    });
  });

  test('zone() names the known zones when the zone does not exist', () => {
    const error = errorOf(() => lake.zone('gold'));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/zone = "gold" is not a zone of this data lake\. Use one of: raw, curated, features, models\./);
  });
});

describe('DataLake options', () => {
  test('custom zones with their own lifecycle, an imported key and a database prefix', () => {
    const { stack } = stackFixture();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555');
    new DataLake(stack, 'Lake', {
      encryptionKey: key,
      databaseNamePrefix: 'ml',
      accessLogsRetention: Duration.days(730),
      zones: [
        { name: 'bronze' },
        { name: 'silver-eu', lifecycle: { transitions: [{ storageClass: ZoneStorageClass.GLACIER_INSTANT_RETRIEVAL, after: Duration.days(0) }], expiration: Duration.days(400), noncurrentVersionExpiration: Duration.days(7) } },
      ],
    });
    const t = cleanTemplate(stack);
    t.resourceCountIs('AWS::KMS::Key', 0);
    t.resourceCountIs('AWS::S3::Bucket', 3);
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'ml_bronze' }) });
    t.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: Match.objectLike({ Name: 'ml_silver_eu' }) });
    // custom zone names take DEFAULT_CUSTOM_ZONE_LIFECYCLE
    t.hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'bronze/' }),
      LifecycleConfiguration: { Rules: [Match.objectLike({ Transitions: [{ StorageClass: 'INTELLIGENT_TIERING', TransitionInDays: 30 }], NoncurrentVersionExpiration: { NoncurrentDays: 90 } })] },
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: key.keyArn } })] },
    });
    t.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [{
          Id: 'zone-tiering', Status: 'Enabled', ExpirationInDays: 400,
          Transitions: [{ StorageClass: 'GLACIER_IR', TransitionInDays: 0 }],
          NoncurrentVersionExpiration: { NoncurrentDays: 7 }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        }],
      },
    });
    t.hasResourceProperties('AWS::S3::Bucket', { LifecycleConfiguration: { Rules: [Match.objectLike({ ExpirationInDays: 730 })] } });
  });

  test('fromAttributes imports zones another stack owns; grants still scope to the prefix', () => {
    const { stack } = stackFixture();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555');
    const imported = DataLake.fromAttributes(stack, 'Lake', {
      zones: { models: s3.Bucket.fromBucketName(stack, 'Models', 'acme-models') },
      encryptionKey: key,
      databaseNames: { models: 'acme_models' },
    });
    const role = new iam.Role(stack, 'Server', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    imported.zone('models').grantRead(role, 'llama');
    expect(imported.zoneNames).toEqual(['models']);
    expect(imported.zone('models').databaseName).toBe('acme_models');
    expect(imported.encryptionKey).toBe(key);
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['s3:GetObject', 's3:GetObjectTagging', 's3:GetObjectVersion'], Resource: 'arn:aws:s3:::acme-models/llama/*' }),
          Match.objectLike({ Action: 'kms:Decrypt', Resource: key.keyArn }),
        ]),
      },
    });
    expect(errorOf(() => imported.zone('raw')).message).toMatch(/Use one of: models\./);
  });

  test('fromAttributes rejects an empty zone map and bad zone names', () => {
    const { stack } = stackFixture();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:111122223333:key/11111111-2222-3333-4444-555555555555');
    expect(errorOf(() => DataLake.fromAttributes(stack, 'A', { zones: {}, encryptionKey: key })).message).toMatch(/zones = \{\} is empty/);
    const bucket = s3.Bucket.fromBucketName(stack, 'B', 'bkt');
    expect(errorOf(() => DataLake.fromAttributes(stack, 'C', { zones: { Raw: bucket }, encryptionKey: key })).message).toMatch(/zones = "Raw" is invalid/);
  });

  test('grant prefixes with wildcards are rejected', () => {
    const { stack } = stackFixture();
    const l = new DataLake(stack, 'Lake');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    const error = errorOf(() => l.zone('raw').grantRead(role, 'events/*'));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/prefix = "events\/\*" is not a key prefix/);
  });

  test('is cdk-nag clean (AwsSolutions) with the acknowledgements in lib code', () => {
    const { app, stack } = stackFixture();
    new DataLake(stack, 'Lake');
    expect(() => expectNagClean(app)).not.toThrow();
  });
});

describe('DataLake removal', () => {
  function deletionPolicies(stack: Stack): string[] {
    const t = Template.fromStack(stack);
    return ['AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Glue::Database']
      .flatMap((type) => Object.values(t.findResources(type)).map((r) => (r as { DeletionPolicy: string }).DeletionPolicy));
  }

  test('DESTROY without the context flag stays RETAIN and warns', () => {
    const { stack } = stackFixture();
    const l = new DataLake(stack, 'Lake', { removalPolicy: RemovalPolicy.DESTROY });
    expect(l.removalPolicy).toBe(RemovalPolicy.RETAIN);
    expect(new Set(deletionPolicies(stack))).toEqual(new Set(['Retain']));
    Annotations.fromStack(stack).hasWarning('/S/Lake', Match.stringLikeRegexp('removalPolicy is DESTROY but the context flag cdk-scalable-ai:allowDestroy is not true.*RETAINED'));
  });

  test('the context flag alone changes nothing', () => {
    const { stack } = stackFixture({ context: { 'cdk-scalable-ai:allowDestroy': true } });
    new DataLake(stack, 'Lake');
    expect(new Set(deletionPolicies(stack))).toEqual(new Set(['Retain']));
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test.each([true, 'true'])('DESTROY with the context flag (%p) deletes, without autoDeleteObjects, and warns', (flag) => {
    const { stack } = stackFixture({ context: { 'cdk-scalable-ai:allowDestroy': flag } });
    const l = new DataLake(stack, 'Lake', { removalPolicy: RemovalPolicy.DESTROY });
    expect(l.removalPolicy).toBe(RemovalPolicy.DESTROY);
    expect(new Set(deletionPolicies(stack))).toEqual(new Set(['Delete']));
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    Annotations.fromStack(stack).hasWarning('/S/Lake', Match.stringLikeRegexp('removalPolicy is DESTROY and cdk-scalable-ai:allowDestroy is true'));
  });

  test('SNAPSHOT is rejected', () => {
    const { stack } = stackFixture();
    const error = errorOf(() => new DataLake(stack, 'Lake', { removalPolicy: RemovalPolicy.SNAPSHOT }));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(/removalPolicy = "SNAPSHOT" is not supported/);
  });
});

describe('DataLake zone bucketName', () => {
  test('names the bucket physically and exposes it as literalBucketName; generated names stay deploy-time values', () => {
    const { stack } = stackFixture();
    const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }, { name: 'models', bucketName: 'acme-ml-models-test' }] });
    cleanTemplate(stack).hasResourceProperties('AWS::S3::Bucket', { BucketName: 'acme-ml-models-test' });
    expect(lake.zone('models').literalBucketName).toBe('acme-ml-models-test');
    expect(lake.zone('raw').literalBucketName).toBeUndefined();
    const imported = DataLake.fromAttributes(stack, 'Imported', { zones: { models: s3.Bucket.fromBucketName(stack, 'B', 'shared-models') }, encryptionKey: lake.encryptionKey });
    expect(imported.zone('models').literalBucketName).toBe('shared-models');
  });

  test('rejects a name S3 would refuse', () => {
    const { stack } = stackFixture();
    expect(() => new DataLake(stack, 'Lake', { zones: [{ name: 'models', bucketName: 'Models_Bucket' }] })).toThrow(/zones\[0\]\.bucketName = "Models_Bucket" is invalid/);
  });
});
