/**
 * A zone of the data lake: one bucket, its KMS key, its Glue database, prefix-scoped grants and
 * the S3 daily storage metrics. Owned zones (DataLake) and imported zones
 * (DataLake.fromAttributes) share this implementation.
 */
import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';

/** The `StorageType` dimension of the S3 `BucketSizeBytes` metric. */
export enum S3StorageType {
  /** S3 Standard. */
  STANDARD = 'StandardStorage',
  /** S3 Intelligent-Tiering, frequent access tier. */
  INTELLIGENT_TIERING_FREQUENT_ACCESS = 'IntelligentTieringFAStorage',
  /** S3 Intelligent-Tiering, infrequent access tier. */
  INTELLIGENT_TIERING_INFREQUENT_ACCESS = 'IntelligentTieringIAStorage',
  /** S3 Intelligent-Tiering, archive instant access tier. */
  INTELLIGENT_TIERING_ARCHIVE_INSTANT_ACCESS = 'IntelligentTieringAIAStorage',
  /** S3 Standard-IA. */
  INFREQUENT_ACCESS = 'StandardIAStorage',
  /** S3 One Zone-IA. */
  ONE_ZONE_INFREQUENT_ACCESS = 'OneZoneIAStorage',
  /** S3 Glacier Instant Retrieval. */
  GLACIER_INSTANT_RETRIEVAL = 'GlacierIRStorage',
  /** S3 Glacier Flexible Retrieval. */
  GLACIER = 'GlacierStorage',
  /** S3 Glacier Deep Archive. */
  DEEP_ARCHIVE = 'DeepArchiveStorage',
}

/** Period of the S3 daily storage metrics (S3 publishes them once a day). */
export const S3_STORAGE_METRIC_PERIOD = Duration.days(1);

/** Options of `metricBucketSizeBytes`. */
export interface BucketSizeMetricOptions extends cloudwatch.MetricOptions {
  /**
   * Storage class whose bytes are measured.
   *
   * @default S3StorageType.STANDARD
   */
  readonly storageType?: S3StorageType;
}

