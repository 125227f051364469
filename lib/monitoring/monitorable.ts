/**
 * The contract between PlatformMonitoring and what it monitors: a component (or an adapter in
 * `sections/`) turns itself into a section of the dashboard with its alarms, built from the
 * component's own `metricX()` methods.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { InferenceAutoscaling } from '../inference/inference-autoscaling';
import { PrometheusAlertRule } from './prometheus/alert-rules';

/** One section of the platform dashboard. */
export interface MonitoringSection {
  /** Heading of the section. */
  readonly title: string;
  /**
   * Markdown under the heading (what is graphed, where else to look).
   * @default - the heading only
   */
  readonly description?: string;
  /** Graphs, laid out left to right in rows of 24 columns. */
  readonly widgets: cloudwatch.IWidget[];
  /** Alarms of the section: the monitoring notifies its topic and rolls them into platform health. */
  readonly alarms: cloudwatch.AlarmBase[];
}

/** What a section may use of the monitoring that binds it. */
export interface IPlatformMonitoring extends IConstruct {
  /** Topic every alarm notifies (ALARM and OK). */
  readonly alarmTopic: sns.ITopic;
  /**
   * Alerting rules evaluated in the Amazon Managed Prometheus workspace of an inference
   * autoscaling stack, as a rule group named `name`; the workspace's alert manager notifies
   * the alarm topic.
   */
  addPrometheusAlertRules(autoscaling: InferenceAutoscaling, name: string, rules: PrometheusAlertRule[]): void;
  /** Labels for ServiceMonitors, PodMonitors and PrometheusRules, so the site's Prometheus selects them. */
  readonly prometheusSelectorLabels: Record<string, string>;
}

/**
 * Something PlatformMonitoring can monitor. Built-in adapters: GpuClusterMonitor,
 * InferenceServiceMonitor, StreamingIngestionMonitor, DataLakeMonitor, SageMakerEndpointMonitor.
 */
export interface IMonitorable {
  /** The construct monitored; each can be registered once per PlatformMonitoring. */
  readonly monitoredComponent: IConstruct;
  /**
   * Creates the section's alarms (and any other resources) under `scope` and returns the
   * section. Thresholds are validated here, so bad ones fail at registration.
   */
  bind(scope: Construct, monitoring: IPlatformMonitoring): MonitoringSection;
}
