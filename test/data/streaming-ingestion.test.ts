import { Duration, RemovalPolicy, Size, Token } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import fc from 'fast-check';
import { encryptedTopic, errorOf, stackFixture } from './fixtures';
import { DataLake, StreamingIngestion, StreamingIngestionProps } from '../../lib/data'
import { expectNagClean } from '../harness/nag';
import { acknowledgeInvariant } from '../harness/invariants';
import { cleanTemplate } from '../harness/synth';
import { TIME_PARTITIONING } from '../../lib/data/streaming-ingestion';
import { PRODUCER_STREAM_ACTIONS } from '../../lib/data/streaming-ingestion-ref';

const TIME = 'year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/';

function eventsTable(stack: import('aws-cdk-lib').Stack): glue.CfnTable {
  return new glue.CfnTable(stack, 'EventsTable', {
    catalogId: '111122223333',
    databaseName: 'events',
    tableInput: {
      name: 'clicks',
      storageDescriptor: { columns: [{ name: 'customer_id', type: 'string' }, { name: 'ts', type: 'timestamp' }] },
    },
  });
}

/** An ingestion whose alarms notify a topic, unless `alarmTopic: undefined` is given explicitly. */
function build(props: Partial<StreamingIngestionProps> = {}, appContext: Record<string, unknown> = {}) {
  const { app, stack } = stackFixture({ context: appContext });
  const lake = new DataLake(stack, 'Lake');
  const alarmTopic = 'alarmTopic' in props ? props.alarmTopic : encryptedTopic(stack);
  const ingestion = new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('raw'), ...props, alarmTopic });
  return { app, stack, lake, ingestion };
}

