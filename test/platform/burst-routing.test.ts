import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmTopicKey } from '../../lib/monitoring/alarm-topic-key';
import { BurstRouting, EndpointHealthCheck, RoutingMode, RoutingTarget } from '../../lib'
import { nagFindings, RulePack } from '../harness/nag';
import { acknowledgeInvariant } from '../harness/invariants';
import { cleanTemplate, testApp } from '../harness/synth';
import { DEFAULT_HEARTBEAT_MISSED_MINUTES } from '../../lib/platform/burst-routing';

function alarmTopicKey(stack: Stack): kms.Key {
  const key = new kms.Key(stack, 'OperatorsKey', { enableKeyRotation: true });
  AlarmTopicKey.allowCloudWatchAlarms(key);
  return key;
}

function fixture(): { stack: Stack; zone: route53.IHostedZone; alarm: cloudwatch.Alarm } {
  const app = testApp();
  // The on-premises site publishes these metrics (KubernetesSite.addHeartbeat in a platform app,
  // see test/platform/ai-platform.test.ts); a BurstRouting unit test has no site of its own.
  acknowledgeInvariant(app, 'metrics-have-producers', /on (OnPremises Healthy|cdk-scalable-ai\/lab Heartbeat) /,
    'the on-premises site outside this unit test publishes the health metric');
  const stack = new Stack(app, 'Routing', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const zone = new route53.PrivateHostedZone(stack, 'Zone', { zoneName: 'ai.internal', vpc });
  const alarm = new cloudwatch.Metric({ namespace: 'OnPremises', metricName: 'Healthy', period: Duration.minutes(1) })
    .createAlarm(stack, 'Down', { threshold: 1, evaluationPeriods: 2, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD });
  // The site's operators are paged too, not only the health check that reads the alarm.
  alarm.addAlarmAction(new cloudwatchActions.SnsAction(new sns.Topic(stack, 'Operators', { masterKey: alarmTopicKey(stack), enforceSSL: true })));
  return { stack, zone, alarm };
}

describe('BurstRouting', () => {
  test('failover by default: on-premises primary with an alarm health check (unhealthy without data), cloud secondary, 30 s TTL', () => {
    const { stack, zone, alarm } = fixture();
    new BurstRouting(stack, 'Llm', {
      zone, recordName: 'llm',
      onPremises: RoutingTarget.dnsName('llm.lab.example'), cloud: RoutingTarget.dnsName('llm.cloud.example'),
      healthCheck: EndpointHealthCheck.fromAlarm(alarm),
    });
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: { Ref: Match.stringLikeRegexp('^Down') }, Region: 'eu-west-1' }, InsufficientDataHealthStatus: 'Unhealthy' }),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Type: 'CNAME', SetIdentifier: 'on-premises', Failover: 'PRIMARY', TTL: '30', ResourceRecords: ['llm.lab.example'], HealthCheckId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'CNAME', SetIdentifier: 'cloud', Failover: 'SECONDARY', ResourceRecords: ['llm.cloud.example'] });
  });

  test('weighted: 80/20 by default, HTTPS health check for a public endpoint', () => {
    const { stack, zone } = fixture();
    new BurstRouting(stack, 'Llm', {
      zone, recordName: 'llm', mode: RoutingMode.WEIGHTED,
      onPremises: RoutingTarget.ipAddress('203.0.113.10'), cloud: RoutingTarget.ipAddress('10.0.0.10'),
      healthCheck: EndpointHealthCheck.https('llm.lab.example.com'),
    });
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'HTTPS', FullyQualifiedDomainName: 'llm.lab.example.com', Port: 443, ResourcePath: '/health', EnableSNI: true }),
    });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'A', SetIdentifier: 'on-premises', Weight: 80 });
    template.hasResourceProperties('AWS::Route53::RecordSet', { Type: 'A', SetIdentifier: 'cloud', Weight: 20 });
  });

  test('bad input', () => {
    const { stack, zone, alarm } = fixture();
    expect(() => new BurstRouting(stack, 'Mixed', {
      zone, recordName: 'llm', onPremises: RoutingTarget.ipAddress('203.0.113.10'), cloud: RoutingTarget.dnsName('x.example'), healthCheck: EndpointHealthCheck.fromAlarm(alarm),
    })).toThrow(/onPremises = "203.0.113.10" is a A target but cloud is a CNAME target.*share a type/);
    expect(() => new BurstRouting(stack, 'Private', {
      zone, recordName: 'llm', onPremises: RoutingTarget.ipAddress('192.168.1.10'), cloud: RoutingTarget.ipAddress('10.0.0.10'), healthCheck: EndpointHealthCheck.https('192.168.1.10'),
    })).toThrow(/healthCheck = "192.168.1.10" is a private address .*EndpointHealthCheck.fromAlarm/);
    expect(() => new BurstRouting(stack, 'Weight', {
      zone, recordName: 'llm', mode: RoutingMode.WEIGHTED, onPremisesWeight: 120,
      onPremises: RoutingTarget.dnsName('a.example'), cloud: RoutingTarget.dnsName('b.example'), healthCheck: EndpointHealthCheck.fromAlarm(alarm),
    })).toThrow(/onPremisesWeight = 120 is not an integer between 0 and 100/);
  });

  describe('fromHeartbeat', () => {
    // What an on-premises site publishes: 1 each minute into cdk-scalable-ai/<site>, dimension SiteName.
    const heartbeat = new cloudwatch.Metric({
      namespace: 'cdk-scalable-ai/lab', metricName: 'Heartbeat', dimensionsMap: { SiteName: 'lab' }, statistic: 'Maximum', period: Duration.minutes(1),
    });

    function routed(options?: { missedMinutes?: number }) {
      const { stack, zone } = fixture();
      const routing = new BurstRouting(stack, 'Llm', {
        zone, recordName: 'llm',
        onPremises: RoutingTarget.dnsName('llm.lab.example'), cloud: RoutingTarget.dnsName('llm.cloud.example'),
        healthCheck: EndpointHealthCheck.fromHeartbeat(heartbeat, options),
      });
      return { stack, routing };
    }

    test('an alarm counts heartbeats per minute: ALARM after 3 silent minutes, missing data breaching', () => {
      const { stack, routing } = routed();
      const template = cleanTemplate(stack);
      expect(DEFAULT_HEARTBEAT_MISSED_MINUTES).toBe(3);
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'cdk-scalable-ai/lab', MetricName: 'Heartbeat', Dimensions: [{ Name: 'SiteName', Value: 'lab' }],
        Statistic: 'SampleCount', Period: 60, Threshold: 1, ComparisonOperator: 'LessThanThreshold',
        EvaluationPeriods: 3, DatapointsToAlarm: 3, TreatMissingData: 'breaching',
      });
      const alarmId = stack.getLogicalId(routing.healthAlarm!.node.defaultChild as cloudwatch.CfnAlarm);
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: Match.objectLike({ Type: 'CLOUDWATCH_METRIC', AlarmIdentifier: { Name: { Ref: alarmId }, Region: 'eu-west-1' }, InsufficientDataHealthStatus: 'Unhealthy' }),
      });
    });

    test('missedMinutes sets the gap; outside 1..60 or a math expression is an error naming the fix', () => {
      const { stack } = routed({ missedMinutes: 5 });
      cleanTemplate(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { EvaluationPeriods: 5, DatapointsToAlarm: 5 });
      expect(() => routed({ missedMinutes: 0 })).toThrow(/healthCheck.missedMinutes = 0 is not an integer between 1 and 60/);
      const { stack: other, zone } = fixture();
      expect(() => new BurstRouting(other, 'Math', {
        zone, recordName: 'llm', onPremises: RoutingTarget.dnsName('a.example'), cloud: RoutingTarget.dnsName('b.example'),
        healthCheck: EndpointHealthCheck.fromHeartbeat(new cloudwatch.MathExpression({ expression: 'm1 * 2', usingMetrics: { m1: heartbeat } })),
      })).toThrow(/healthCheck .*is not a plain metric.*site.metricHeartbeat/);
    });

    test('is cdk-nag clean (AwsSolutions and NIST 800-53: the alarm\'s consumer is the health check)', () => {
      const { stack } = routed();
      // The fixture's VPC and zone are not under test: only findings on the routing count.
      const findings = nagFindings(stack.node.root as App, [RulePack.AWS_SOLUTIONS, RulePack.NIST_800_53_R5])
        .filter((f) => f.paths.some((p) => p.startsWith('Routing/Llm/')));
      expect(findings).toEqual([]);
    });
  });
});
