/**
 * Stack outputs of an AiPlatform: what the teams around the platform need after `cdk deploy`
 * (kubeconfig, the Prometheus workspace, the alarm topic, bucket and stream names, endpoints,
 * service URLs), each in the stack that owns the value, so outputs add no cross-stack
 * reference. Output ids are API (`cdk deploy --outputs-file` keys).
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import type { AiPlatform } from './ai-platform';

/** Output ids are construct ids; keep them to letters and digits. */
function idPart(text: string): string {
  return text.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0].toUpperCase() + w.slice(1)).join('');
}

/** Adds the platform's outputs under an `Outputs` construct in each stack. */
export function addPlatformOutputs(platform: AiPlatform): void {
  const scopes = new Map<Stack, Construct>();
  const output = (stack: Stack, id: string, value: string, description: string) => {
    let scope = scopes.get(stack);
    if (!scope) {
      scope = new Construct(stack, 'Outputs');
      scopes.set(stack, scope);
    }
    new CfnOutput(scope, id, { value, description });
  };

  const data = platform.dataStack;
  for (const zone of platform.lake.zoneNames) {
    output(data, `LakeZone${idPart(zone)}Bucket`, platform.lake.zone(zone).bucket.bucketName, `Bucket of the lake zone "${zone}"`);
  }
  for (const stream of platform.streams) {
    output(data, `Stream${idPart(stream.node.id)}Name`, stream.stream.streamName, `Kinesis stream ${stream.node.id}: producers put records here (grantWrite)`);
  }

  const compute = platform.computeStack;
  const cluster = platform.cluster.cluster;
  output(compute, 'ClusterName', cluster.clusterName, 'EKS cluster of the platform');
  output(compute, 'UpdateKubeconfigCommand', `aws eks update-kubeconfig --name ${cluster.clusterName} --region ${compute.region}`, 'Configures kubectl for the cluster (needs an access entry: GpuClusterProps.adminRoles)');
  const autoscaling = platform.cluster.inferenceAutoscaling;
  if (autoscaling) {
    output(compute, 'PrometheusWorkspaceId', autoscaling.workspace.attrWorkspaceId, 'Amazon Managed Prometheus workspace of the model servers\' metrics');
    output(compute, 'PrometheusQueryUrl', `${autoscaling.workspace.attrPrometheusEndpoint}api/v1/query`, 'Prometheus query API (SigV4-signed, service aps)');
  }
  if (platform.monitoring) {
    output(compute, 'AlarmTopicArn', platform.monitoring.alarmTopic.topicArn, 'SNS topic every alarm notifies: subscribe the on-call here');
    output(compute, 'DashboardName', platform.monitoring.dashboard.dashboardName, 'CloudWatch dashboard of the platform');
  }

  for (const service of platform.inferenceServices) {
    output(Stack.of(service), `Service${idPart(service.node.id)}Url`, service.url, `In-cluster URL of ${service.namespace}/${service.name} on site "${service.site.siteName}"`);
  }
  for (const endpoint of platform.sageMakerEndpoints) {
    output(Stack.of(endpoint), `Endpoint${idPart(endpoint.node.id)}Name`, endpoint.endpointName, `SageMaker endpoint ${endpoint.node.id} (InvokeEndpoint)`);
  }
}
