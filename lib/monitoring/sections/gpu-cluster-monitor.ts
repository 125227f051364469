/** The GpuCluster section: GPU utilization and memory, nodes, pending pods (Container Insights). */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { GpuCluster } from '../../compute/gpu-cluster';
import { checkCount, checkPercent, thresholdAlarm } from '../alarms';
import { IMonitorable, IPlatformMonitoring, MonitoringSection } from '../monitorable';
import { ensureDcgmServiceMonitor } from '../prometheus/in-cluster-monitoring';

/** Alarm when the cluster's GPUs average more than this utilization (percent). */
export const DEFAULT_CLUSTER_GPU_UTILIZATION_THRESHOLD_PERCENT = 95;
/** Alarm when more nodes than this have a failing condition. */
export const DEFAULT_FAILED_NODES_THRESHOLD = 0;
/** Alarm when fewer nodes than this report to Container Insights. */
export const DEFAULT_MINIMUM_NODE_COUNT = 1;
/** 5-minute periods a cluster alarm condition must hold (15 minutes). */
export const CLUSTER_ALARM_EVALUATION_PERIODS = 3;

/** Thresholds of the GpuCluster alarms. */
export interface GpuClusterMonitoringOptions {
  /**
   * Alarm when the average utilization of the cluster's GPUs stays above this percentage for
   * 15 minutes: the GPU fleet is saturated (add capacity or raise node group / pool limits).
   * @default 95
   */
  readonly gpuUtilizationThresholdPercent?: number;
  /**
   * Alarm when the average GPU memory utilization stays above this percentage for 15 minutes.
   * Off by default: vLLM reserves 90% of GPU memory for its KV cache by design.
   * @default - no GPU memory alarm
   */
  readonly gpuMemoryUtilizationThresholdPercent?: number;
  /**
   * Alarm when more nodes than this have a failing node condition for 15 minutes.
   * @default 0
   */
  readonly failedNodesThreshold?: number;
  /**
   * Alarm when fewer nodes than this report for 15 minutes; also fires when Container Insights
   * stops reporting (missing data is breaching).
   * @default 1
   */
  readonly minimumNodeCount?: number;
}

/** Monitors a GpuCluster (register with `monitoring.monitorGpuCluster` or `addSection`). */
export class GpuClusterMonitor implements IMonitorable {
  public readonly monitoredComponent: IConstruct;

  constructor(private readonly cluster: GpuCluster, private readonly options: GpuClusterMonitoringOptions = {}) {
    this.monitoredComponent = cluster;
  }

  public bind(scope: Construct, monitoring: IPlatformMonitoring): MonitoringSection {
    const o = this.options;
    checkPercent(scope, 'gpuUtilizationThresholdPercent', o.gpuUtilizationThresholdPercent);
    checkPercent(scope, 'gpuMemoryUtilizationThresholdPercent', o.gpuMemoryUtilizationThresholdPercent);
    checkCount(scope, 'failedNodesThreshold', o.failedNodesThreshold);
    checkCount(scope, 'minimumNodeCount', o.minimumNodeCount, 1);
    const cluster = this.cluster;
    const gpuThreshold = o.gpuUtilizationThresholdPercent ?? DEFAULT_CLUSTER_GPU_UTILIZATION_THRESHOLD_PERCENT;
    const failedThreshold = o.failedNodesThreshold ?? DEFAULT_FAILED_NODES_THRESHOLD;
    const minimumNodes = o.minimumNodeCount ?? DEFAULT_MINIMUM_NODE_COUNT;
    const what = cluster.node.path;
    const periods = CLUSTER_ALARM_EVALUATION_PERIODS;

    const alarms: cloudwatch.AlarmBase[] = [
      thresholdAlarm(scope, 'GpuUtilization', {
        metric: cluster.metricNodeGpuUtilization(),
        threshold: gpuThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        // GPU node groups scale to zero: no GPU, no data, nothing wrong.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${what}: GPUs average more than ${gpuThreshold}% utilization for 15 minutes; the GPU fleet is saturated. Raise the GPU node group maxSize / node pool limits or add capacity.`,
      }),
      thresholdAlarm(scope, 'FailedNodes', {
        metric: cluster.metricFailedNodeCount(),
        threshold: failedThreshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        // Silence is covered by the node count alarm.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${what}: more than ${failedThreshold} node(s) have a failing node condition for 15 minutes. Check \`kubectl describe node\`; node auto repair replaces unhealthy managed nodes.`,
      }),
      thresholdAlarm(scope, 'NodeCount', {
        metric: cluster.metricNodeCount(),
        threshold: minimumNodes,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        evaluationPeriods: periods,
        // No report means the cluster or its CloudWatch agent is gone: the platform is blind.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
        description: `${what}: fewer than ${minimumNodes} node(s) report to Container Insights for 15 minutes, or the CloudWatch observability add-on stopped reporting.`,
      }),
    ];
    if (o.gpuMemoryUtilizationThresholdPercent !== undefined) {
      alarms.push(thresholdAlarm(scope, 'GpuMemoryUtilization', {
        metric: cluster.metricNodeGpuMemoryUtilization(),
        threshold: o.gpuMemoryUtilizationThresholdPercent,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: periods,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        description: `${what}: GPU memory averages more than ${o.gpuMemoryUtilizationThresholdPercent}% for 15 minutes.`,
      }));
    }

    if (cluster.site.prometheusOperatorAvailable) {
      ensureDcgmServiceMonitor(cluster.site, monitoring.prometheusSelectorLabels);
    }

    const percentAxis = { min: 0, max: 100, label: '%', showUnits: false };
    return {
      title: `GPU cluster ${cluster.node.id}`,
      description: 'Container Insights (enhanced observability) metrics of the EKS cluster: GPU utilization and memory of the GPU nodes, nodes, pods waiting on a node.',
      widgets: [
        new cloudwatch.GraphWidget({
          title: 'GPU utilization and memory (node average)',
          left: [cluster.metricNodeGpuUtilization({ label: 'GPU utilization' }), cluster.metricNodeGpuMemoryUtilization({ label: 'GPU memory' })],
          leftYAxis: percentAxis,
          leftAnnotations: [{ value: gpuThreshold, label: 'saturation alarm' }],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: 'Nodes',
          left: [cluster.metricNodeCount({ label: 'nodes' }), cluster.metricFailedNodeCount({ label: 'failed nodes' })],
          leftYAxis: { min: 0, showUnits: false },
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: 'Pods pending on a node (image pull, model download)',
          left: [cluster.metricPendingPods({ label: 'pending pods' })],
          leftYAxis: { min: 0, showUnits: false },
          width: 8,
        }),
      ],
      alarms,
    };
  }
}
