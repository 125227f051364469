/**
 * Example 6: a shared GPU platform for two teams, built for the Kubernetes AI Conformance
 * checklist. One EKS cluster (managed node groups) with the AWS Load Balancer Controller
 * serving Gateway API, the Cluster Autoscaler, Kueue, KEDA, LeaderWorkerSet and the Mountpoint
 * for Amazon S3 driver:
 *
 * - an L40S node group with whole GPUs that both teams queue on (each guaranteed 4 GPUs,
 *   borrowing what the other leaves idle), an L4 node group time-sliced into 4 shares per GPU
 *   for small models, and an EFA-enabled H100 node group for a model larger than one node, all
 *   on Bottlerocket, whose nodes give a pod only the GPUs it requests;
 * - team `fraud` serves a small scoring model on GPU shares;
 * - team `assistant` serves a chat model behind an internal ALB Gateway, autoscaled on its
 *   queue, with a canary that gets 10 % of requests and every request carrying `x-canary: true`;
 *   its weights are mounted from the lake (no copy at start);
 * - the platform serves a 405B model across two 8-GPU nodes (tensor parallel within a node,
 *   pipeline parallel across them, over EFA);
 * - evidence Jobs check the Gateway, the queues, the autoscalers, the LeaderWorkerSet groups,
 *   GPU isolation, the GPU metrics and the chat model's own metrics on the live cluster.
 *
 * Context: `-c chatCertificateArn=arn:aws:acm:...` (an ACM certificate for chat.<domain>) and
 * `-c chatHost=chat.example.com`.
 */
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { ConformanceEvidence, DataLake, GpuCluster, GpuNodeOperatingSystem, InferenceScaling, InferenceService, ModelSource, MultiNodeServing, ServiceExposure, Team } from 'cdk-scalable-ai';

/** Context keys of the example. */
export const CONFORMANT_CONTEXT = { certificateArn: 'chatCertificateArn', host: 'chatHost' } as const;
/** Names of the example's teams and services, for tests and readers. */
export const CONFORMANT_NAMES = { fraud: 'fraud', assistant: 'assistant', scorer: 'scorer', chat: 'chat', large: 'llama-405b' } as const;

function requiredContext(scope: Construct, key: string, example: string): string {
  const value = scope.node.tryGetContext(key);
  if (typeof value !== 'string' || value.length === 0) throw new Error(`Pass -c ${key}=${example} (see examples/conformant-platform/app.ts).`);
  return value;
}

