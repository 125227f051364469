/**
 * DataLake: one encrypted, versioned, TLS-only bucket per zone with lifecycle tiering, a Glue
 * database per zone, EventBridge notifications, server access logs in a separate bucket, and
 * one customer-managed KMS key. Stateful resources are retained unless destruction is allowed
 * twice (prop + context flag, see lib/private/removal.ts).
 *
 * Construct ids are API (a changed id replaces the bucket and loses its data):
 * - `<lake>/Key`                 the KMS key
 * - `<lake>/AccessLogs`          the server access logs bucket
 * - `<lake>/Zone-<zone>/Bucket`  the zone bucket
 * - `<lake>/Zone-<zone>/Database` the zone's Glue database
 */
import { Duration, Names, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { effectiveLifecycle, DEFAULT_ZONE_NAMES, lifecycleRule, validateLifecycle, ZoneLifecycle } from './lifecycle';
import { DataLakeZoneBase, IDataLakeZone } from './zone';
import { PropValidationError } from '../private/errors';
import { acknowledgeRule } from '../private/nag-acknowledgements';
import { statefulRemovalPolicy } from '../private/removal';
import { checkPattern, checkWholeDays, checkUnique, isToken } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** A zone of a DataLake. */
export interface DataLakeZoneProps {
  /**
   * Zone name: 1-24 lowercase letters, digits and single hyphens, starting with a letter and
   * not ending with a hyphen (it becomes part of construct ids, log prefixes and the Glue
   * database name, where `-` becomes `_`).
   */
  readonly name: string;
  /**
   * Lifecycle tiering of the zone's objects.
   *
   * @default - the default lifecycle of the zone's name: raw, curated, features and models each
   * have their own, other names share one (see the fields of ZoneLifecycle)
   */
  readonly lifecycle?: ZoneLifecycle;
  /**
   * Physical name of the zone's bucket (3-63 lowercase letters, digits, dots and hyphens,
   * globally unique). Set it when something outside CloudFormation must name the bucket, e.g.
   * the manifests of an on-premises site that reads models from the zone. Setting or changing
   * it on a deployed zone replaces the bucket (and its data stays in the old, retained one):
   * choose it before the first deploy.
   *
   * @default - a name CloudFormation generates (only known at deploy time)
   */
  readonly bucketName?: string;
}

/** Properties of a DataLake. */
export interface DataLakeProps {
  /**
   * The zones, one bucket and one Glue database each.
   *
   * @default - the zones raw, curated, features and models, with their default lifecycles
   */
  readonly zones?: DataLakeZoneProps[];
  /**
   * KMS key that encrypts every zone bucket (SSE-KMS with S3 Bucket Keys).
   *
   * @default - a new customer-managed key with yearly automatic rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Prefix of the Glue database names (`<prefix>_<zone>`): lowercase letters, digits and `_`,
   * starting with a letter, at most 64 characters.
   *
   * @default - derived from the construct path, lowercase, unique per stack
   */
  readonly databaseNamePrefix?: string;
  /**
   * How long server access logs are kept.
   *
   * @default Duration.days(365)
   */
  readonly accessLogsRetention?: Duration;
  /**
   * What happens to the buckets, the KMS key and the Glue databases when they leave the stack.
   * `RemovalPolicy.DESTROY` takes effect only when the context flag
   * `cdk-scalable-ai:allowDestroy` is also true; otherwise they are retained and a warning
   * explains why. Non-empty buckets are never emptied for you (that needs a Lambda-backed
   * custom resource): empty them before deleting the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** A data lake, owned or imported. */
export interface IDataLake extends IConstruct {
  /** The KMS key of the zone buckets. */
  readonly encryptionKey: kms.IKey;
  /** Names of the zones, in declaration order. */
  readonly zoneNames: string[];
  /** The zone with this name; throws naming the known zones when there is none. */
  zone(name: string): IDataLakeZone;
}

/** An existing data lake, for `DataLake.fromAttributes`. */
export interface DataLakeAttributes {
  /** Zone name -> zone bucket (e.g. `s3.Bucket.fromBucketArn(...)`). */
  readonly zones: { [name: string]: s3.IBucket };
  /** KMS key of the zone buckets. */
  readonly encryptionKey: kms.IKey;
  /**
   * Zone name -> Glue database name.
   *
   * @default - the imported zones have no databaseName
   */
  readonly databaseNames?: { [name: string]: string };
}

/** Server access logs are kept this long unless `accessLogsRetention` says otherwise. */
export const DEFAULT_ACCESS_LOGS_RETENTION = Duration.days(365);
/** Noncurrent versions of access log objects expire after this long. */
export const ACCESS_LOGS_NONCURRENT_VERSION_EXPIRATION = Duration.days(30);
/** Zone names: lowercase letters, digits and single hyphens, 1-24 characters, starting with a letter. */
export const ZONE_NAME_PATTERN = /^(?!.*--)[a-z](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
/** S3 bucket names (general purpose buckets): 3-63 lowercase letters, digits, dots and hyphens. */
export const BUCKET_NAME_PATTERN = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** Glue database name prefixes. */
export const DATABASE_NAME_PREFIX_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

const STATEFUL_RESOURCES = 'the zone buckets, the access logs bucket, the KMS key and the Glue databases';

/** Glue database name of a zone: `<prefix>_<zone with - as _>`. */
export function zoneDatabaseName(prefix: string, zoneName: string): string {
  return `${prefix}_${zoneName.replace(/-/g, '_')}`;
}

interface OwnedZoneProps {
  readonly name: string;
  readonly bucketName?: string;
  readonly lifecycle: ZoneLifecycle;
  readonly encryptionKey: kms.IKey;
  readonly accessLogsBucket: s3.IBucket;
  readonly databaseName: string;
  readonly removalPolicy: RemovalPolicy;
}

/** A zone owned by a DataLake: bucket `Bucket` and Glue database `Database`. */
class DataLakeZone extends DataLakeZoneBase {
  public readonly zoneName: string;
  public readonly bucket: s3.Bucket;
  public readonly encryptionKey: kms.IKey;
  public readonly databaseName: string;
  public readonly database: glue.CfnDatabase;
  private readonly physicalBucketName?: string;

  constructor(scope: Construct, id: string, props: OwnedZoneProps) {
    super(scope, id);
    this.zoneName = props.name;
    this.physicalBucketName = props.bucketName;
    this.encryptionKey = props.encryptionKey;
    this.databaseName = props.databaseName;

    this.bucket = new s3.Bucket(this, 'Bucket', {
      bucketName: props.bucketName,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: props.encryptionKey,
      bucketKeyEnabled: true,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [lifecycleRule(props.lifecycle)],
      removalPolicy: props.removalPolicy,
    });
    // EventBridge notifications through the bucket resource itself: the L2 `eventBridgeEnabled`
    // would add a Lambda-backed custom resource.
    const cfnBucket = this.bucket.node.defaultChild as s3.CfnBucket;
    cfnBucket.notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    // Server access logs, wired on the resource: the L2 option switches to ACL-based delivery
    // (which the enforced bucket-owner setting forbids) in apps without the
    // serverAccessLogsUseBucketPolicy feature flag. The logs bucket's policy admits the logging service.
    cfnBucket.loggingConfiguration = { destinationBucketName: props.accessLogsBucket.bucketName, logFilePrefix: `${props.name}/` };
    props.accessLogsBucket.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('logging.s3.amazonaws.com')],
      actions: ['s3:PutObject'],
      resources: [props.accessLogsBucket.arnForObjects(`${props.name}/*`)],
      conditions: {
        ArnLike: { 'aws:SourceArn': this.bucket.bucketArn },
        StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
      },
    }));

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Stack.of(this).account,
      databaseInput: {
        name: props.databaseName,
        description: `Data lake zone "${props.name}" (s3://${this.bucket.bucketName}/)`,
        locationUri: this.bucket.s3UrlForObject(),
      },
    });
    this.database.applyRemovalPolicy(props.removalPolicy);
  }

  protected get declaredBucketName(): string | undefined {
    return this.physicalBucketName !== undefined && !Token.isUnresolved(this.physicalBucketName) ? this.physicalBucketName : undefined;
  }
}

