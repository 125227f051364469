/** The DataLake section: growth of every zone (S3 daily storage metrics). */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { IDataLake } from '../../data/data-lake';
import { IMonitorable, IPlatformMonitoring, MonitoringSection } from '../monitorable';

/**
 * Monitors a DataLake: bytes in S3 Standard and objects per zone. S3 publishes these once a
 * day, so the section graphs growth and has no alarms.
 */
export class DataLakeMonitor implements IMonitorable {
  public readonly monitoredComponent: IConstruct;

  constructor(private readonly lake: IDataLake) {
    this.monitoredComponent = lake;
  }

  public bind(_scope: Construct, _monitoring: IPlatformMonitoring): MonitoringSection {
    const zones = this.lake.zoneNames.map((name) => this.lake.zone(name));
    return {
      title: `Data lake ${this.lake.node.id}`,
      description: 'Daily S3 storage metrics per zone (published once a day; lifecycle rules move older objects out of Standard).',
      widgets: [
        new cloudwatch.GraphWidget({
          title: 'Bytes in S3 Standard per zone',
          left: zones.map((z) => z.metricBucketSizeBytes({ label: z.zoneName })),
          leftYAxis: { min: 0 },
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: 'Objects per zone',
          left: zones.map((z) => z.metricNumberOfObjects({ label: z.zoneName })),
          leftYAxis: { min: 0, showUnits: false },
          width: 12,
        }),
      ],
      alarms: [],
    };
  }
}
