/**
 * FeatureGroup: a SageMaker Feature Store feature group whose offline store lives in a data-lake
 * zone (normally `features`), encrypted with the lake key and catalogued in the zone's Glue
 * database, with an optional online store. The offline-store role gets only the zone prefix,
 * the key (through S3) and the Glue table, never AmazonSageMakerFullAccess.
 *
 * Construct ids are API: `<group>/Role`, `<group>/Resource`.
 */
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { IDataLakeZone } from './zone';
import { PropValidationError } from '../private/errors';
import { acknowledgeInlinePolicies, acknowledgeWildcards, wildcardResource } from '../private/nag-acknowledgements';
import { statefulRemovalPolicy } from '../private/removal';
import { checkNonEmpty, checkPattern, checkUnique, isToken } from '../private/validation';
import { FEATURE_GROUP_NAME_PATTERN, featureGroupArnOf, grantFeatureGroupRead, grantFeatureGroupWrite, IFeatureGroup, ImportedFeatureGroup } from './feature-group-ref';
import { checkPropTypes } from '../private/prop-types';

/** Type of a feature. */
export enum FeatureType {
  /** Whole numbers (long). */
  INTEGRAL = 'Integral',
  /** Floating point numbers (double). */
  FRACTIONAL = 'Fractional',
  /** Strings. */
  STRING = 'String',
}

/** One feature of a feature group. */
export interface FeatureDefinition {
  /** Feature name: letters, digits, `-` and `_`, 1-64 characters, starting and ending with a letter or digit. */
  readonly name: string;
  /** Feature type. */
  readonly type: FeatureType;
}

/** Properties of a FeatureGroup. */
export interface FeatureGroupProps {
  /** Feature group name: letters, digits and `-`, 1-64 characters. */
  readonly featureGroupName: string;
  /** Feature that identifies a record (one of `features`). */
  readonly recordIdentifierFeatureName: string;
  /** Feature with the event time of a record (one of `features`, STRING or FRACTIONAL). */
  readonly eventTimeFeatureName: string;
  /** The features (1-2500). */
  readonly features: FeatureDefinition[];
  /** The lake zone that holds the offline store, normally `lake.zone('features')`. */
  readonly offlineStoreZone: IDataLakeZone;
  /**
   * Key prefix of the offline store in the zone.
   *
   * @default "feature-store"
   */
  readonly offlineStorePrefix?: string;
  /**
   * Whether records are also kept in the low-latency online store (encrypted with the lake key).
   *
   * @default false
   */
  readonly onlineStore?: boolean;
  /**
   * Description of the feature group.
   *
   * @default - none
   */
  readonly description?: string;
  /**
   * What happens to the feature group (and its online store data) when it leaves the stack.
   * DESTROY needs the context flag `cdk-scalable-ai:allowDestroy` as well.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Offline store prefix when `offlineStorePrefix` is not given. */
export const DEFAULT_OFFLINE_STORE_PREFIX = 'feature-store';
/** Feature names SageMaker reserves for its own columns. */
export const RESERVED_FEATURE_NAMES = ['is_deleted', 'write_time', 'api_invocation_time'];
/** Maximum number of features in a group. */
export const MAX_FEATURES = 2500;

const FEATURE_NAME_PATTERN = /^[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,63}$/;
const PREFIX_PATTERN = /^(?!\/)(?!.*\/\/)(?!.*\/$)[A-Za-z0-9/_.-]{1,200}$/;

/**
 * A SageMaker Feature Store feature group with its offline store in a data-lake zone.
 */
export class FeatureGroup extends Construct implements IFeatureGroup {
  /** A feature group of another app, by name (in this stack's account and region), for its record grants. */
  public static fromFeatureGroupName(scope: Construct, id: string, featureGroupName: string): IFeatureGroup {
    return new ImportedFeatureGroup(scope, id, featureGroupName);
  }

  public readonly cfnFeatureGroup: sagemaker.CfnFeatureGroup;
  /** Role SageMaker uses to write the offline store. */
  public readonly role: iam.Role;
  public readonly featureGroupName: string;
  /** ARN of the feature group. */
  public readonly featureGroupArn: string;
  /** S3 URI of the offline store. */
  public readonly offlineStoreUri: string;