/** A zone of an imported data lake. */
class ImportedDataLakeZone extends DataLakeZoneBase {
  constructor(scope: Construct, id: string,
    public readonly zoneName: string,
    public readonly bucket: s3.IBucket,
    public readonly encryptionKey: kms.IKey,
    public readonly databaseName: string | undefined) {
    super(scope, id);
  }
}

function zoneMap(zones: IDataLakeZone[]): Map<string, IDataLakeZone> {
  return new Map(zones.map((z) => [z.zoneName, z]));
}

function lookupZone(scope: IConstruct, zones: Map<string, IDataLakeZone>, name: string): IDataLakeZone {
  const zone = zones.get(name);
  if (!zone) {
    throw new PropValidationError(scope, 'zone', name, 'is not a zone of this data lake', `Use one of: ${[...zones.keys()].join(', ')}.`);
  }
  return zone;
}

class ImportedDataLake extends Construct implements IDataLake {
  public readonly encryptionKey: kms.IKey;
  public readonly zoneNames: string[];
  private readonly zones: Map<string, IDataLakeZone>;

  constructor(scope: Construct, id: string, attrs: DataLakeAttributes) {
    super(scope, id);
    this.encryptionKey = attrs.encryptionKey;
    const names = Object.keys(attrs.zones ?? {});
    if (names.length === 0) {
      throw new PropValidationError(this, 'zones', attrs.zones, 'is empty', 'Map at least one zone name to its bucket.');
    }
    for (const name of names) {
      checkPattern(this, 'zones', name, ZONE_NAME_PATTERN, 'a zone name (1-24 lowercase letters, digits, single hyphens, starting with a letter)', 'raw');
    }
    this.zoneNames = names;
    this.zones = zoneMap(names.map((name) =>
      new ImportedDataLakeZone(this, `Zone-${name}`, name, attrs.zones[name], attrs.encryptionKey, attrs.databaseNames?.[name])));
  }

