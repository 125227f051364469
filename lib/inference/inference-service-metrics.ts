/**
 * Container Insights metrics of an InferenceService on an EKS site. The Service dimension is
 * the Kubernetes Service of the model server (same name as the service); PodName is the
 * Deployment's name (Container Insights names pods of a ReplicaSet after its Deployment).
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { CONTAINER_INSIGHTS_PERIOD, ContainerInsightsMetricName, containerInsightsMetric } from '../compute/gpu-cluster-metrics';
import { EksSite } from '../sites/eks-site';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { PropValidationError } from '../private/errors';

/** What the metrics need to know about the service. */
export interface InferenceServiceMetricTarget extends IConstruct {
  readonly site: IKubernetesSite;
  readonly name: string;
  readonly namespace: string;
}

/** Builds the Container Insights metrics of one InferenceService. */
export class InferenceServiceMetricFactory {
  constructor(private readonly service: InferenceServiceMetricTarget) {}

  /** Pods behind the Service's endpoints (ready replicas, stable and canary), average over 5 minutes. */
  public runningReplicas(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.SERVICE_NUMBER_OF_RUNNING_PODS, this.serviceDimensions(), cloudwatch.Stats.AVERAGE, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /** Average GPU utilization (percent) of the service's GPUs, 5 minutes. */
  public gpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.POD_GPU_UTILIZATION, this.serviceDimensions(), cloudwatch.Stats.AVERAGE, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /** Average GPU memory utilization (percent) of the service's GPUs, 5 minutes. */
  public gpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.POD_GPU_MEMORY_UTILIZATION, this.serviceDimensions(), cloudwatch.Stats.AVERAGE, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /** Container restarts of the (stable) Deployment's pods, sum over 5 minutes. */
  public containerRestarts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.POD_NUMBER_OF_CONTAINER_RESTARTS, this.deploymentDimensions(), cloudwatch.Stats.SUM, CONTAINER_INSIGHTS_PERIOD, props);
  }

  /** Pods of the (stable) Deployment bound to a node but not running yet (image pull, model download), sum per minute. */
  public pendingReplicas(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric(ContainerInsightsMetricName.POD_STATUS_PENDING, this.deploymentDimensions(), cloudwatch.Stats.SUM, Duration.minutes(1), props);
  }

  private serviceDimensions(): Record<string, string> {
    return { ClusterName: this.clusterName(), Namespace: this.service.namespace, Service: this.service.name };
  }

  private deploymentDimensions(): Record<string, string> {
    return { ClusterName: this.clusterName(), Namespace: this.service.namespace, PodName: this.service.name };
  }

  private clusterName(): string {
    const site = this.service.site;
    if (!(site instanceof EksSite)) {
      throw new PropValidationError(this.service, 'site', site.siteName, 'is not an EKS site, so the service has no CloudWatch Container Insights metrics',
        'Read the model server\'s metrics from the site\'s Prometheus (PlatformMonitoring emits a PodMonitor and PrometheusRule where the site has the Prometheus operator), or run the service on a GpuCluster.');
    }
    return site.cluster.clusterName;
  }

  private metric(name: ContainerInsightsMetricName, dimensions: Record<string, string>, statistic: string, period: Duration, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return containerInsightsMetric(name, dimensions, statistic, period, props);
  }
}