describe('StreamingIngestion defaults', () => {
  const { app, stack, ingestion } = build({ alarmTopic: undefined });
  // The documented default: no actions until an owner adopts the alarms (PlatformMonitoring
  // mirrors them, or addAlarmActions); this suite pins that default before adoption.
  acknowledgeInvariant(app, 'alarms-notify', /alarm S\/Clicks/, 'alarms without alarmTopic get their actions from PlatformMonitoring or addAlarmActions');
  const producer = new iam.Role(stack, 'Producer', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
  ingestion.grantWrite(producer);
  const template = cleanTemplate(stack);

  test('an on-demand stream with 24 h retention, encrypted with its own rotating key, retained', () => {
    expect(TIME_PARTITIONING).toBe(TIME);
    template.hasResource('AWS::Kinesis::Stream', {
      Properties: {
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 24,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: { 'Fn::GetAtt': ['ClicksKeyCE4F6D76', 'Arn'] } },
        ShardCount: Match.absent(),
      },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ EnableKeyRotation: true, Description: Match.stringLikeRegexp('Streaming ingestion') }), DeletionPolicy: 'Retain' });
  });

  test('Firehose reads the stream and writes time-partitioned GZIP objects with the lake key', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'KinesisStreamAsSource',
      KinesisStreamSourceConfiguration: { KinesisStreamARN: { 'Fn::GetAtt': ['ClicksStream351DBF42', 'Arn'] } },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': ['LakeZonerawBucketD7F34696', 'Arn'] },
        Prefix: `streams/clicks/${TIME}`,
        ErrorOutputPrefix: `errors/streams/clicks/!{firehose:error-output-type}/${TIME}`,
        CompressionFormat: 'GZIP',
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 5 },
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: { 'Fn::GetAtt': ['LakeKey7B6C155C', 'Arn'] } } },
        CloudWatchLoggingOptions: Match.objectLike({ Enabled: true }),
        DynamicPartitioningConfiguration: Match.absent(),
        DataFormatConversionConfiguration: Match.absent(),
      }),
    });
    expect(ingestion.dataOutputPrefix).toBe(`streams/clicks/${TIME}`);
    // Delivery errors can quote records: the log group is encrypted with the stream's key.
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClicksKey'), 'Arn'] } });
  });

  test('three alarms with the resource dimensions; no actions without a topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 3);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Kinesis', MetricName: 'GetRecords.IteratorAgeMilliseconds', Statistic: 'Maximum', Period: 300,
      Dimensions: [{ Name: 'StreamName', Value: { Ref: 'ClicksStream351DBF42' } }],
      Threshold: 900000, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'notBreaching',
      AlarmActions: Match.absent(),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Kinesis', MetricName: 'WriteProvisionedThroughputExceeded', Statistic: 'Sum', Period: 300,
      Dimensions: [{ Name: 'StreamName', Value: { Ref: 'ClicksStream351DBF42' } }], Threshold: 0,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Firehose', MetricName: 'DeliveryToS3.DataFreshness', Statistic: 'Maximum', Period: 300,
      Dimensions: [{ Name: 'DeliveryStreamName', Value: { Ref: 'ClicksDelivery8C2BD838' } }], Threshold: 1800,
    });
    expect(ingestion.alarms).toEqual([ingestion.iteratorAgeAlarm, ingestion.writeThrottleAlarm, ingestion.deliveryFreshnessAlarm]);
  });

  test('grantWrite gives producers exact Kinesis actions and GenerateDataKey through Kinesis only', () => {
    expect(PRODUCER_STREAM_ACTIONS).toEqual(['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary']);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Producer') }],
      PolicyDocument: {
        Statement: [
          { Effect: 'Allow', Action: ['kinesis:DescribeStreamSummary', 'kinesis:ListShards', 'kinesis:PutRecord', 'kinesis:PutRecords'], Resource: { 'Fn::GetAtt': ['ClicksStream351DBF42', 'Arn'] } },
          {
            Effect: 'Allow', Action: 'kms:GenerateDataKey', Resource: { 'Fn::GetAtt': ['ClicksKeyCE4F6D76', 'Arn'] },
            Condition: { StringEquals: { 'kms:ViaService': 'kinesis.eu-west-1.amazonaws.com' } },
          },
        ],
      },
    });
  });

  test('metrics carry the names and dimensions of the AWS docs', () => {
    const m = (metric: { toMetricConfig(): { metricStat?: unknown } }) => stack.resolve(metric.toMetricConfig().metricStat);
    const stream = [{ name: 'StreamName', value: { Ref: 'ClicksStream351DBF42' } }];
    const delivery = [{ name: 'DeliveryStreamName', value: { Ref: 'ClicksDelivery8C2BD838' } }];
    expect(m(ingestion.metricIncomingRecords())).toMatchObject({ namespace: 'AWS/Kinesis', metricName: 'IncomingRecords', statistic: 'Sum', dimensions: stream });
    expect(m(ingestion.metricIncomingBytes())).toMatchObject({ namespace: 'AWS/Kinesis', metricName: 'IncomingBytes', statistic: 'Sum', dimensions: stream });
    expect(m(ingestion.metricIteratorAgeMilliseconds())).toMatchObject({ metricName: 'GetRecords.IteratorAgeMilliseconds', statistic: 'Maximum', dimensions: stream });
    expect(m(ingestion.metricWriteProvisionedThroughputExceeded())).toMatchObject({ metricName: 'WriteProvisionedThroughputExceeded', dimensions: stream });
    expect(m(ingestion.metricDeliveryFreshness())).toMatchObject({ namespace: 'AWS/Firehose', metricName: 'DeliveryToS3.DataFreshness', dimensions: delivery });
    expect(m(ingestion.metricDeliverySuccess())).toMatchObject({ namespace: 'AWS/Firehose', metricName: 'DeliveryToS3.Success', statistic: 'Average', dimensions: delivery });
    expect(m(ingestion.metricIncomingRecords({ period: Duration.minutes(1) }))).toMatchObject({ period: Duration.minutes(1) });
  });
});

