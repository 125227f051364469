/** The StreamingIngestion section: throughput, lag, throttling, delivery freshness; adopts its alarms. */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { StreamingIngestion } from '../../data/streaming-ingestion';
import { IMonitorable, IPlatformMonitoring, MonitoringSection } from '../monitorable';

/**
 * Monitors a StreamingIngestion. Its own alarms (iterator age, write throttling, delivery
 * freshness, thresholds set on the ingestion) are adopted: the monitoring adds its topic to
 * them. Do not also give the ingestion the same `alarmTopic`, or each alarm notifies twice.
 */
export class StreamingIngestionMonitor implements IMonitorable {
  public readonly monitoredComponent: IConstruct;

  constructor(private readonly ingestion: StreamingIngestion) {
    this.monitoredComponent = ingestion;
  }

  public bind(_scope: Construct, _monitoring: IPlatformMonitoring): MonitoringSection {
    const ingestion = this.ingestion;
    return {
      title: `Streaming ingestion ${ingestion.node.id}`,
      description: 'Kinesis Data Stream into Firehose into the data lake: records in, consumer lag, producer throttling, age of the oldest undelivered record.',
      widgets: [
        new cloudwatch.GraphWidget({
          title: 'Records and bytes in',
          left: [ingestion.metricIncomingRecords({ label: 'records' })],
          right: [ingestion.metricIncomingBytes({ label: 'bytes' })],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: 'Stream lag (iterator age, ms)',
          left: [ingestion.metricIteratorAgeMilliseconds({ label: 'iterator age' })],
          leftAnnotations: [{ value: thresholdOf(ingestion.iteratorAgeAlarm), label: 'alarm' }],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: 'Throttled writes',
          left: [ingestion.metricWriteProvisionedThroughputExceeded({ label: 'throttled' })],
          width: 6,
        }),
        new cloudwatch.GraphWidget({
          title: 'Delivery freshness (s) and success',
          left: [ingestion.metricDeliveryFreshness({ label: 'oldest undelivered record' })],
          leftAnnotations: [{ value: thresholdOf(ingestion.deliveryFreshnessAlarm), label: 'alarm' }],
          right: [ingestion.metricDeliverySuccess({ label: 'success ratio' })],
          rightYAxis: { min: 0, max: 1, showUnits: false },
          width: 6,
        }),
      ],
      alarms: ingestion.alarms,
    };
  }
}

function thresholdOf(alarm: cloudwatch.Alarm): number {
  return (alarm.node.defaultChild as cloudwatch.CfnAlarm).threshold ?? 0;
}
