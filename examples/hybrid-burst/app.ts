/**
 * Example 2: hybrid on-premises + cloud burst. On-premises GPU servers join the EKS cluster as
 * EKS Hybrid Nodes and serve first; a second on-premises cluster gets its manifests as YAML;
 * Route 53 sends clients to on-premises and fails over to the cloud service when the
 * on-premises endpoint is unhealthy.
 *
 * Context (required):
 * - `onPremisesCaBundleFile`: path of the PEM bundle of the CA that issues the on-premises
 *   certificates (IAM Roles Anywhere), e.g. `-c onPremisesCaBundleFile=ca.pem`;
 * - `modelsBucketName`: physical name of the models bucket, which the lab's manifests name;
 * - `rolesAnywhereHelperImage`: image with aws_signing_helper for the lab's credential sidecar.
 */
import { App } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import {
  AiPlatform, BurstRouting, DataLake, EndpointHealthCheck, GpuPlacement, InferenceScaling, ProducerTrustSource, RoutingMode, RoutingTarget,
} from 'cdk-scalable-ai';

/** Context keys of the example. */
export const HYBRID_CONTEXT = { caBundleFile: 'onPremisesCaBundleFile', modelsBucketName: 'modelsBucketName', helperImage: 'rolesAnywhereHelperImage' } as const;

function requiredContext(scope: Construct, key: string, what: string): string {
  const value: string | undefined = scope.node.tryGetContext(key);
  if (!value) throw new Error(`Pass ${what}: -c ${key}=...`);
  return value;
}

export function buildHybridBurstExample(scope: Construct): AiPlatform {
  const caBundleFile = requiredContext(scope, HYBRID_CONTEXT.caBundleFile, 'the path of the on-premises CA bundle (PEM)');
  const modelsBucketName = requiredContext(scope, HYBRID_CONTEXT.modelsBucketName, 'a globally unique name for the models bucket (the lab\'s manifests name it)');
  const helperImage = requiredContext(scope, HYBRID_CONTEXT.helperImage, 'an image with aws_signing_helper (see the README "On-premises setup")');
  const platform = new AiPlatform(scope, 'Hybrid', {
    dataLake: { zones: DataLake.defaultZoneNames().map((name) => ({ name, bucketName: name === 'models' ? modelsBucketName : undefined })) },
    cluster: {
      hybridNodes: { remoteNodeCidrs: ['192.168.100.0/24'], remotePodCidrs: ['192.168.128.0/18'], gpuNodes: { gpusPerNode: 4, nodeCount: 2 } },
    },
    gpuNodeGroups: [{ id: 'CloudL4', options: { instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g6.2xlarge')], maxSize: 6 } }],
    onPremisesSites: [{
      id: 'Lab',
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16 },
      trustSource: ProducerTrustSource.fromCertificateBundleFile(caBundleFile),
      rolesAnywhereHelperImage: helperImage,
    }],
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
  // The on-premises endpoint is private: its health comes from an alarm on the lab's heartbeat
  // (a CronJob there publishes it every minute with Roles Anywhere credentials); no beat is down.
  const lab = platform.onPremisesSites[0];
  const down = lab.metricHeartbeat().createAlarm(routing, 'OnPremisesDown', {
    threshold: 1, evaluationPeriods: 2, comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.BREACHING, alarmDescription: `Site "${lab.siteName}" sent no heartbeat for 2 minutes`,
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
