/**
 * The InferenceService section. On an EKS site: replicas against maxReplicas, GPU utilization
 * and memory, restarts (Container Insights). Request latency, errors and queue depth live in
 * Prometheus: with the cluster's inference autoscaling (Amazon Managed Prometheus), alerting
 * rules there route to the alarm topic; on sites with the Prometheus operator, a PodMonitor and
 * a PrometheusRule carry the same alerts.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { GpuCluster } from '../../compute/gpu-cluster';
import { ModelServerMetrics } from '../../inference/inference-scaling';
import { InferenceService } from '../../inference/inference-service';
import { EksSite } from '../../sites/eks-site';
import { PropValidationError } from '../../private/errors';
import { checkCount, checkPercent, checkPositive, thresholdAlarm } from '../alarms';
import { checkDurationRange } from '../../private/validation';
import { IMonitorable, IPlatformMonitoring, MonitoringSection } from '../monitorable';
import { ModelServerAlertThresholds, modelServerAlertRules, PrometheusAlertRule } from '../prometheus/alert-rules';
import { addModelServerMonitoring, ensureDcgmServiceMonitor } from '../prometheus/in-cluster-monitoring';

/** Alarm (and alert) when the service's GPUs average more than this utilization (percent). */
export const DEFAULT_SERVICE_GPU_UTILIZATION_THRESHOLD_PERCENT = 95;
/** Alarm on more container restarts than this within CONTAINER_RESTARTS_WINDOW. */
export const DEFAULT_CONTAINER_RESTARTS_THRESHOLD = 2;
/** Window the restarts are counted in. */
export const CONTAINER_RESTARTS_WINDOW = Duration.minutes(15);
/** Alert when p95 (vLLM) / mean (Triton) request latency exceeds this. */
export const DEFAULT_LATENCY_THRESHOLD = Duration.seconds(30);
/** Alert when more than this percentage of finished requests failed or were aborted. */
export const DEFAULT_ERROR_RATIO_THRESHOLD_PERCENT = 5;
/** Alert when more requests than this wait per replica. */
export const DEFAULT_QUEUE_DEPTH_PER_REPLICA_THRESHOLD = 10;
/** 5-minute periods a service alarm condition must hold (15 minutes). */
export const SERVICE_ALARM_EVALUATION_PERIODS = 3;

/** Thresholds of an InferenceService's alarms and Prometheus alerts. */
export interface InferenceServiceMonitoringOptions {
  /**
   * Metric names of the model server (Prometheus alerts).
   * @default ModelServerMetrics.VLLM
   */
  readonly modelServer?: ModelServerMetrics;
  /**
   * Alarm (CloudWatch) and alert (Prometheus, DCGM) when the service's GPUs average more
   * than this utilization for 15 minutes.
   * @default 95
   */
  readonly gpuUtilizationThresholdPercent?: number;
  /**
   * Alarm when the stable Deployment's containers restart more than this often in 15 minutes.
   * @default 2
   */
  readonly containerRestartsThreshold?: number;
  /**
   * Alarm when the service runs at maxReplicas (plus canary) for 15 minutes: autoscaling has
   * no headroom left. Only for services whose maxReplicas exceeds minReplicas.
   * @default true
   */
  readonly alarmAtMaxReplicas?: boolean;
  /**
   * Prometheus alert when the p95 (vLLM) or mean (Triton) request latency stays above this for
   * 10 minutes.
   * @default Duration.seconds(30)
   */
  readonly latencyThreshold?: Duration;
  /**
   * Prometheus alert when more than this percentage of finished requests failed or were
   * aborted for 10 minutes.
   * @default 5
   */
  readonly errorRatioThresholdPercent?: number;
  /**
   * Prometheus alert when more requests than this wait per replica for 10 minutes.
   * @default 10
   */
  readonly queueDepthPerReplicaThreshold?: number;
}

/** Monitors an InferenceService (register with `monitoring.monitorInferenceService` or `addSection`). */
export class InferenceServiceMonitor implements IMonitorable {
  public readonly monitoredComponent: IConstruct;

  constructor(private readonly service: InferenceService, private readonly options: InferenceServiceMonitoringOptions = {}) {
    this.monitoredComponent = service;
  }