describe('StreamingIngestion options', () => {
  test('alarm topic: every alarm notifies on ALARM and OK; addAlarmActions wires alarms later', () => {
    const { stack, lake, ingestion } = build({ alarmTopic: undefined });
    const topic = encryptedTopic(stack);
    const other = encryptedTopic(stack, 'Other');
    new StreamingIngestion(stack, 'Orders', { destination: lake.zone('curated'), alarmTopic: topic });
    ingestion.addAlarmActions(new actions.SnsAction(other));
    const t = cleanTemplate(stack);
    const topicId = (s: string) => Object.keys(t.findResources('AWS::SNS::Topic')).find((id) => id.startsWith(s))!;
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Array<{ Properties: Record<string, unknown> }>;
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      const dimension = (alarm.Properties.Dimensions as Array<{ Value: { Ref: string } }>)[0].Value.Ref;
      const expected = [{ Ref: topicId(dimension.startsWith('Orders') ? 'Alerts' : 'Other') }];
      expect(alarm.Properties.AlarmActions).toEqual(expected);
      expect(alarm.Properties.OKActions).toEqual(expected);
    }
  });

  test('provisioned mode with shards, longer retention, custom prefix, buffering and thresholds', () => {
    const { stack } = build({
      streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 4, retentionPeriod: Duration.hours(168), prefix: 'events/clickstream',
      bufferingInterval: Duration.seconds(60), bufferingSize: Size.mebibytes(16), compression: firehose.Compression.SNAPPY,
      iteratorAgeAlarmThreshold: Duration.minutes(5), deliveryFreshnessAlarmThreshold: Duration.minutes(10),
    });
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 4, RetentionPeriodHours: 168, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: `events/clickstream/${TIME}`, ErrorOutputPrefix: `errors/events/clickstream/!{firehose:error-output-type}/${TIME}`,
        CompressionFormat: 'Snappy', BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 16 },
      }),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'GetRecords.IteratorAgeMilliseconds', Threshold: 300000 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'DeliveryToS3.DataFreshness', Threshold: 600 });
  });

  test('provisioned mode defaults to one shard', () => {
    const { stack } = build({ streamMode: kinesis.StreamMode.PROVISIONED });
    Template.fromStack(stack).hasResourceProperties('AWS::Kinesis::Stream', { ShardCount: 1 });
  });

  test('dynamic partitioning by a record field: jq extraction, delimiter, key in the prefix, 128 MiB buffer', () => {
    const { stack } = build({ partitionKeyExpression: '.customer_id', partitionKeyName: 'customer' });
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        Prefix: `streams/clicks/customer=!{partitionKeyFromQuery:customer}/${TIME}`,
        DynamicPartitioningConfiguration: Match.objectLike({ Enabled: true }),
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
        CompressionFormat: 'GZIP',
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            { Type: 'MetadataExtraction', Parameters: Match.arrayWith([{ ParameterName: 'MetadataExtractionQuery', ParameterValue: '{"customer":.customer_id}' }, { ParameterName: 'JsonParsingEngine', ParameterValue: 'JQ-1.6' }]) },
            Match.objectLike({ Type: 'AppendDelimiterToRecord' }),
          ],
        },
      }),
    });
  });

  test('Parquet conversion from a Glue table: no object compression, 128 MiB buffer', () => {
    const { stack } = stackFixture();
    const lake = new DataLake(stack, 'Lake');
    new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('curated'), parquetSchema: eventsTable(stack), compression: firehose.Compression.UNCOMPRESSED, alarmTopic: encryptedTopic(stack) });
    const t = cleanTemplate(stack);
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({
        CompressionFormat: Match.absent(),
        BufferingHints: { IntervalInSeconds: 300, SizeInMBs: 128 },
        DataFormatConversionConfiguration: Match.objectLike({
          Enabled: true,
          InputFormatConfiguration: { Deserializer: { OpenXJsonSerDe: Match.anyValue() } },
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: Match.anyValue() } },
          SchemaConfiguration: Match.objectLike({ DatabaseName: 'events', TableName: { Ref: 'EventsTable' } }),
        }),
      }),
    });
  });

  test('tokens pass validation', () => {
    const n = (ref: string) => Token.asNumber({ Ref: ref });
    expect(() => build({
      streamMode: kinesis.StreamMode.PROVISIONED, shardCount: n('Shards'), retentionPeriod: Duration.hours(n('Hours')),
      bufferingInterval: Duration.seconds(n('Interval')), bufferingSize: Size.mebibytes(n('Size')),
      iteratorAgeAlarmThreshold: Duration.millis(n('Age')), deliveryFreshnessAlarmThreshold: Duration.seconds(n('Fresh')), partitionKeyExpression: Token.asString({ Ref: 'Jq' }),
    })).not.toThrow();
  });

  test('DESTROY needs the context flag; without it the stream and key stay', () => {
    const retained = build({ removalPolicy: RemovalPolicy.DESTROY });
    Template.fromStack(retained.stack).hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
    Annotations.fromStack(retained.stack).hasWarning('/S/Clicks', Match.stringLikeRegexp('cdk-scalable-ai:allowDestroy is not true'));
    const destroyed = build({ removalPolicy: RemovalPolicy.DESTROY }, { 'cdk-scalable-ai:allowDestroy': true });
    Template.fromStack(destroyed.stack).hasResource('AWS::Kinesis::Stream', { DeletionPolicy: 'Delete' });
    Template.fromStack(destroyed.stack).hasResource('AWS::KMS::Key', { Properties: Match.objectLike({ Description: Match.stringLikeRegexp('Streaming') }), DeletionPolicy: 'Delete' });
  });

  test('is cdk-nag clean, including dynamic partitioning and an alarm topic', () => {
    const { app, stack } = build({ partitionKeyExpression: '.tenant' });
    const topic = encryptedTopic(stack, 'ParquetAlerts');
    new StreamingIngestion(stack, 'Parquet', { destination: (stack.node.findChild('Lake') as DataLake).zone('curated'), parquetSchema: eventsTable(stack), alarmTopic: topic });
    expect(() => expectNagClean(app)).not.toThrow();
  });
});

