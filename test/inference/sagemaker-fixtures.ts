/**
 * Builders shared by the SageMakerEndpoint tests. The zone is a minimal stand-in for a data lake
 * zone (bucket + key, prefix-scoped grants), so these tests depend only on `IDataLakeZone`.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { IDataLakeZone } from '../../lib/data/zone';
import { SageMakerEndpointProps } from '../../lib/inference/sagemaker-endpoint-props';
import { acknowledgeRule } from '../../lib/private/nag-acknowledgements';
import { testApp } from '../harness/synth';

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
/** An image in the stack account's ECR. */
export const ECR_IMAGE = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/llm-server:1.4.0`;

/** A data lake zone: encrypted, versioned, TLS-only bucket with access logs and prefix-scoped grants. */
export class TestZone extends Construct implements IDataLakeZone {
  public readonly bucket: s3.Bucket;
  public readonly encryptionKey: kms.Key;

  constructor(scope: Construct, id: string, public readonly zoneName: string) {
    super(scope, id);
    this.encryptionKey = new kms.Key(this, 'Key', { enableKeyRotation: true });
    const logs = new s3.Bucket(this, 'Logs', {
      encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true, blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    });
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.encryptionKey,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      serverAccessLogsBucket: logs,
    });
    acknowledgeRule(logs, 'AwsSolutions-S1', 'Test fixture: the access logs bucket of the zone does not log itself.');
  }

  public grantRead(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    const keyPrefix = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
    const objects = iam.Grant.addToPrincipal({ grantee, actions: ['s3:GetObject'], resourceArns: [this.bucket.arnForObjects(`${keyPrefix}*`)] });
    iam.Grant.addToPrincipal({
      grantee, actions: ['s3:ListBucket'], resourceArns: [this.bucket.bucketArn],
      conditions: keyPrefix ? { StringLike: { 's3:prefix': [`${keyPrefix}*`] } } : undefined,
    });
    iam.Grant.addToPrincipal({ grantee, actions: ['kms:Decrypt'], resourceArns: [this.encryptionKey.keyArn] });
    return objects;
  }

  public grantWrite(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    const keyPrefix = prefix ? `${prefix.replace(/\/+$/, '')}/` : '';
    const objects = iam.Grant.addToPrincipal({ grantee, actions: ['s3:PutObject'], resourceArns: [this.bucket.arnForObjects(`${keyPrefix}*`)] });
    iam.Grant.addToPrincipal({ grantee, actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resourceArns: [this.encryptionKey.keyArn] });
    return objects;
  }

  public metricBucketSizeBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: 'AWS/S3', metricName: 'BucketSizeBytes', period: Duration.days(1), ...props });
  }

  public metricNumberOfObjects(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: 'AWS/S3', metricName: 'NumberOfObjects', period: Duration.days(1), ...props });
  }
}

/** An app with one stack `S` (fixed account and region), a `models` zone and a `raw` zone. */
export function endpointFixture(): { app: App; stack: Stack; models: TestZone; raw: TestZone } {
  const app = testApp();
  const stack = new Stack(app, 'S', { env: { account: ACCOUNT, region: REGION } });
  return { app, stack, models: new TestZone(stack, 'Models', 'models'), raw: new TestZone(stack, 'Raw', 'raw') };
}

/** The smallest valid props: an ECR image, a model prefix and a GPU instance type. */
export function minimalProps(models: IDataLakeZone, overrides: Partial<SageMakerEndpointProps> = {}): SageMakerEndpointProps {
  return { image: ECR_IMAGE, modelData: { zone: models, prefix: 'llama-3-8b/v3' }, instanceType: 'ml.g6e.2xlarge', ...overrides };
}

export { errorOf } from '../harness/thrown';