  public bind(scope: Construct, monitoring: IPlatformMonitoring): MonitoringSection {
    const o = this.options;
    checkPercent(scope, 'gpuUtilizationThresholdPercent', o.gpuUtilizationThresholdPercent);
    checkCount(scope, 'containerRestartsThreshold', o.containerRestartsThreshold);
    checkDurationRange(scope, 'latencyThreshold', o.latencyThreshold, Duration.millis(1), Duration.hours(1));
    checkPercent(scope, 'errorRatioThresholdPercent', o.errorRatioThresholdPercent);
    checkPositive(scope, 'queueDepthPerReplicaThreshold', o.queueDepthPerReplicaThreshold, Number.MAX_SAFE_INTEGER);
    const service = this.service;
    const site = service.site;
    const eks = site instanceof EksSite;
    if (!eks && !site.prometheusOperatorAvailable) {
      throw new PropValidationError(scope, 'service.site', site.siteName, 'has neither CloudWatch Container Insights (EKS) nor the Prometheus operator, so the service cannot be monitored',
        'Declare prometheusOperatorAvailable: true on the site when it runs the Prometheus operator, or run the service on a GpuCluster.');
    }
    const thresholds: ModelServerAlertThresholds = {
      latencySeconds: (o.latencyThreshold ?? DEFAULT_LATENCY_THRESHOLD).toMilliseconds({ integral: false }) / 1000,
      errorRatioPercent: o.errorRatioThresholdPercent ?? DEFAULT_ERROR_RATIO_THRESHOLD_PERCENT,
      queueDepthPerReplica: o.queueDepthPerReplicaThreshold ?? DEFAULT_QUEUE_DEPTH_PER_REPLICA_THRESHOLD,
      gpuUtilizationPercent: o.gpuUtilizationThresholdPercent ?? DEFAULT_SERVICE_GPU_UTILIZATION_THRESHOLD_PERCENT,
    };
    const rules = modelServerAlertRules({
      namespace: service.namespace,
      app: service.name,
      podRegex: service.podNamePattern,
      usesGpus: service.gpusPerReplica > 0,
      modelServer: o.modelServer ?? ModelServerMetrics.VLLM,
      wakeUp: service.scaleToZero ? {
        query: service.scaleToZero.queryFor({ namespace: service.namespace, app: service.name, podRegex: service.podNamePattern, gpusPerReplica: service.gpusPerReplica }),
        threshold: service.scaleToZero.activationThreshold,
        coldStart: service.maxStartupTime,
      } : undefined,
    }, thresholds);

    const alertHomes: string[] = [];
    const autoscaling = eks && site.node.scope instanceof GpuCluster ? site.node.scope.inferenceAutoscaling : undefined;
    if (autoscaling) {
      monitoring.addPrometheusAlertRules(autoscaling, `${service.namespace}-${service.name}`, rules);
      alertHomes.push('Amazon Managed Prometheus (notifies the alarm topic)');
    }
    if (site.prometheusOperatorAvailable) {
      ensureDcgmServiceMonitor(site, monitoring.prometheusSelectorLabels);
      addModelServerMonitoring({
        site,
        namespace: service.namespace,
        name: service.name,
        podLabels: { 'app.kubernetes.io/name': service.name, 'app.kubernetes.io/part-of': 'cdk-scalable-ai' },
        portName: 'http',
        rules,
        selectorLabels: monitoring.prometheusSelectorLabels,
        after: service.chart,
      });
      alertHomes.push(`the Prometheus of site "${site.siteName}" (PrometheusRule ${service.namespace}/${service.name})`);
    }
    const description = `Model server ${service.namespace}/${service.name} on site "${site.siteName}". ${describeAlerts(rules, alertHomes)}`;
    const title = `Inference service ${service.namespace}/${service.name}`;
    if (!eks) return { title, description, widgets: [], alarms: [] };
    return { title, description, ...this.cloudWatch(scope, thresholds.gpuUtilizationPercent) };
  }

