/**
 * The alarms of a StreamingIngestion. Each alarm watches a metric that carries its resource
 * dimension (StreamName or DeliveryStreamName). Actions are added when a topic is given or
 * later through `addActions`: the alarms exist either way, so a monitoring stack can adopt them.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** Consecutive 5-minute periods that must breach before an ingestion alarm fires. */
export const INGESTION_ALARM_EVALUATION_PERIODS = 3;

/** @internal */
export interface IngestionAlarmsProps {
  readonly iteratorAge: cloudwatch.IMetric;
  readonly iteratorAgeThreshold: Duration;
  readonly writeThrottled: cloudwatch.IMetric;
  readonly deliveryFreshness: cloudwatch.IMetric;
  readonly deliveryFreshnessThreshold: Duration;
  /** Construct path, for alarm descriptions. */
  readonly what: string;
}

/** @internal */
export class IngestionAlarms extends Construct {
  public readonly iteratorAge: cloudwatch.Alarm;
  public readonly writeThrottled: cloudwatch.Alarm;
  public readonly deliveryFreshness: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: IngestionAlarmsProps) {
    super(scope, id);
    const common = {
      evaluationPeriods: INGESTION_ALARM_EVALUATION_PERIODS,
      datapointsToAlarm: INGESTION_ALARM_EVALUATION_PERIODS,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      // No data means no traffic, which is not a failure of the pipeline.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };
    this.iteratorAge = new cloudwatch.Alarm(this, 'IteratorAge', {
      ...common,
      metric: props.iteratorAge,
      threshold: props.iteratorAgeThreshold.toMilliseconds(),
      alarmDescription: `${props.what}: Firehose reads the stream more than ${props.iteratorAgeThreshold.toHumanString()} behind; records expire when the lag reaches the stream retention.`,
    });
    this.writeThrottled = new cloudwatch.Alarm(this, 'WriteThrottled', {
      ...common,
      metric: props.writeThrottled,
      threshold: 0,
      alarmDescription: `${props.what}: producers are throttled (WriteProvisionedThroughputExceeded); add shards or switch to on-demand.`,
    });
    this.deliveryFreshness = new cloudwatch.Alarm(this, 'DeliveryFreshness', {
      ...common,
      metric: props.deliveryFreshness,
      threshold: props.deliveryFreshnessThreshold.toSeconds(),
      alarmDescription: `${props.what}: records wait more than ${props.deliveryFreshnessThreshold.toHumanString()} for delivery to S3; check the delivery error logs.`,
    });
  }

  public get all(): cloudwatch.Alarm[] {
    return [this.iteratorAge, this.writeThrottled, this.deliveryFreshness];
  }

  /** Notifies the topic on ALARM and on OK. */
  public notify(topic: sns.ITopic): void {
    this.addActions(new actions.SnsAction(topic));
  }

  public addActions(...alarmActions: cloudwatch.IAlarmAction[]): void {
    for (const alarm of this.all) {
      alarm.addAlarmAction(...alarmActions);
      alarm.addOkAction(...alarmActions);
    }
  }
}
