/** Shared fixtures of the monitoring tests: one monitored composite stack, and cheap stand-ins. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { GpuCluster } from '../../lib/compute/gpu-cluster';
import { DataLake } from '../../lib/data/data-lake';
import { StreamingIngestion } from '../../lib/data/streaming-ingestion';
import { InferenceScaling } from '../../lib/inference/inference-scaling';
import { InferenceService } from '../../lib/inference/inference-service';
import { GpuEnablement } from '../../lib/k8s/gpu-enablement';
import { ISageMakerEndpointMetrics } from '../../lib/monitoring/sections/sagemaker-endpoint-monitor';
import { PlatformMonitoring } from '../../lib/monitoring/platform-monitoring';
import { KubernetesSite } from '../../lib/sites/kubernetes-site';
import { testApp } from '../harness/synth';

/** Stands in for SageMakerEndpoint: the metric methods with the AWS/SageMaker names and dimensions. */
export class FakeSageMakerEndpoint extends Construct implements ISageMakerEndpointMetrics {
  public readonly endpointName = 'llm-endpoint';
  public readonly variantName = 'AllTraffic';

  public metricInvocations(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', props);
  }

  public metricModelLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('ModelLatency', props);
  }

  public metricInvocation4xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation4XXErrors', props);
  }

  public metricInvocation5xxErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Invocation5XXErrors', props);
  }

  private metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/SageMaker', metricName, period: Duration.minutes(1), statistic: 'Sum', ...props,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: this.variantName },
    });
  }
}

export interface PlatformFixture {
  readonly app: App;
  readonly stack: Stack;
  readonly cluster: GpuCluster;
  readonly service: InferenceService;
  readonly lake: DataLake;
  readonly ingestion: StreamingIngestion;
  readonly endpoint: FakeSageMakerEndpoint;
  readonly onPrem: KubernetesSite;
  readonly onPremService: InferenceService;
  readonly monitoring: PlatformMonitoring;
  readonly customAlarm: cloudwatch.Alarm;
}

/**
 * The whole platform in one stack, every component monitored: a GPU cluster with inference
 * autoscaling (AMP) and a vLLM service, a lake with streaming ingestion, a SageMaker endpoint,
 * an on-premises site with the Prometheus operator and a service there; plus a custom widget
 * and a custom alarm.
 */
export function platformFixture(): PlatformFixture {
  const app = testApp();
  const stack = new Stack(app, 'Platform');
  const cluster = new GpuCluster(stack, 'Gpu');
  cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: 4 });
  cluster.addInferenceAutoscaling();
  const service = new InferenceService(stack, 'Llm', {
    site: cluster.site,
    name: 'llama',
    image: 'vllm/vllm-openai:v0.11.0',
    modelVersion: 'v3',
    scaling: InferenceScaling.onQueueDepth(8),
    maxReplicas: 3,
  });
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'raw' }, { name: 'models' }] });
  const ingestion = new StreamingIngestion(stack, 'Clicks', { destination: lake.zone('raw') });
  const endpoint = new FakeSageMakerEndpoint(stack, 'Endpoint');

  const onPrem = new KubernetesSite(stack, 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, prometheusOperatorAvailable: true });
  GpuEnablement.addToSite({ site: onPrem, devicePluginNodeLabels: { 'cdk-scalable-ai.io/device-plugin': 'daemonset' } });
  const onPremService = new InferenceService(stack, 'LabLlm', { site: onPrem, name: 'mistral', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });

  const monitoring = new PlatformMonitoring(stack, 'Monitoring', { dashboardName: 'ai-platform', prometheusSelectorLabels: { release: 'kube-prometheus-stack' } });
  monitoring.monitor(cluster);
  monitoring.monitorInferenceService(service, { latencyThreshold: Duration.seconds(20) });
  monitoring.monitor(lake);
  monitoring.monitor(ingestion);
  monitoring.monitor(endpoint);
  monitoring.monitor(onPremService);
  monitoring.addWidgets(new cloudwatch.GraphWidget({ title: 'Custom: stream bytes', left: [ingestion.metricIncomingBytes()] }));
  const customAlarm = new cloudwatch.Alarm(stack, 'CustomAlarm', {
    metric: ingestion.metricIncomingRecords(),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    evaluationPeriods: 6,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    alarmDescription: 'No clicks for 30 minutes',
  });
  monitoring.addAlarm(customAlarm);
  return { app, stack, cluster, service, lake, ingestion, endpoint, onPrem, onPremService, monitoring, customAlarm };
}
