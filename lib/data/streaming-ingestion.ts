/**
 * StreamingIngestion: Kinesis Data Stream (KMS) -> Amazon Data Firehose -> a data-lake zone,
 * partitioned by time (and optionally by a record field), with an error prefix, compression or
 * Parquet conversion, metrics and alarms that carry the stream / delivery-stream dimensions.
 *
 * Construct ids are API: `<ingestion>/Key`, `<ingestion>/Stream`, `<ingestion>/Delivery`.
 */
import { Duration, RemovalPolicy, Size, SizeRoundingBehavior, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { IngestionAlarms } from './ingestion-alarms';
import { checkParquetColumns, createSchemaTable, ParquetColumn } from './parquet-schema';
import { grantStreamWrite, ImportedStreamingIngestion, IStreamingIngestion, StreamingIngestionAttributes } from './streaming-ingestion-ref';
import { IDataLakeZone } from './zone';
import { ensureAlarmTopicUsable } from '../monitoring/alarm-topic-key';
import { PropValidationError } from '../private/errors';
import { acknowledgeInlinePolicies, acknowledgeRule, acknowledgeWildcards, wildcardAction, wildcardResource } from '../private/nag-acknowledgements';
import { allowLogsToUseKey } from '../private/log-encryption';
import { statefulRemovalPolicy } from '../private/removal';
import { checkDurationRange, checkInteger, checkPattern, checkSizeRange, isToken } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Stream retention when `retentionPeriod` is not given (the Kinesis minimum). */
export const DEFAULT_STREAM_RETENTION = Duration.hours(24);
/** Kinesis Data Streams retention limits. */
export const MIN_STREAM_RETENTION = Duration.hours(24);
export const MAX_STREAM_RETENTION = Duration.hours(8760);
/** Shards of a PROVISIONED stream when `shardCount` is not given. */
export const DEFAULT_SHARD_COUNT = 1;
/** Firehose buffering defaults and limits. */
export const DEFAULT_BUFFERING_INTERVAL = Duration.seconds(300);
export const MAX_BUFFERING_INTERVAL = Duration.seconds(900);
/** Minimum buffering interval with dynamic partitioning. */
export const MIN_BUFFERING_INTERVAL_DYNAMIC_PARTITIONING = Duration.seconds(60);
export const DEFAULT_BUFFERING_SIZE = Size.mebibytes(5);
/** Buffer size default with dynamic partitioning or Parquet conversion. */
export const DEFAULT_BUFFERING_SIZE_AGGREGATED = Size.mebibytes(128);
export const MIN_BUFFERING_SIZE_MIB = 1;
/** Minimum buffer size with dynamic partitioning or Parquet conversion. */
export const MIN_BUFFERING_SIZE_AGGREGATED_MIB = 64;
export const MAX_BUFFERING_SIZE_MIB = 128;
/** Compression of delivered objects when not converting to Parquet. */
export const DEFAULT_COMPRESSION = firehose.Compression.GZIP;
/** Name of the dynamic partition key when `partitionKeyName` is not given. */
export const DEFAULT_PARTITION_KEY_NAME = 'key';
/** Retention of the Firehose error log group. */
export const DEFAULT_ERROR_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;
/** Time partitioning appended to every data prefix (Hive style, UTC). */
export const TIME_PARTITIONING = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';
/** Prefix of the data prefixes when `prefix` is not given: `streams/<construct id>`. */
export const DEFAULT_PREFIX_ROOT = 'streams';

/** Data prefixes: letters, digits and `/ - _ . ! * ' ( )`, no expressions, no leading or trailing `/`. */
export const INGESTION_PREFIX_PATTERN = /^(?!\/)(?!.*\/\/)(?!.*\/$)[A-Za-z0-9/_.!*'()-]{1,200}$/;
const PARTITION_KEY_NAME_PATTERN = /^[a-z][a-z0-9_]{0,63}$/;

/** Properties of a StreamingIngestion. */
export interface StreamingIngestionOptions {
  /**
   * Key prefix of the delivered objects (a table location). The time partitions
   * (`year=/month=/day=/hour=`) and, with dynamic partitioning, `<partitionKeyName>=<value>/`
   * are appended. Failed records go to `errors/<prefix>/<error type>/<time partitions>`.
   *
   * @default - `streams/<construct id in lower case, other characters as "-">`
   */
  readonly prefix?: string;
  /**
   * Capacity mode of the stream.
   *
   * @default kinesis.StreamMode.ON_DEMAND
   */
  readonly streamMode?: kinesis.StreamMode;
  /**
   * Shards of a PROVISIONED stream; not allowed with ON_DEMAND.
   *
   * @default - 1 with StreamMode.PROVISIONED
   */
  readonly shardCount?: number;
  /**
   * How long records stay in the stream (whole hours, 24 to 8760).
   *
   * @default Duration.hours(24)
   */
  readonly retentionPeriod?: Duration;
  /**
   * KMS key of the stream. A separate key keeps producer permissions (including on-premises
   * producers) away from the lake key that protects every zone.
   *
   * @default - a new customer-managed key with rotation, owned by this construct
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Compression of delivered objects. Must be UNCOMPRESSED (or unset) with Parquet conversion,
   * which compresses inside the Parquet files (Snappy).
   *
   * @default - firehose.Compression.GZIP; none with Parquet conversion
   */
  readonly compression?: firehose.Compression;
  /**
   * How long Firehose buffers before writing an object (0-900 s; at least 60 s with dynamic partitioning).
   *
   * @default Duration.seconds(300)
   */
  readonly bufferingInterval?: Duration;
  /**
   * How much Firehose buffers before writing an object (1-128 MiB; at least 64 MiB with
   * dynamic partitioning or Parquet conversion).
   *
   * @default - Size.mebibytes(5); Size.mebibytes(128) with dynamic partitioning or Parquet
   */
  readonly bufferingSize?: Size;
  /**
   * Turns on dynamic partitioning by a record field (JSON records). Needs `partitionKeyExpression`.
   *
   * @default - true when partitionKeyExpression is set, false otherwise
   */
  readonly dynamicPartitioning?: boolean;
  /**
   * jq (1.6) expression that extracts the partition value from each JSON record, e.g. `.customer_id`.
   *
   * @default - no dynamic partitioning
   */
  readonly partitionKeyExpression?: string;
  /**
   * Name of the partition (`<name>=<value>/` in the prefix): lowercase letters, digits, `_`.
   *
   * @default "key"
   */
  readonly partitionKeyName?: string;
  /**
   * Converts JSON records to Parquet with the schema of this Glue table. Needs `parquetSchema`.
   *
   * @default - true when parquetSchema is set, false otherwise
   */
  readonly convertToParquet?: boolean;
  /**
   * Glue table whose columns define the Parquet schema.
   *
   * @default - no Parquet conversion
   */
  readonly parquetSchema?: glue.CfnTable;
  /**
   * The Parquet schema as typed columns: the ingestion creates the Glue table (`<id>/Schema`,
   * in the destination zone's database, after it) and converts records to Parquet with it.
   * Give either this or `parquetSchema`.
   * @default - no Parquet conversion
   */
  readonly parquetColumns?: ParquetColumn[];
  /**
   * Name of the table `parquetColumns` creates (lowercase letters, digits and `_`).
   * @default - the construct id in lower case, other characters as `_`
   */
  readonly parquetTableName?: string;
  /**
   * Topic notified when an alarm fires or recovers. The alarms always exist (see `alarms`);
   * without a topic they have no actions until you call `addAlarmActions`. The topic's KMS
   * key (when it carries one) gets the statement CloudWatch needs to publish; an imported key
   * gets a warning (`alarmTopicKeyPolicy`) instead.
   *
   * @default - no alarm actions
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Alarm when the oldest unread record of the stream is older than this (Firehose lags).
   *
   * @default Duration.minutes(15)
   */
  readonly iteratorAgeAlarmThreshold?: Duration;
  /**
   * Alarm when the oldest undelivered record in Firehose is older than this; must exceed
   * the buffering interval.
   *
   * @default Duration.minutes(30)
   */
  readonly deliveryFreshnessAlarmThreshold?: Duration;
  /**
   * Retention of the log group of Firehose delivery errors.
   *
   * @default logs.RetentionDays.THREE_MONTHS
   */
  readonly errorLogRetention?: logs.RetentionDays;
  /**
   * What happens to the stream and its key when they leave the stack. DESTROY needs the context
   * flag `cdk-scalable-ai:allowDestroy` as well; otherwise they are retained with a warning.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

export interface StreamingIngestionProps extends StreamingIngestionOptions {
  /** The lake zone the records land in. */
  readonly destination: IDataLakeZone;
}


/** Wildcard actions of the Firehose L2 destination role (bucket.grantReadWrite + key.grantEncryptDecrypt). */
const FIREHOSE_DESTINATION_WILDCARD_ACTIONS = ['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

/** Id of the stack-level mapping that aws-kinesisfirehose adds for its `connections`. */
const FIREHOSE_CIDR_MAPPING_ID = '@aws-cdk/aws-kinesisfirehose.CidrBlocks';

/** Alarm thresholds when not given. */
export const DEFAULT_ITERATOR_AGE_THRESHOLD = Duration.minutes(15);
export const DEFAULT_DELIVERY_FRESHNESS_THRESHOLD = Duration.minutes(30);

/**
 * Streams records into a data-lake zone: a KMS-encrypted Kinesis Data Stream (on-demand by
 * default) read by an Amazon Data Firehose delivery stream that writes time-partitioned,
 * compressed (or Parquet) objects to the zone, with alarms on lag, throttling and freshness.
 */
export class StreamingIngestion extends Construct implements iam.IGrantable, IStreamingIngestion {
  /** A streaming ingestion of another app (its stream and key), so producers here get grantWrite. */
  public static fromStreamAttributes(scope: Construct, id: string, attrs: StreamingIngestionAttributes): IStreamingIngestion {
    return new ImportedStreamingIngestion(scope, id, attrs);
  }

  public readonly stream: kinesis.IStream;
  public readonly deliveryStream: firehose.DeliveryStream;
  /** Key of the stream. */
  public readonly encryptionKey: kms.IKey;
  /** Object prefix of delivered records, with Firehose expressions. */
  public readonly dataOutputPrefix: string;
  /** Object prefix of failed records, with Firehose expressions. */
  public readonly errorOutputPrefix: string;
  /** Alarm: GetRecords.IteratorAgeMilliseconds above the threshold. */
  public readonly iteratorAgeAlarm: cloudwatch.Alarm;
  /** Alarm: WriteProvisionedThroughputExceeded (producers throttled). */
  public readonly writeThrottleAlarm: cloudwatch.Alarm;
  /** Alarm: DeliveryToS3.DataFreshness above the threshold. */
  public readonly deliveryFreshnessAlarm: cloudwatch.Alarm;
  /** The principal of the delivery stream (reads the stream, writes the zone). */
  public readonly grantPrincipal: iam.IPrincipal;
  private readonly ingestionAlarms: IngestionAlarms;

  constructor(scope: Construct, id: string, props: StreamingIngestionProps) {
    super(scope, id);
    checkPropTypes(this, 'StreamingIngestionProps', props);
    const settings = this.validate(id, props);
    const removalPolicy = statefulRemovalPolicy(this, 'removalPolicy', props.removalPolicy, 'the Kinesis stream and its KMS key');

    this.encryptionKey = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Streaming ingestion ${this.node.path}: encrypts the Kinesis stream`,
      enableKeyRotation: true,
      removalPolicy,
    });
    this.stream = new kinesis.Stream(this, 'Stream', {
      streamMode: settings.streamMode,
      shardCount: settings.streamMode === kinesis.StreamMode.PROVISIONED ? props.shardCount ?? DEFAULT_SHARD_COUNT : undefined,
      retentionPeriod: props.retentionPeriod ?? DEFAULT_STREAM_RETENTION,
      encryption: kinesis.StreamEncryption.KMS,
      encryptionKey: this.encryptionKey,
      removalPolicy,
    });

    this.dataOutputPrefix = `${settings.prefix}/` +
      (settings.dynamicPartitioning ? `${settings.partitionKeyName}=!{partitionKeyFromQuery:${settings.partitionKeyName}}/` : '') +
      TIME_PARTITIONING;
    this.errorOutputPrefix = `errors/${settings.prefix}/!{firehose:error-output-type}/${TIME_PARTITIONING}`;

    const processors: firehose.IDataProcessor[] = [];
    if (settings.dynamicPartitioning) {
      processors.push(firehose.MetadataExtractionProcessor.jq16({ [settings.partitionKeyName]: props.partitionKeyExpression! }));
      if (!settings.parquet) processors.push(new firehose.AppendDelimiterToRecordProcessor());
    }

    // Delivery errors can quote record content: encrypted with the stream's key.
    allowLogsToUseKey(this.encryptionKey);
    const errorLogGroup = new logs.LogGroup(this, 'DeliveryErrors', {
      retention: props.errorLogRetention ?? DEFAULT_ERROR_LOG_RETENTION,
      encryptionKey: this.encryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const destination = new firehose.S3Bucket(props.destination.bucket, {
      dataOutputPrefix: this.dataOutputPrefix,
      errorOutputPrefix: this.errorOutputPrefix,
      encryptionKey: props.destination.encryptionKey,
      compression: settings.parquet ? undefined : props.compression ?? DEFAULT_COMPRESSION,
      bufferingInterval: settings.bufferingInterval,
      bufferingSize: settings.bufferingSize,
      loggingConfig: new firehose.EnableLogging(errorLogGroup),
      processors: processors.length > 0 ? processors : undefined,
      dynamicPartitioning: settings.dynamicPartitioning ? { enabled: true } : undefined,
      dataFormatConversion: settings.parquet ? {
        schemaConfiguration: firehose.SchemaConfiguration.fromCfnTable(props.parquetSchema ?? createSchemaTable(this, 'Schema', {
          zone: props.destination,
          tableName: props.parquetTableName ?? id.toLowerCase().replace(/[^a-z0-9_]/g, '_'),
          columns: props.parquetColumns!,
          locationPrefix: settings.prefix,
        })),
        inputFormat: firehose.InputFormat.OPENX_JSON,
        outputFormat: firehose.OutputFormat.PARQUET,
      } : undefined,
    });
    this.deliveryStream = new firehose.DeliveryStream(this, 'Delivery', {
      source: new firehose.KinesisStreamSource(this.stream),
      destination,
    });
    this.grantPrincipal = this.deliveryStream.grantPrincipal;
    this.acknowledgeFindings(props.destination, settings.parquet);

    this.ingestionAlarms = new IngestionAlarms(this, 'Alarms', {
      iteratorAge: this.metricIteratorAgeMilliseconds(),
      iteratorAgeThreshold: props.iteratorAgeAlarmThreshold ?? DEFAULT_ITERATOR_AGE_THRESHOLD,
      writeThrottled: this.metricWriteProvisionedThroughputExceeded(),
      deliveryFreshness: this.metricDeliveryFreshness(),
      deliveryFreshnessThreshold: props.deliveryFreshnessAlarmThreshold ?? DEFAULT_DELIVERY_FRESHNESS_THRESHOLD,
      what: this.node.path,
    });
    this.iteratorAgeAlarm = this.ingestionAlarms.iteratorAge;
    this.writeThrottleAlarm = this.ingestionAlarms.writeThrottled;
    this.deliveryFreshnessAlarm = this.ingestionAlarms.deliveryFreshness;
    if (props.alarmTopic) {
      ensureAlarmTopicUsable(this, 'alarmTopic', props.alarmTopic);
      this.ingestionAlarms.notify(props.alarmTopic);
    } else {
      acknowledgeRule(this.ingestionAlarms, 'NIST.800.53.R5-CloudWatchAlarmAction',
        'Without alarmTopic the alarms get their actions later: PlatformMonitoring mirrors them with its encrypted topic, or the owner calls addAlarmActions().');
    }
    acknowledgeInlinePolicies(this);
  }

  /** The alarms of this ingestion: iterator age, write throttling, delivery freshness. */
  public get alarms(): cloudwatch.Alarm[] {
    return [this.iteratorAgeAlarm, this.writeThrottleAlarm, this.deliveryFreshnessAlarm];
  }

  /** Adds actions (alarm and OK) to every alarm, e.g. when a monitoring stack adopts them. */
  public addAlarmActions(...actions: cloudwatch.IAlarmAction[]): void {
    this.ingestionAlarms.addActions(...actions);
  }

  /**
   * Grants a producer writing records: kinesis:PutRecord, kinesis:PutRecords,
   * kinesis:ListShards and kinesis:DescribeStreamSummary on this stream and
   * kms:GenerateDataKey on the stream key (through Kinesis only). No wildcard actions.
   */
  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return grantStreamWrite(grantee, this.stream, this.encryptionKey);
  }

  /** Records put into the stream (AWS/Kinesis IncomingRecords, sum over 5 minutes). */
  public metricIncomingRecords(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metric('IncomingRecords', { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props });
  }

  /** Bytes put into the stream (AWS/Kinesis IncomingBytes, sum over 5 minutes). */
  public metricIncomingBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metric('IncomingBytes', { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props });
  }

  /** Age of the oldest record not yet read (AWS/Kinesis GetRecords.IteratorAgeMilliseconds, maximum over 5 minutes). */
  public metricIteratorAgeMilliseconds(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metric('GetRecords.IteratorAgeMilliseconds', { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5), ...props });
  }

  /** Throttled writes (AWS/Kinesis WriteProvisionedThroughputExceeded, sum over 5 minutes). */
  public metricWriteProvisionedThroughputExceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.stream.metric('WriteProvisionedThroughputExceeded', { statistic: cloudwatch.Stats.SUM, period: Duration.minutes(5), ...props });
  }

  /** Age in seconds of the oldest record not yet in S3 (AWS/Firehose DeliveryToS3.DataFreshness, maximum over 5 minutes). */
  public metricDeliveryFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DeliveryToS3.DataFreshness', { statistic: cloudwatch.Stats.MAXIMUM, period: Duration.minutes(5), ...props });
  }

  /** Ratio of successful S3 puts (AWS/Firehose DeliveryToS3.Success, average over 5 minutes). */
  public metricDeliverySuccess(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deliveryStream.metric('DeliveryToS3.Success', { statistic: cloudwatch.Stats.AVERAGE, period: Duration.minutes(5), ...props });
  }

  private acknowledgeFindings(destination: IDataLakeZone, parquet: boolean): void {
    const cidrMapping = Stack.of(this).node.tryFindChild(FIREHOSE_CIDR_MAPPING_ID);
    if (cidrMapping) {
      // The validation reports the unused mapping on the stack itself, so that is where the
      // acknowledgement has to go (an acknowledgement on the mapping is not consulted).
      Validations.of(Stack.of(this)).acknowledge({
        id: 'CloudFormation-Validate::W7001',
        reason: 'aws-kinesisfirehose adds this region -> Firehose CIDR mapping for its `connections` (VPC destinations); a delivery stream into S3 never looks it up.',
      });
    }
    Validations.of(this.stream).acknowledge({
      id: 'AwsSolutions-KDS3',
      reason: 'The stream uses a customer-managed key with rotation on purpose: its key policy and grants stay separate from the AWS managed aws/kinesis key and from the lake key.',
    });
    Validations.of(this.deliveryStream).acknowledge({
      id: 'AwsSolutions-KDF1',
      reason: 'Firehose rejects server-side encryption on a delivery stream whose source is a Kinesis stream; records are encrypted at rest in the stream (customer key) and in S3 (lake key).',
    });
    acknowledgeWildcards(this.deliveryStream,
      'The Firehose L2 S3 destination grants its role bucket.grantReadWrite on the destination zone only (objects under prefixes that hold Firehose expressions resolved at delivery) and encrypt/decrypt on the lake key; only firehose.amazonaws.com assumes the role.',
      [
        ...FIREHOSE_DESTINATION_WILDCARD_ACTIONS.map(wildcardAction),
        wildcardResource(this, destination.bucket.arnForObjects('*')),
      ]);
    if (parquet) {
      acknowledgeWildcards(this.deliveryStream,
        'Parquet conversion: the Firehose L2 grants glue:GetSchemaVersion on "*" (Glue Schema Registry versions have no table-scoped ARN); table reads are scoped to the schema table.',
        [() => 'Resource::*']);
    }
  }

  private validate(id: string, props: StreamingIngestionProps) {
    if (!props.destination || !props.destination.bucket) {
      throw new PropValidationError(this, 'destination', props.destination, 'is not a data-lake zone', 'Pass lake.zone("raw") or another IDataLakeZone.');
    }
    const prefix = props.prefix ?? `${DEFAULT_PREFIX_ROOT}/${id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'ingestion'}`;
    if (isToken(prefix)) {
      throw new PropValidationError(this, 'prefix', prefix, 'is a token', 'The prefix is part of Firehose prefix expressions and must be a literal string.');
    }
    checkPattern(this, 'prefix', prefix, INGESTION_PREFIX_PATTERN,
      "1-200 characters from letters, digits and / - _ . ! * ' ( ), without a leading, trailing or double '/'", 'streams/clickstream');

    const streamMode = props.streamMode ?? kinesis.StreamMode.ON_DEMAND;
    if (streamMode === kinesis.StreamMode.ON_DEMAND && props.shardCount !== undefined) {
      throw new PropValidationError(this, 'shardCount', props.shardCount, 'is set but streamMode is ON_DEMAND (on-demand streams manage their shards)',
        'Remove shardCount, or set streamMode to kinesis.StreamMode.PROVISIONED.');
    }
    checkInteger(this, 'shardCount', props.shardCount, 1);
    this.checkDuration('retentionPeriod', props.retentionPeriod);
    checkDurationRange(this, 'retentionPeriod', props.retentionPeriod, MIN_STREAM_RETENTION, MAX_STREAM_RETENTION);
    if (props.retentionPeriod && !props.retentionPeriod.isUnresolved() && !Number.isInteger(props.retentionPeriod.toHours({ integral: false }))) {
      throw new PropValidationError(this, 'retentionPeriod', `${props.retentionPeriod.toHours({ integral: false })} hours`, 'is not a whole number of hours',
        'Set retentionPeriod with Duration.hours(n), 24 <= n <= 8760.');
    }

    const retention = props.retentionPeriod ?? DEFAULT_STREAM_RETENTION;
    const iteratorAge = props.iteratorAgeAlarmThreshold ?? DEFAULT_ITERATOR_AGE_THRESHOLD;
    if (!retention.isUnresolved() && !iteratorAge.isUnresolved()
      && iteratorAge.toMilliseconds({ integral: false }) >= retention.toMilliseconds({ integral: false })) {
      throw new PropValidationError(this, 'iteratorAgeAlarmThreshold', iteratorAge.toHumanString(),
        `is not below the stream's retention (${retention.toHumanString()}): records expire before the alarm could fire`,
        'Set iteratorAgeAlarmThreshold well below retentionPeriod (e.g. a quarter of it), or raise retentionPeriod.');
    }
    const dynamicPartitioning = props.dynamicPartitioning ?? props.partitionKeyExpression !== undefined;
    if (dynamicPartitioning && (props.partitionKeyExpression === undefined || (!isToken(props.partitionKeyExpression) && `${props.partitionKeyExpression}`.trim() === ''))) {
      throw new PropValidationError(this, 'partitionKeyExpression', props.partitionKeyExpression, 'is missing but dynamicPartitioning is on',
        'Set partitionKeyExpression to a jq expression such as ".customer_id", or turn dynamicPartitioning off.');
    }
    if (!dynamicPartitioning && props.partitionKeyExpression !== undefined) {
      throw new PropValidationError(this, 'dynamicPartitioning', false, 'is false but partitionKeyExpression is set',
        'Remove partitionKeyExpression, or remove dynamicPartitioning (it turns on with an expression).');
    }
    const partitionKeyName = props.partitionKeyName ?? DEFAULT_PARTITION_KEY_NAME;
    if (isToken(partitionKeyName)) {
      throw new PropValidationError(this, 'partitionKeyName', partitionKeyName, 'is a token', 'The key name is part of the Firehose prefix and must be a literal string.');
    }
    checkPattern(this, 'partitionKeyName', partitionKeyName, PARTITION_KEY_NAME_PATTERN, 'lowercase letters, digits and "_", starting with a letter, at most 64 characters', 'customer_id');

    if (props.parquetSchema && props.parquetColumns) {
      throw new PropValidationError(this, 'parquetColumns', 'set', 'is given together with parquetSchema',
        'Give the schema once: typed parquetColumns (the ingestion creates the table) or your own table as parquetSchema.');
    }
    if (props.parquetColumns !== undefined) checkParquetColumns(this, 'parquetColumns', props.parquetColumns);
    if (props.parquetTableName !== undefined) {
      checkPattern(this, 'parquetTableName', props.parquetTableName, /^[a-z_][a-z0-9_]{0,254}$/, 'lowercase letters, digits and "_"', 'clicks');
    }
    const schemaGiven = props.parquetSchema !== undefined || props.parquetColumns !== undefined;
    const parquet = props.convertToParquet ?? schemaGiven;
    if (parquet && !schemaGiven) {
      throw new PropValidationError(this, 'parquetSchema', undefined, 'is missing but convertToParquet is true',
        'Give parquetColumns (typed columns) or the glue.CfnTable whose columns define the Parquet schema, or turn convertToParquet off.');
    }
    if (!parquet && schemaGiven) {
      throw new PropValidationError(this, 'convertToParquet', false, `is false but ${props.parquetSchema ? 'parquetSchema' : 'parquetColumns'} is set`,
        `Remove ${props.parquetSchema ? 'parquetSchema' : 'parquetColumns'}, or remove convertToParquet (it turns on with a schema).`);
    }
    if (parquet && props.compression && props.compression.value !== firehose.Compression.UNCOMPRESSED.value) {
      throw new PropValidationError(this, 'compression', props.compression.value, 'is not allowed with Parquet conversion (Parquet compresses its pages with Snappy)',
        'Remove compression or set it to Compression.UNCOMPRESSED.');
    }

    const aggregated = dynamicPartitioning || parquet;
    const bufferingInterval = props.bufferingInterval ?? DEFAULT_BUFFERING_INTERVAL;
    this.checkDuration('bufferingInterval', props.bufferingInterval);
    checkDurationRange(this, 'bufferingInterval', bufferingInterval,
      dynamicPartitioning ? MIN_BUFFERING_INTERVAL_DYNAMIC_PARTITIONING : Duration.seconds(0), MAX_BUFFERING_INTERVAL);
    if (!bufferingInterval.isUnresolved() && !Number.isInteger(bufferingInterval.toSeconds({ integral: false }))) {
      throw new PropValidationError(this, 'bufferingInterval', bufferingInterval.toHumanString(), 'is not a whole number of seconds', 'Use Duration.seconds(n).');
    }
    const bufferingSize = props.bufferingSize ?? (aggregated ? DEFAULT_BUFFERING_SIZE_AGGREGATED : DEFAULT_BUFFERING_SIZE);
    if (!(bufferingSize instanceof Size)) {
      throw new PropValidationError(this, 'bufferingSize', bufferingSize, 'is not a Size', 'Use Size.mebibytes(n).');
    }
    checkSizeRange(this, 'bufferingSize', bufferingSize, aggregated ? MIN_BUFFERING_SIZE_AGGREGATED_MIB : MIN_BUFFERING_SIZE_MIB, MAX_BUFFERING_SIZE_MIB,
      aggregated ? ' (dynamic partitioning and Parquet conversion need at least 64 MiB)' : '');
    if (!bufferingSize.isUnresolved() && !Number.isInteger(bufferingSize.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024)) {
      throw new PropValidationError(this, 'bufferingSize', bufferingSize.toString(), 'is not a whole number of MiB', 'Use Size.mebibytes(n).');
    }

    this.checkDuration('iteratorAgeAlarmThreshold', props.iteratorAgeAlarmThreshold);
    checkDurationRange(this, 'iteratorAgeAlarmThreshold', props.iteratorAgeAlarmThreshold, Duration.minutes(1), MAX_STREAM_RETENTION);
    this.checkDuration('deliveryFreshnessAlarmThreshold', props.deliveryFreshnessAlarmThreshold);
    const freshness = props.deliveryFreshnessAlarmThreshold ?? DEFAULT_DELIVERY_FRESHNESS_THRESHOLD;
    checkDurationRange(this, 'deliveryFreshnessAlarmThreshold', freshness, Duration.minutes(1), Duration.days(1));
    if (!freshness.isUnresolved() && !bufferingInterval.isUnresolved() && freshness.toSeconds({ integral: false }) <= bufferingInterval.toSeconds({ integral: false })) {
      throw new PropValidationError(this, 'deliveryFreshnessAlarmThreshold', freshness.toHumanString(),
        `is not above bufferingInterval (${bufferingInterval.toHumanString()}), so the alarm would fire on every buffer`,
        'Raise deliveryFreshnessAlarmThreshold above the buffering interval (e.g. twice it plus 5 minutes), or lower bufferingInterval.');
    }
    return { prefix, streamMode, dynamicPartitioning, partitionKeyName, parquet, bufferingInterval, bufferingSize };
  }

  private checkDuration(prop: string, value: unknown): void {
    if (value !== undefined && !(value instanceof Duration)) {
      throw new PropValidationError(this, prop, value, 'is not a Duration', `Pass ${prop} as a Duration (e.g. Duration.hours(24)).`);
    }
  }
}
