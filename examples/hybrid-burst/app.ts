/**
 * Example 2: hybrid on-premises + cloud burst. On-premises GPU servers join the EKS cluster as
 * EKS Hybrid Nodes and serve first; a second on-premises cluster gets its manifests as YAML;
 * Route 53 sends clients to on-premises and fails over to the cloud service when the
 * on-premises endpoint is unhealthy.
 *
 * Context `onPremisesCaBundle` (required): the PEM of the CA that issues the on-premises
 * certificates (IAM Roles Anywhere), e.g. `-c onPremisesCaBundle="$(cat ca.pem)"`.
 */
import { App, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  AiPlatform, BurstRouting, EndpointHealthCheck, GpuPlacement, InferenceScaling, ProducerTrustSource, RoutingMode, RoutingTarget,
} from '../../lib';

export function buildHybridBurstExample(scope: Construct): AiPlatform {
  const caBundle: string | undefined = scope.node.tryGetContext('onPremisesCaBundle');
  if (!caBundle) throw new Error('Pass the on-premises CA bundle: -c onPremisesCaBundle="$(cat ca.pem)"');
  const platform = new AiPlatform(scope, 'Hybrid', {
    cluster: {
      hybridNodes: { remoteNodeCidrs: ['192.168.100.0/24'], remotePodCidrs: ['192.168.128.0/18'], gpuNodes: { gpusPerNode: 4, nodeCount: 2 } },
    },
    gpuNodeGroups: [{ id: 'CloudL4', options: { instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g6.2xlarge')], maxSize: 6 } }],
    onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, trustSource: ProducerTrustSource.fromCertificateBundle(caBundle) }],
    inferenceServices: [
      {
        id: 'OnPremLlm',
        modelPrefix: 'mistral-7b/v2',
        service: {
          name: 'mistral-onprem', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v2', placement: GpuPlacement.HYBRID,
          minReplicas: 2, maxReplicas: 6, scaling: InferenceScaling.onQueueDepth(8),
        },
      },
      {
        id: 'CloudLlm',
        modelPrefix: 'mistral-7b/v2',
        service: {
          name: 'mistral-cloud', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v2', placement: GpuPlacement.CLOUD,
          minReplicas: 1, maxReplicas: 5, scaling: InferenceScaling.onQueueDepth(8),
        },
      },
      { id: 'LabLlm', site: 'hybrid-lab', modelPrefix: 'mistral-7b/v2', service: { name: 'mistral', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v2', minReplicas: 2 } },
    ],
  });

  // Clients resolve llm.ai.internal: on-premises first, the cloud when on-premises is down.
  // Routing lives beside the cluster (its VPC) and the platform's alarm topic.
  const routing = platform.computeStack;
  const vpc = platform.cluster.vpc;
  const zone = new route53.PrivateHostedZone(routing, 'Zone', { zoneName: 'ai.internal', vpc });
  // The on-premises endpoint is private: its health comes from an alarm on the site's own
  // heartbeat metric (published by the on-premises monitoring through Roles Anywhere).
  const heartbeat = new cloudwatch.Metric({ namespace: 'OnPremises/Inference', metricName: 'HealthyReplicas', dimensionsMap: { Service: 'mistral' }, period: Duration.minutes(1), statistic: 'Minimum' });
  const down = heartbeat.createAlarm(routing, 'OnPremisesDown', {
    threshold: 1, evaluationPeriods: 2, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING, alarmDescription: 'On-premises mistral has no healthy replica',
  });
  platform.monitoring?.addAlarm(down);
  new BurstRouting(routing, 'LlmRouting', {
    zone,
    recordName: 'llm',
    onPremises: RoutingTarget.dnsName('mistral.lab.corp.example'),
    cloud: RoutingTarget.dnsName('mistral-cloud.inference.eks.internal'),
    healthCheck: EndpointHealthCheck.fromAlarm(down),
    mode: RoutingMode.FAILOVER,
  });
  return platform;
}

if (require.main === module) {
  const app = new App();
  buildHybridBurstExample(app);
  app.synth();
}
