/**
 * CloudWatch Container Insights metrics of an EKS cluster (namespace `ContainerInsights`),
 * published by the `amazon-cloudwatch-observability` add-on that every GpuCluster installs
 * (enhanced observability, GPU metrics from DCGM). Metric names and dimension sets follow the
 * CloudWatch User Guide ("Amazon EKS and Kubernetes Container Insights with enhanced
 * observability metrics") and the dimension sets the CloudWatch agent's own integration tests
 * expect (aws/amazon-cloudwatch-agent-test, metric_value_benchmark and nvidia_gpu).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Namespace of Container Insights metrics. */
export const CONTAINER_INSIGHTS_NAMESPACE = 'ContainerInsights';
/** Default period of the Container Insights metric methods. */
export const CONTAINER_INSIGHTS_PERIOD = Duration.minutes(5);

/** Container Insights metric names the library graphs and alarms on. */
export enum ContainerInsightsMetricName {
  /** Percent GPU utilization of nodes; [ClusterName] averages over every GPU. */
  NODE_GPU_UTILIZATION = 'node_gpu_utilization',
  /** Percent GPU memory used on nodes. */
  NODE_GPU_MEMORY_UTILIZATION = 'node_gpu_memory_utilization',
  /** Worker nodes of the cluster (reported once a minute by the agent's leader). */
  CLUSTER_NODE_COUNT = 'cluster_node_count',
  /** Worker nodes with a failing node condition. */
  CLUSTER_FAILED_NODE_COUNT = 'cluster_failed_node_count',
  /** Pods in phase Pending, reported by the agent of the node they are bound to. */
  POD_STATUS_PENDING = 'pod_status_pending',
  /** Pods behind a Service's endpoints ([ClusterName, Namespace, Service]). */
  SERVICE_NUMBER_OF_RUNNING_PODS = 'service_number_of_running_pods',
  /** Percent GPU utilization of pods (DCGM_FI_DEV_GPU_UTIL). */
  POD_GPU_UTILIZATION = 'pod_gpu_utilization',
  /** Percent GPU memory used by pods. */
  POD_GPU_MEMORY_UTILIZATION = 'pod_gpu_memory_utilization',
  /** Container restarts of pods since the agent's previous report (a delta, so sum it). */
  POD_NUMBER_OF_CONTAINER_RESTARTS = 'pod_number_of_container_restarts',
}

/** A Container Insights metric with the given dimensions; `props` may override statistic, period, label. */
export function containerInsightsMetric(metricName: ContainerInsightsMetricName, dimensionsMap: Record<string, string>,
  statistic: string, period: Duration, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: CONTAINER_INSIGHTS_NAMESPACE,
    metricName,
    statistic,
    period,
    ...props,
    dimensionsMap: { ...dimensionsMap, ...props.dimensionsMap },
  });
}

/** The cluster-wide metrics of GpuCluster, dimension [ClusterName]. */
export class GpuClusterMetricFactory {
  constructor(private readonly clusterName: string) {}

  /** Average GPU utilization (percent) over every GPU of the cluster's nodes, 5 minutes. */
  public nodeGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.NODE_GPU_UTILIZATION, cloudwatch.Stats.AVERAGE, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /** Average GPU memory utilization (percent) over every GPU of the cluster's nodes, 5 minutes. */
  public nodeGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.NODE_GPU_MEMORY_UTILIZATION, cloudwatch.Stats.AVERAGE, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /** Worker nodes (average over 5 minutes). */
  public nodeCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.CLUSTER_NODE_COUNT, cloudwatch.Stats.AVERAGE, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /** Worker nodes with a failing condition (maximum over 5 minutes). */
  public failedNodeCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.CLUSTER_FAILED_NODE_COUNT, cloudwatch.Stats.MAXIMUM, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /**
   * Pods in phase Pending on the cluster's nodes (sum of the node agents' reports per minute):
   * image pulls and model downloads in init containers. Pods the scheduler cannot place are on
   * no node and are not counted.
   */
  public pendingPods(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.POD_STATUS_PENDING, cloudwatch.Stats.SUM, Duration.minutes(1), props);
  }

  private metric(name: ContainerInsightsMetricName, statistic: string, period: Duration, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return containerInsightsMetric(name, { ClusterName: this.clusterName }, statistic, period, props);
  }
}