/** A zone of a data lake, owned or imported. */
export interface IDataLakeZone extends IConstruct {
  /** Zone name, e.g. `raw`. */
  readonly zoneName: string;
  /** The zone's bucket. */
  readonly bucket: s3.IBucket;
  /**
   * The bucket's name when it is known at synth (a named zone, or a bucket imported by a literal
   * name), for manifests applied outside CloudFormation.
   *
   * @default - undefined: the name is only known at deploy time
   */
  readonly literalBucketName?: string;
  /** The KMS key that encrypts the zone's objects. */
  readonly encryptionKey: kms.IKey;
  /**
   * Name of the zone's Glue database.
   *
   * @default - undefined for imported zones without a database name
   */
  readonly databaseName?: string;
  /**
   * Grants reading objects under `prefix` (GetObject, ListBucket limited to the prefix) and
   * decrypting them with the zone key (through S3 only).
   *
   * @param prefix key prefix, e.g. `models/llama-3-8b`; a trailing `/` is added. Default: the whole bucket.
   */
  grantRead(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /**
   * Grants writing objects under `prefix` (PutObject, tagging, multipart uploads, DeleteObject:
   * versioning keeps the previous version) and the zone key operations S3 needs for it.
   *
   * @param prefix key prefix; a trailing `/` is added. Default: the whole bucket.
   */
  grantWrite(grantee: iam.IGrantable, prefix?: string): iam.Grant;
  /** Bytes stored in the zone (AWS/S3 BucketSizeBytes, daily, average). */
  metricBucketSizeBytes(props?: BucketSizeMetricOptions): cloudwatch.Metric;
  /** Objects stored in the zone (AWS/S3 NumberOfObjects, AllStorageTypes, daily, average). */
  metricNumberOfObjects(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Actions of `grantRead` on objects. */
export const ZONE_READ_OBJECT_ACTIONS = ['s3:GetObject', 's3:GetObjectVersion', 's3:GetObjectTagging'];
/** Actions of `grantWrite` on objects. */
export const ZONE_WRITE_OBJECT_ACTIONS = ['s3:PutObject', 's3:PutObjectTagging', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts', 's3:DeleteObject'];

/** Prefixes one shared ListBucket statement names (about 40 characters each in IAM's count). */
export const LIST_PREFIXES_PER_STATEMENT = 50;

/** Shared implementation of IDataLakeZone. */
export abstract class DataLakeZoneBase extends Construct implements IDataLakeZone {
  public abstract readonly zoneName: string;
  public abstract readonly bucket: s3.IBucket;
  public abstract readonly encryptionKey: kms.IKey;
  public abstract readonly databaseName?: string;
  /** ListBucket statements per principal, shared by its prefixes (see grantListPrefix). */
  private readonly listStatements = new Map<iam.IPrincipal, Array<{ statement: iam.PolicyStatement; prefixes: string[]; grant: iam.Grant }>>();

  public get literalBucketName(): string | undefined {
    return this.declaredBucketName ?? (Token.isUnresolved(this.bucket.bucketName) ? undefined : this.bucket.bucketName);
  }

  /** The name the zone gave its bucket, if any. */
  protected get declaredBucketName(): string | undefined {
    return undefined;
  }

  public grantRead(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    const keyPrefix = this.normalizePrefix(prefix);
    const grant = this.grantObjects(grantee, ZONE_READ_OBJECT_ACTIONS, keyPrefix)
      .combine(this.grantList(grantee, keyPrefix));
    return grant.combine(this.grantKey(grantee, ['kms:Decrypt']));
  }

  public grantWrite(grantee: iam.IGrantable, prefix?: string): iam.Grant {
    const keyPrefix = this.normalizePrefix(prefix);
    const grant = this.grantObjects(grantee, ZONE_WRITE_OBJECT_ACTIONS, keyPrefix);
    // SSE-KMS writes need a data key; completing a multipart upload decrypts the parts.
    return grant.combine(this.grantKey(grantee, ['kms:GenerateDataKey', 'kms:Decrypt']));
  }

  public metricBucketSizeBytes(props: BucketSizeMetricOptions = {}): cloudwatch.Metric {
    const { storageType, ...options } = props;
    return this.storageMetric('BucketSizeBytes', storageType ?? S3StorageType.STANDARD, options);
  }

  public metricNumberOfObjects(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.storageMetric('NumberOfObjects', 'AllStorageTypes', props);
  }

  private storageMetric(metricName: string, storageType: string, props: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/S3',
      metricName,
      statistic: cloudwatch.Stats.AVERAGE,
      period: S3_STORAGE_METRIC_PERIOD,
      ...props,
      dimensionsMap: { BucketName: this.bucket.bucketName, StorageType: storageType, ...props.dimensionsMap },
    });
  }

  /** `''` for the whole bucket, otherwise the prefix without a leading and with a trailing `/`. */
  private normalizePrefix(prefix: string | undefined): string {
    if (prefix === undefined || prefix === '') return '';
    if (Token.isUnresolved(prefix)) return `${prefix}/`;
    if (typeof prefix !== 'string' || prefix.includes('*') || prefix.includes('?') || prefix.replace(/^\/+|\/+$/g, '') === '') {
      throw new PropValidationError(this, 'prefix', prefix, 'is not a key prefix (wildcards and empty prefixes would widen the grant)',
        'Pass a literal key prefix such as "models/llama-3-8b", or omit it to grant the whole zone.');
    }
    return `${prefix.replace(/^\/+|\/+$/g, '')}/`;
  }

  private grantObjects(grantee: iam.IGrantable, actions: string[], keyPrefix: string): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions,
      resourceArns: [this.bucket.arnForObjects(`${keyPrefix}*`)],
      resource: this.bucket,
    });
  }

  private grantList(grantee: iam.IGrantable, keyPrefix: string): iam.Grant {
    const list = keyPrefix ? this.grantListPrefix(grantee, keyPrefix) : iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      resource: this.bucket,
    });
    const location = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:GetBucketLocation'],
      resourceArns: [this.bucket.bucketArn],
      resource: this.bucket,
    });
    return list.combine(location);
  }

  /**
   * Listing under a prefix: prefixes granted to one principal share ListBucket statements (up
   * to LIST_PREFIXES_PER_STATEMENT each), so a role that reads many prefixes (a site serving
   * hundreds of models) grows by one condition value per prefix, not one statement.
   */
  private grantListPrefix(grantee: iam.IGrantable, keyPrefix: string): iam.Grant {
    const pattern = `${keyPrefix}*`;
    const shared = this.listStatements.get(grantee.grantPrincipal) ?? [];
    this.listStatements.set(grantee.grantPrincipal, shared);
    const literal = !Token.isUnresolved(keyPrefix);
    const granted = shared.find((s) => s.prefixes.includes(pattern));
    if (granted) return granted.grant;
    const open = literal ? shared.find((s) => s.prefixes.length < LIST_PREFIXES_PER_STATEMENT) : undefined;
    if (open) {
      open.prefixes.push(pattern);
      open.statement.addCondition('StringLike', { 's3:prefix': [...open.prefixes] });
      return open.grant;
    }
    const grant = iam.Grant.addToPrincipalOrResource({
      grantee,
      actions: ['s3:ListBucket'],
      resourceArns: [this.bucket.bucketArn],
      resource: this.bucket,
      conditions: { StringLike: { 's3:prefix': [pattern] } },
    });
    const statement = grant.principalStatements[0] ?? grant.resourceStatements[0];
    // A token prefix stays alone: its value is unknown, so nothing may be merged into it.
    if (statement && literal) shared.push({ statement, prefixes: [pattern], grant });
    return grant;
  }

  private grantKey(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({
      grantee,
      actions,
      resourceArns: [this.encryptionKey.keyArn],
      resource: this.encryptionKey,
      conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
    });
  }
}