  constructor(scope: Construct, id: string, props: FeatureGroupProps) {
    super(scope, id);
    checkPropTypes(this, 'FeatureGroupProps', props);
    this.validate(props);
    const zone = props.offlineStoreZone;
    const prefix = props.offlineStorePrefix ?? DEFAULT_OFFLINE_STORE_PREFIX;
    const removalPolicy = statefulRemovalPolicy(this, 'removalPolicy', props.removalPolicy, 'the feature group and its online store records');
    this.featureGroupName = props.featureGroupName;
    this.featureGroupArn = featureGroupArnOf(this, props.featureGroupName);
    this.offlineStoreUri = zone.bucket.s3UrlForObject(prefix);

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Offline store of feature group ${props.featureGroupName}`,
    });
    acknowledgeInlinePolicies(this.role);
    // Same permissions as AmazonSageMakerFeatureStoreAccess, scoped to this prefix, key and table.
    zone.grantWrite(this.role, prefix);
    zone.grantRead(this.role, prefix);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:PutObjectAcl'],
      resources: [zone.bucket.arnForObjects(`${prefix}/*`)],
    }));
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetBucketAcl'],
      resources: [zone.bucket.bucketArn],
    }));

    const tableName = props.featureGroupName.toLowerCase().replace(/-/g, '_');
    if (zone.databaseName) {
      const stack = Stack.of(this);
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['glue:GetTable', 'glue:UpdateTable'],
        resources: [
          stack.formatArn({ service: 'glue', resource: 'catalog' }),
          stack.formatArn({ service: 'glue', resource: 'database', resourceName: zone.databaseName }),
          stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${zone.databaseName}/${tableName}` }),
        ],
      }));
    }
    acknowledgeWildcards(this.role,
      'The offline store writes objects SageMaker names at run time under this feature group\'s prefix of the zone; the grant stops at that prefix.',
      [wildcardResource(this, zone.bucket.arnForObjects(`${prefix}/*`))]);

    this.cfnFeatureGroup = new sagemaker.CfnFeatureGroup(this, 'Resource', {
      featureGroupName: props.featureGroupName,
      description: props.description,
      recordIdentifierFeatureName: props.recordIdentifierFeatureName,
      eventTimeFeatureName: props.eventTimeFeatureName,
      featureDefinitions: props.features.map((f) => ({ featureName: f.name, featureType: f.type })),
      roleArn: this.role.roleArn,
      offlineStoreConfig: {
        S3StorageConfig: { S3Uri: this.offlineStoreUri, KmsKeyId: zone.encryptionKey.keyArn },
        DisableGlueTableCreation: false,
        ...(zone.databaseName ? { DataCatalogConfig: { Catalog: 'AwsDataCatalog', Database: zone.databaseName, TableName: tableName } } : {}),
      },
      onlineStoreConfig: props.onlineStore
        ? { EnableOnlineStore: true, SecurityConfig: { KmsKeyId: zone.encryptionKey.keyArn } }
        : undefined,
    });
    this.cfnFeatureGroup.applyRemovalPolicy(removalPolicy);
    // SageMaker checks the role's access when the group is created.
    this.cfnFeatureGroup.node.addDependency(this.role);
  }

  /** Grants writing records (sagemaker:PutRecord, DeleteRecord) to this feature group. */
  public grantWriteRecords(grantee: iam.IGrantable): iam.Grant {
    return grantFeatureGroupWrite(grantee, this.featureGroupArn);
  }

  /** Grants reading records from the online store (sagemaker:GetRecord, BatchGetRecord). */
  public grantReadRecords(grantee: iam.IGrantable): iam.Grant {
    return grantFeatureGroupRead(grantee, this.featureGroupArn);
  }

  private validate(props: FeatureGroupProps): void {
    if (isToken(props.featureGroupName)) {
      throw new PropValidationError(this, 'featureGroupName', props.featureGroupName, 'is a token', 'The name also names the Glue table and must be a literal string.');
    }
    checkPattern(this, 'featureGroupName', props.featureGroupName ?? '', FEATURE_GROUP_NAME_PATTERN, '1-64 letters, digits and "-", starting and ending with a letter or digit', 'customer-features');
    if (!props.offlineStoreZone || !props.offlineStoreZone.bucket) {
      throw new PropValidationError(this, 'offlineStoreZone', props.offlineStoreZone, 'is not a data-lake zone', 'Pass lake.zone("features").');
    }
    checkPattern(this, 'offlineStorePrefix', props.offlineStorePrefix, PREFIX_PATTERN, "1-200 letters, digits and / _ . -, without a leading, trailing or double '/'", 'feature-store');
    if (!Array.isArray(props.features)) {
      throw new PropValidationError(this, 'features', props.features, 'is not a list', 'Pass an array of { name, type }.');
    }
    checkNonEmpty(this, 'features', props.features, 'Declare at least the record identifier and the event time features.');
    if (props.features.length > MAX_FEATURES) {
      throw new PropValidationError(this, 'features', `${props.features.length} features`, `exceeds the SageMaker limit of ${MAX_FEATURES}`, 'Split the features across several feature groups.');
    }
    const types = new Set(Object.values(FeatureType) as string[]);
    props.features.forEach((f, i) => {
      checkPattern(this, `features[${i}].name`, f?.name ?? '', FEATURE_NAME_PATTERN, '1-64 letters, digits, "-" and "_", starting and ending with a letter or digit', 'customer_id');
      if (RESERVED_FEATURE_NAMES.includes(f.name.toLowerCase())) {
        throw new PropValidationError(this, `features[${i}].name`, f.name, 'is reserved by SageMaker Feature Store', `Rename the feature; ${RESERVED_FEATURE_NAMES.join(', ')} are reserved.`);
      }
      if (!types.has(f.type)) {
        throw new PropValidationError(this, `features[${i}].type`, f.type, 'is not a FeatureType', 'Use FeatureType.INTEGRAL, FRACTIONAL or STRING.');
      }
    });
    checkUnique(this, 'features', props.features.map((f) => f.name.toLowerCase()));
    const byName = new Map(props.features.map((f) => [f.name, f]));
    if (!byName.has(props.recordIdentifierFeatureName)) {
      throw new PropValidationError(this, 'recordIdentifierFeatureName', props.recordIdentifierFeatureName, 'is not one of the features',
        `Use one of ${[...byName.keys()].join(', ')}, or add the feature.`);
    }
    const eventTime = byName.get(props.eventTimeFeatureName);
    if (!eventTime) {
      throw new PropValidationError(this, 'eventTimeFeatureName', props.eventTimeFeatureName, 'is not one of the features',
        `Use one of ${[...byName.keys()].join(', ')}, or add the feature.`);
    }
    if (eventTime.type === FeatureType.INTEGRAL) {
      throw new PropValidationError(this, 'eventTimeFeatureName', props.eventTimeFeatureName, 'names an INTEGRAL feature',
        'Event times must be FeatureType.STRING (ISO-8601) or FeatureType.FRACTIONAL (Unix seconds).');
    }
  }
}