  private cloudWatch(scope: Construct, gpuThreshold: number): { widgets: cloudwatch.IWidget[]; alarms: cloudwatch.AlarmBase[] } {
    const service = this.service;
    const o = this.options;
    const what = `${service.namespace}/${service.name}`;
    const periods = SERVICE_ALARM_EVALUATION_PERIODS;
    const ceiling = service.maxReplicas + service.canaryReplicaCount;
    const alarms: cloudwatch.AlarmBase[] = [];
    if ((o.alarmAtMaxReplicas ?? true) && service.maxReplicas > service.minReplicas) {
      alarms.push(thresholdAlarm(scope, 'AtMaxReplicas', {
        metric: service.metricRunningReplicas({ statistic: cloudwatch.Stats.MINIMUM }),
        threshold: ceiling,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: periods,
        // No data: no ready pods, which is not "at the ceiling".
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${what}: ${ceiling} replicas (maxReplicas + canary) ready for 15 minutes; autoscaling has no headroom. Raise maxReplicas and GPU capacity, or check latency.`,
      }));
    }
    // A service that scales to zero has no ready replica on purpose while idle: its
    // "should serve but cannot" alert is InferenceNotWakingUp (Prometheus), not this alarm.
    if (service.minReplicas >= 1 && !service.scaleToZero) {
      alarms.push(thresholdAlarm(scope, 'NoReadyReplicas', {
        metric: service.metricRunningReplicas({ statistic: cloudwatch.Stats.MAXIMUM }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: periods,
        // The Service reports nothing when no pod is ready: that is the outage this alarm is for.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description: `${what}: no ready replica for 15 minutes; the service is down. Check pod events (GPU capacity, image pull, model download) and logs.`,
      }));
    }
    const restartsThreshold = o.containerRestartsThreshold ?? DEFAULT_CONTAINER_RESTARTS_THRESHOLD;
    alarms.push(thresholdAlarm(scope, 'ContainerRestarts', {
      metric: service.metricContainerRestarts({ period: CONTAINER_RESTARTS_WINDOW }),
      threshold: restartsThreshold,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // No pods, no restarts.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      description: `${what}: containers restarted more than ${restartsThreshold} times in 15 minutes (crash loop, OOM, failing liveness probe).`,
    }));
    const widgets: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'Replicas',
        left: [service.metricRunningReplicas({ label: 'ready replicas' }), service.metricPendingReplicas({ label: 'pending on a node' })],
        leftYAxis: { min: 0, showUnits: false },
        leftAnnotations: [{ value: ceiling, label: 'maxReplicas + canary' }, { value: service.minReplicas, label: 'minReplicas' }],
        width: 8,
      }),
    ];
    if (service.gpusPerReplica > 0) {
      alarms.push(thresholdAlarm(scope, 'GpuUtilization', {
        metric: service.metricGpuUtilization(),
        threshold: gpuThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        // Scaled to zero: no GPU in use.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${what}: GPUs average more than ${gpuThreshold}% utilization for 15 minutes; the service is GPU-bound.`,
      }));
      widgets.push(new cloudwatch.GraphWidget({
        title: 'GPU utilization and memory',
        left: [service.metricGpuUtilization({ label: 'GPU utilization' }), service.metricGpuMemoryUtilization({ label: 'GPU memory' })],
        leftYAxis: { min: 0, max: 100, label: '%', showUnits: false },
        leftAnnotations: [{ value: gpuThreshold, label: 'saturation alarm' }],
        width: 8,
      }));
    }
    widgets.push(new cloudwatch.GraphWidget({
      title: 'Container restarts',
      left: [service.metricContainerRestarts({ label: 'restarts' })],
      leftYAxis: { min: 0, showUnits: false },
      width: 8,
    }));
    return { widgets, alarms };
  }
}

function describeAlerts(rules: PrometheusAlertRule[], homes: string[]): string {
  if (homes.length === 0) {
    return 'Request latency, errors and queue depth are Prometheus metrics of the model server; call addInferenceAutoscaling() on the cluster to collect and alert on them.';
  }
  return `Request latency, errors and queue depth are Prometheus metrics; alerts ${rules.map((r) => r.alert).join(', ')} are evaluated in ${homes.join(' and ')}.`;
}