describe('StreamingIngestion validation', () => {
  test.each<[string, Partial<StreamingIngestionProps>, RegExp]>([
    ['retention below 24 h', { retentionPeriod: Duration.hours(12) }, /retentionPeriod = "12 hours" is outside 1 day\.\.365 days\. Set retentionPeriod to a Duration between 1 day and 365 days\./],
    ['retention above 8760 h', { retentionPeriod: Duration.days(366) }, /retentionPeriod = "366 days" is outside/],
    ['fractional retention', { retentionPeriod: Duration.minutes(1530) }, /retentionPeriod = "25.5 hours" is not a whole number of hours/],
    ['shards with on-demand', { shardCount: 2 }, /shardCount = 2 is set but streamMode is ON_DEMAND.*Remove shardCount, or set streamMode to kinesis\.StreamMode\.PROVISIONED/],
    ['zero shards', { streamMode: kinesis.StreamMode.PROVISIONED, shardCount: 0 }, /shardCount = 0 is not an integer >= 1/],
    ['buffering interval above 900 s', { bufferingInterval: Duration.seconds(901) }, /bufferingInterval = "15 minutes 1 second" is outside 0 seconds\.\.15 minutes/],
    ['buffering interval below 60 s with dynamic partitioning', { partitionKeyExpression: '.id', bufferingInterval: Duration.seconds(30) }, /bufferingInterval = "30 seconds" is outside 1 minute\.\.15 minutes/],
    ['buffer above 128 MiB', { bufferingSize: Size.mebibytes(129) }, /bufferingSize = "129 MiB" is outside 1\.\.128 MiB/],
    ['buffer below 64 MiB with dynamic partitioning', { partitionKeyExpression: '.id', bufferingSize: Size.mebibytes(32) }, /bufferingSize = "32 MiB" is outside 64\.\.128 MiB \(dynamic partitioning and Parquet conversion need at least 64 MiB\)/],
    ['dynamic partitioning without an expression', { dynamicPartitioning: true }, /partitionKeyExpression = undefined is missing but dynamicPartitioning is on\. Set partitionKeyExpression to a jq expression/],
    ['blank expression', { partitionKeyExpression: '  ' }, /partitionKeyExpression = " {2}" is missing/],
    ['expression with partitioning off', { dynamicPartitioning: false, partitionKeyExpression: '.id' }, /dynamicPartitioning = false is false but partitionKeyExpression is set/],
    ['Parquet without a schema', { convertToParquet: true }, /parquetSchema = undefined is missing but convertToParquet is true/],
    ['bad partition key name', { partitionKeyExpression: '.id', partitionKeyName: 'Customer Id' }, /partitionKeyName = "Customer Id" is invalid/],
    ['prefix with a trailing slash', { prefix: 'events/' }, /prefix = "events\/" is invalid/],
    ['prefix with an expression', { prefix: 'events/!{timestamp:yyyy}' }, /prefix = .* is invalid/],
    ['freshness threshold not above the buffer', { bufferingInterval: Duration.seconds(600), deliveryFreshnessAlarmThreshold: Duration.minutes(5) }, /deliveryFreshnessAlarmThreshold = "5 minutes" is not above bufferingInterval \(10 minutes\)/],
    ['iterator age threshold below a minute', { iteratorAgeAlarmThreshold: Duration.seconds(10) }, /iteratorAgeAlarmThreshold = "10 seconds" is outside/],
  ])('%s', (_, props, message) => {
    const error = errorOf(() => build(props));
    expect(error.name).toBe('ValidationError');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('S/Clicks: ');
  });

  test('compression other than UNCOMPRESSED with Parquet', () => {
    const { stack } = stackFixture();
    const lake = new DataLake(stack, 'Lake');
    const error = errorOf(() => new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('raw'), parquetSchema: eventsTable(stack), compression: firehose.Compression.GZIP }));
    expect(error.message).toMatch(/compression = "GZIP" is not allowed with Parquet conversion.*Remove compression or set it to Compression\.UNCOMPRESSED/);
  });
});