  public zone(name: string): IDataLakeZone {
    return lookupZone(this, this.zones, name);
  }
}

/**
 * A data lake: one bucket per zone, encrypted with one customer-managed key, versioned,
 * TLS 1.2+ only, private, access-logged, tiered by lifecycle rules, catalogued in Glue and
 * announcing object events on EventBridge.
 */
export class DataLake extends Construct implements IDataLake {
  /** Imports an existing data lake, e.g. one created by another stack. */
  public static fromAttributes(scope: Construct, id: string, attrs: DataLakeAttributes): IDataLake {
    return new ImportedDataLake(scope, id, attrs);
  }

  /**
   * The zones a lake has when `zones` is not set: raw, curated, features and models, each with
   * its default lifecycle. Start from these to change one zone, e.g. name the models bucket.
   */
  public static defaultZoneNames(): string[] {
    return [...DEFAULT_ZONE_NAMES];
  }

  public readonly encryptionKey: kms.IKey;
  /** Bucket that receives the server access logs of every zone bucket (SSE-S3). */
  public readonly accessLogsBucket: s3.Bucket;
  public readonly zoneNames: string[];
  /** The removal policy in effect for the stateful resources. */
  public readonly removalPolicy: RemovalPolicy;
  private readonly zones: Map<string, IDataLakeZone>;