export function buildConformantPlatformExample(scope: Construct): Stack {
  const certificateArn = requiredContext(scope, CONFORMANT_CONTEXT.certificateArn, 'arn:aws:acm:<region>:<account>:certificate/<id>');
  const host = requiredContext(scope, CONFORMANT_CONTEXT.host, 'chat.example.com');
  const stack = new Stack(scope, 'ConformantPlatform');
  const lake = new DataLake(stack, 'Lake');
  const models = lake.zone('models');
  const cluster = new GpuCluster(stack, 'Cluster', { awsLoadBalancerController: { gatewayApi: true } });
  // Bottlerocket on every GPU group: a pod that requests no GPU sees none (the teams share
  // these nodes); the L4s are time-sliced through Bottlerocket's own device plugin settings.
  const l40s = cluster.addGpuNodeGroup('L40s', {
    instanceTypes: [new ec2.InstanceType('g6e.12xlarge')], maxSize: 2, operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET,
  });
  cluster.addGpuNodeGroup('SharedL4', {
    instanceTypes: [new ec2.InstanceType('g6.4xlarge')], maxSize: 2, timeSlicing: 4, operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET,
  });
  // One Availability Zone, a cluster placement group and an EFA device on each of 32 network cards.
  cluster.addGpuNodeGroup('H100', {
    instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 4, efa: true, operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET,
  });
  cluster.addKueue();
  // GPU node groups scale with pending pods (from zero: minSize is 0 by default).
  cluster.addClusterAutoscaler();
  cluster.addInferenceAutoscaling();
  cluster.addLeaderWorkerSet();
  cluster.addMountpointS3();

  new Team(stack, 'Fraud', {
    site: cluster.site,
    namespace: CONFORMANT_NAMES.fraud,
    maxGpus: 8,
    gpuQuotas: [{ capacity: l40s, gpus: 4 }],
    dataAccess: [{ zone: lake.zone('features'), prefix: 'fraud/' }],
  });
  new Team(stack, 'Assistant', {
    site: cluster.site,
    namespace: CONFORMANT_NAMES.assistant,
    maxGpus: 8,
    gpuQuotas: [{ capacity: l40s, gpus: 4 }],
  });

  // A small model: one share of an L4 per replica.
  new InferenceService(stack, 'Scorer', {
    site: cluster.site,
    name: CONFORMANT_NAMES.scorer,
    namespace: CONFORMANT_NAMES.fraud,
    image: 'vllm/vllm-openai:v0.11.0',
    modelVersion: 'v1',
    model: ModelSource.fromDataLake(models, 'fraud-scorer/v1'),
    // Requested as local disk for the copy, and checked against a GPU's memory at synth.
    modelSize: Size.gibibytes(3),
    // Model files are at /models/<service name>.
    args: ['--model', '/models/scorer', '--gpu-memory-utilization', '0.22'],
    sharedGpu: true,
    cpu: '2',
    memory: '8Gi',
    minReplicas: 2,
  });

  // Behind a Gateway: the canary's share is a weight, testers reach it by header. Its weights
  // are mounted read-only from the lake instead of copied into every pod at start.
  new InferenceService(stack, 'Chat', {
    site: cluster.site,
    name: CONFORMANT_NAMES.chat,
    namespace: CONFORMANT_NAMES.assistant,
    image: 'vllm/vllm-openai:v0.11.0',
    modelVersion: 'v1',
    model: ModelSource.mountFromDataLake(models, 'llama-3.1-8b-instruct/v1'),
    // Sizes the startup probe (one pass over mounted weights).
    modelSize: Size.gibibytes(15),
    args: ['--model', '/models/chat', '--served-model-name', 'llama-3.1-8b-instruct'],
    gpuRequirements: { models: ['L40S'] },
    scaling: InferenceScaling.onQueueDepth(8),
    maxReplicas: 3,
    exposure: ServiceExposure.gatewayWithCertificate(host, certificateArn),
    canary: {
      modelVersion: 'v2',
      model: ModelSource.mountFromDataLake(models, 'llama-3.1-8b-instruct/v2'),
      trafficPercent: 10,
      matchHeader: { name: 'x-canary', value: 'true' },
    },
  });

  // Larger than one node: each replica is a leader and a worker with 8 H100s each, talking over EFA.
  new InferenceService(stack, 'Llama405b', {
    site: cluster.site,
    name: CONFORMANT_NAMES.large,
    image: 'vllm/vllm-openai:v0.12.0',
    modelVersion: 'v1',
    model: ModelSource.mountFromDataLake(models, 'llama-3.1-405b-instruct/v1'),
    args: ['/models/llama-405b', '--served-model-name', 'llama-3.1-405b-instruct', '--max-model-len', '32768'],
    gpusPerReplica: 8,
    cpu: '96',
    memory: '1000Gi',
    sharedMemory: '64Gi',
    // 16 H100s hold it (checked at synth). Each node loads only its pipeline stage, and
    // Mountpoint reads far faster than the 100 MiB/s the size-based default assumes: 45 minutes.
    modelSize: Size.gibibytes(756),
    maxStartupTime: Duration.minutes(45),
    multiNode: MultiNodeServing.vllm({ nodes: 2, efa: true }),
  });

  // Post-deploy evidence, per checklist item: kubectl get jobs -n ai-conformance -L cdk-scalable-ai.io/checklist-id
  ConformanceEvidence.addToSite({ site: cluster.site });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildConformantPlatformExample(app);
  app.synth();
}
