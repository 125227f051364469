import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { DataLake, PlatformMonitoring, StreamingIngestion } from '../../lib';
import { cleanTemplates, testApp } from '../harness/synth';

describe('alarms of another stack', () => {
  test('are mirrored into the monitoring stack, with the same metric and threshold, instead of creating a dependency cycle', () => {
    const app = testApp();
    const data = new Stack(app, 'Data');
    const lake = new DataLake(data, 'Lake');
    const ingestion = new StreamingIngestion(data, 'Clicks', { destination: lake.zone('raw') });
    const ops = new Stack(app, 'Ops');
    // The data stack already depends on nothing; the monitoring stack reads its names.
    const monitoring = new PlatformMonitoring(ops, 'Monitoring');
    monitoring.monitor(ingestion);

    const [dataTemplate, opsTemplate] = cleanTemplates(data, ops);
    // The ingestion's own alarms stay without actions in their stack...
    for (const alarm of Object.values(dataTemplate.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
    // ...and their mirrors in the monitoring stack notify the topic on ALARM and OK.
    opsTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'GetRecords.IteratorAgeMilliseconds',
      Namespace: 'AWS/Kinesis',
      Threshold: 900000,
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
      OKActions: [{ Ref: Match.stringLikeRegexp('^MonitoringAlarmTopic') }],
    });
    expect(Object.keys(opsTemplate.findResources('AWS::CloudWatch::Alarm', { Properties: { Namespace: Match.stringLikeRegexp('AWS/(Kinesis|Firehose)') } }))).toHaveLength(3);
    expect(monitoring.alarms.every((a) => Stack.of(a) === ops)).toBe(true);
  });
});
