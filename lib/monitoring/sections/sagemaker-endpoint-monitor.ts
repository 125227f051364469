/**
 * The SageMaker endpoint section: invocations, model latency and errors (AWS/SageMaker). It
 * depends only on the metric methods, so any endpoint construct with them can register.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { checkDurationRange } from '../../private/validation';
import { checkPercent, thresholdAlarm } from '../alarms';
import { IMonitorable, IPlatformMonitoring, MonitoringSection } from '../monitorable';

/** The metrics of a SageMaker real-time endpoint variant that the section uses. */
export interface ISageMakerEndpointMetrics extends IConstruct {
  readonly endpointName: string;
  readonly variantName: string;
  /** Requests sent to the variant (AWS/SageMaker Invocations). */
  metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Time the model took to respond, in microseconds (AWS/SageMaker ModelLatency). */
  metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests answered with 4xx (AWS/SageMaker Invocation4XXErrors). */
  metricInvocation4xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Requests answered with 5xx (AWS/SageMaker Invocation5XXErrors). */
  metricInvocation5xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** Alarm when p90 model latency exceeds this. */
export const DEFAULT_SAGEMAKER_LATENCY_THRESHOLD = Duration.seconds(10);
/** Alarm when more than this percentage of invocations fail with 5xx. */
export const DEFAULT_SAGEMAKER_5XX_THRESHOLD_PERCENT = 5;
/** Period of the endpoint alarms. */
export const SAGEMAKER_ALARM_PERIOD = Duration.minutes(5);
/** Periods a SageMaker alarm condition must hold (15 minutes). */
export const SAGEMAKER_ALARM_EVALUATION_PERIODS = 3;

/** Thresholds of the SageMaker endpoint alarms. */
export interface SageMakerEndpointMonitoringOptions {
  /**
   * Alarm when the p90 model latency stays above this for 15 minutes (1 second to 1 hour).
   * @default Duration.seconds(10)
   */
  readonly latencyThreshold?: Duration;
  /**
   * Alarm when more than this percentage of invocations fail with 5xx for 15 minutes.
   * @default 5
   */
  readonly error5xxThresholdPercent?: number;
}

/** Monitors a SageMaker endpoint (register with `monitoring.monitorSageMakerEndpoint` or `addSection`). */
export class SageMakerEndpointMonitor implements IMonitorable {
  /** Whether the construct offers the metric methods of ISageMakerEndpointMetrics. */
  public static isSageMakerEndpointMetrics(x: unknown): boolean {
    const c = x as Partial<Record<keyof ISageMakerEndpointMetrics, unknown>> | undefined;
    return !!c && typeof c.endpointName === 'string' && typeof c.variantName === 'string'
      && ['metricInvocations', 'metricModelLatency', 'metricInvocation4xxErrors', 'metricInvocation5xxErrors']
        .every((m) => typeof (c as Record<string, unknown>)[m] === 'function');
  }

  public readonly monitoredComponent: IConstruct;

  constructor(private readonly endpoint: ISageMakerEndpointMetrics, private readonly options: SageMakerEndpointMonitoringOptions = {}) {
    this.monitoredComponent = endpoint;
  }

  public bind(scope: Construct, _monitoring: IPlatformMonitoring): MonitoringSection {
    const o = this.options;
    checkDurationRange(scope, 'latencyThreshold', o.latencyThreshold, Duration.seconds(1), Duration.hours(1));
    checkPercent(scope, 'error5xxThresholdPercent', o.error5xxThresholdPercent);
    const endpoint = this.endpoint;
    const latency = o.latencyThreshold ?? DEFAULT_SAGEMAKER_LATENCY_THRESHOLD;
    const errorPercent = o.error5xxThresholdPercent ?? DEFAULT_SAGEMAKER_5XX_THRESHOLD_PERCENT;
    const period = SAGEMAKER_ALARM_PERIOD;
    const what = `SageMaker endpoint ${endpoint.endpointName}/${endpoint.variantName}`;
    const p90Latency = endpoint.metricModelLatency({ statistic: 'p90', period, label: 'p90 model latency (µs)' });
    const errorRatio = new cloudwatch.MathExpression({
      expression: 'IF(invocations > 0, 100 * errors5xx / invocations, 0)',
      usingMetrics: {
        invocations: endpoint.metricInvocations({ statistic: cloudwatch.Stats.SUM, period }),
        errors5xx: endpoint.metricInvocation5xxErrors({ statistic: cloudwatch.Stats.SUM, period }),
      },
      period,
      label: '5xx errors (% of invocations)',
    });
    const alarms = [
      thresholdAlarm(scope, 'ModelLatency', {
        metric: p90Latency,
        threshold: latency.toMilliseconds() * 1000,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: SAGEMAKER_ALARM_EVALUATION_PERIODS,
        // SageMaker publishes invocation metrics only when requests arrive.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${what}: p90 model latency above ${latency.toHumanString()} for 15 minutes.`,
      }),
      thresholdAlarm(scope, 'Invocation5xxErrors', {
        metric: errorRatio,
        threshold: errorPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: SAGEMAKER_ALARM_EVALUATION_PERIODS,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${what}: more than ${errorPercent}% of invocations fail with 5xx for 15 minutes.`,
      }),
    ];
    return {
      title: `SageMaker endpoint ${endpoint.node.id}`,
      description: 'Invocations, p90 model latency and errors of the endpoint variant (AWS/SageMaker).',
      widgets: [
        new cloudwatch.GraphWidget({ title: 'Invocations', left: [endpoint.metricInvocations({ statistic: cloudwatch.Stats.SUM, period, label: 'invocations' })], width: 8 }),
        new cloudwatch.GraphWidget({ title: 'Model latency (p90, µs)', left: [p90Latency], leftAnnotations: [{ value: latency.toMilliseconds() * 1000, label: 'alarm' }], width: 8 }),
        new cloudwatch.GraphWidget({
          title: 'Errors',
          left: [
            endpoint.metricInvocation4xxErrors({ statistic: cloudwatch.Stats.SUM, period, label: '4xx' }),
            endpoint.metricInvocation5xxErrors({ statistic: cloudwatch.Stats.SUM, period, label: '5xx' }),
          ],
          width: 8,
        }),
      ],
      alarms,
    };
  }
}