  constructor(scope: Construct, id: string, props: DataLakeProps = {}) {
    super(scope, id);
    checkPropTypes(this, 'DataLakeProps', props);
    const zoneProps: DataLakeZoneProps[] = props.zones ?? DEFAULT_ZONE_NAMES.map((name) => ({ name }));
    this.validate(props, zoneProps);

    if (props.removalPolicy === RemovalPolicy.SNAPSHOT) {
      throw new PropValidationError(this, 'removalPolicy', 'SNAPSHOT', 'is not supported by S3 buckets, KMS keys or Glue databases',
        'Use RemovalPolicy.RETAIN (default) or RemovalPolicy.DESTROY.');
    }
    this.removalPolicy = statefulRemovalPolicy(this, 'removalPolicy', props.removalPolicy, STATEFUL_RESOURCES);

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Data lake ${this.node.path}: encrypts the zone buckets`,
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
    });

    this.accessLogsBucket = new s3.Bucket(this, 'AccessLogs', {
      // S3 server access logging delivers only to buckets with SSE-S3 default encryption
      // (Amazon S3 User Guide, "Enabling Amazon S3 server access logging").
      encryption: s3.BucketEncryption.S3_MANAGED,
      versioned: true,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{
        id: 'access-logs-retention',
        enabled: true,
        expiration: props.accessLogsRetention ?? DEFAULT_ACCESS_LOGS_RETENTION,
        noncurrentVersionExpiration: ACCESS_LOGS_NONCURRENT_VERSION_EXPIRATION,
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
      removalPolicy: this.removalPolicy,
    });
    acknowledgeRule(this.accessLogsBucket, 'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'S3 server access logging delivers only to buckets with SSE-S3 default encryption; the logs hold request metadata, not lake data.');
    acknowledgeRule(this, 'NIST.800.53.R5-S3BucketReplicationEnabled',
      'Cross-Region replication needs a destination bucket in a Region or account the lake owner chooses; versioning, retention and noncurrent-version expiry protect against deletion in the meantime.');
    Validations.of(this.accessLogsBucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket is the server access log target of the zone buckets; logging it would need yet another bucket (or log into itself, an endless loop).',
    });

    const prefix = props.databaseNamePrefix ?? Names.uniqueResourceName(this, { maxLength: 48, separator: '_' }).toLowerCase().replace(/[^a-z0-9_]/g, '_');
    this.zones = zoneMap(zoneProps.map((z) => new DataLakeZone(this, `Zone-${z.name}`, {
      name: z.name,
      bucketName: z.bucketName,
      lifecycle: effectiveLifecycle(z.name, z.lifecycle),
      encryptionKey: this.encryptionKey,
      accessLogsBucket: this.accessLogsBucket,
      databaseName: zoneDatabaseName(prefix, z.name),
      removalPolicy: this.removalPolicy,
    })));
    this.zoneNames = zoneProps.map((z) => z.name);
  }

  public zone(name: string): IDataLakeZone {
    return lookupZone(this, this.zones, name);
  }

  /** The zones, in declaration order. */
  public get allZones(): IDataLakeZone[] {
    return this.zoneNames.map((n) => this.zone(n));
  }

  private validate(props: DataLakeProps, zones: DataLakeZoneProps[]): void {
    if (!Array.isArray(zones) || zones.length === 0) {
      throw new PropValidationError(this, 'zones', zones, 'is empty', 'Declare at least one zone, or omit zones for raw, curated, features and models.');
    }
    zones.forEach((z, i) => {
      if (isToken(z?.name)) {
        throw new PropValidationError(this, `zones[${i}].name`, z.name, 'is a token', 'Zone names become construct ids and must be literal strings.');
      }
      checkPattern(this, `zones[${i}].name`, z?.name ?? '', ZONE_NAME_PATTERN,
        '1-24 lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen', 'curated');
      validateLifecycle(this, `zones[${i}].lifecycle`, effectiveLifecycle(z.name, z.lifecycle));
      checkPattern(this, `zones[${i}].bucketName`, z.bucketName, BUCKET_NAME_PATTERN,
        '3-63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit', 'acme-ml-models-eu-west-1');
    });
    checkUnique(this, 'zones', zones.map((z) => z.name));
    checkPattern(this, 'databaseNamePrefix', props.databaseNamePrefix, DATABASE_NAME_PREFIX_PATTERN,
      'lowercase letters, digits and "_", starting with a letter, at most 64 characters', 'ml_platform');
    if (props.accessLogsRetention !== undefined && !(props.accessLogsRetention instanceof Duration)) {
      throw new PropValidationError(this, 'accessLogsRetention', props.accessLogsRetention, 'is not a Duration', 'Use Duration.days(n).');
    }
    checkWholeDays(this, 'accessLogsRetention', props.accessLogsRetention, 1);
  }
}