describe('property: StreamingIngestion props either synthesize or fail with a ValidationError naming the prop', () => {
  const arbitraryProps = fc.record({
    streamMode: fc.option(fc.constantFrom(kinesis.StreamMode.ON_DEMAND, kinesis.StreamMode.PROVISIONED), { nil: undefined }),
    shardCount: fc.option(fc.integer({ min: -1, max: 10 }), { nil: undefined }),
    retentionHours: fc.option(fc.oneof(fc.integer({ min: 0, max: 9000 }), fc.double({ min: 0, max: 9000, noNaN: true })), { nil: undefined }),
    intervalSeconds: fc.option(fc.integer({ min: 0, max: 1000 }), { nil: undefined }),
    sizeMiB: fc.option(fc.integer({ min: 0, max: 200 }), { nil: undefined }),
    dynamicPartitioning: fc.option(fc.boolean(), { nil: undefined }),
    partitionKeyExpression: fc.option(fc.constantFrom('.id', '', ' ', '.a.b'), { nil: undefined }),
    convertToParquet: fc.option(fc.boolean(), { nil: undefined }),
    withSchema: fc.boolean(),
    compression: fc.option(fc.constantFrom(firehose.Compression.GZIP, firehose.Compression.UNCOMPRESSED, firehose.Compression.SNAPPY), { nil: undefined }),
    freshnessMinutes: fc.option(fc.integer({ min: 0, max: 2000 }), { nil: undefined }),
  });
  const propNames = ['streamMode', 'shardCount', 'retentionPeriod', 'bufferingInterval', 'bufferingSize', 'dynamicPartitioning', 'partitionKeyExpression',
    'convertToParquet', 'parquetSchema', 'compression', 'deliveryFreshnessAlarmThreshold'];

  test('random props', () => {
    fc.assert(fc.property(arbitraryProps, (p) => {
      const { stack } = stackFixture();
      const lake = new DataLake(stack, 'Lake');
      let error: Error | undefined;
      try {
        new StreamingIngestion(stack, 'Clicks', {
          destination: lake.zone('raw'),
          streamMode: p.streamMode,
          shardCount: p.shardCount,
          retentionPeriod: p.retentionHours === undefined ? undefined : Duration.hours(p.retentionHours),
          bufferingInterval: p.intervalSeconds === undefined ? undefined : Duration.seconds(p.intervalSeconds),
          bufferingSize: p.sizeMiB === undefined ? undefined : Size.mebibytes(p.sizeMiB),
          dynamicPartitioning: p.dynamicPartitioning,
          partitionKeyExpression: p.partitionKeyExpression,
          convertToParquet: p.convertToParquet,
          parquetSchema: p.withSchema ? eventsTable(stack) : undefined,
          compression: p.compression,
          deliveryFreshnessAlarmThreshold: p.freshnessMinutes === undefined ? undefined : Duration.minutes(p.freshnessMinutes),
        });
      } catch (e) {
        error = e as Error;
      }
      if (error) {
        expect(error).not.toBeInstanceOf(TypeError);
        expect(error.name).toBe('ValidationError');
        const named = propNames.filter((prop) => error!.message.includes(`S/Clicks: ${prop} = `));
        expect(named).toHaveLength(1);
      } else {
        expect(() => Template.fromStack(stack)).not.toThrow();
      }
    }), { numRuns: 120 });
  });
});
