/**
 * Example 5: two GPU pools on EKS Auto Mode and a model pinned to each. A 70B model takes a
 * whole 8-GPU H100 node (p5); an 8B model runs on one L40S (g6e). Each model server carries a
 * node affinity for its pool's capacity label, so the 70B never lands on an L40S node and the
 * 8B never takes a p5; the capacity check counts each model against its own pool only (the
 * H100 pool holds two replicas plus a rolling update's surge replica).
 */
import { App, Size, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClusterCapacityMode, DataLake, GpuCluster, InferenceScaling, InferenceService, ModelSource } from 'cdk-scalable-ai';

/** Names of the example's services, for tests and readers. */
export const GPU_POOLS_SERVICES = { large: 'llama-70b', small: 'llama-8b' } as const;

export function buildGpuPoolsExample(scope: Construct): Stack {
  const stack = new Stack(scope, 'GpuPools');
  const lake = new DataLake(stack, 'Lake');
  const models = lake.zone('models');
  const cluster = new GpuCluster(stack, 'Cluster', { capacityMode: ClusterCapacityMode.AUTO_MODE });
  const h100 = cluster.addGpuNodePool('H100', { instanceFamilies: ['p5'], maxGpus: 24 });
  cluster.addGpuNodePool('L40s', { instanceFamilies: ['g6e'], maxGpus: 8 });
  cluster.addInferenceAutoscaling();

  // Pinned by capacity: the 70B needs the H100 pool itself.
  new InferenceService(stack, 'Llama70b', {
    site: cluster.site,
    name: GPU_POOLS_SERVICES.large,
    image: 'vllm/vllm-openai:v0.11.0',
    modelVersion: 'v1',
    model: ModelSource.fromDataLake(models, 'llama-3.1-70b-instruct/v1'),
    args: ['--model', '/models/llama', '--served-model-name', 'llama-3.1-70b-instruct', '--tensor-parallel-size', '8'],
    gpusPerReplica: 8,
    cpu: '96',
    memory: '1000Gi',
    gpuRequirements: { capacities: [h100] },
    minReplicas: 1,
    maxReplicas: 2,
    scaling: InferenceScaling.onQueueDepth(16),
  });

  // Pinned by GPU model: any L40S capacity of the site (today the L40s pool).
  new InferenceService(stack, 'Llama8b', {
    site: cluster.site,
    name: GPU_POOLS_SERVICES.small,
    image: 'vllm/vllm-openai:v0.11.0',
    modelVersion: 'v1',
    model: ModelSource.fromDataLake(models, 'llama-3.1-8b-instruct/v1'),
    args: ['--model', '/models/llama', '--served-model-name', 'llama-3.1-8b-instruct'],
    gpuRequirements: { models: ['L40S'], minGpuMemory: Size.gibibytes(40) },
    minReplicas: 1,
    maxReplicas: 4,
    scaling: InferenceScaling.onQueueDepth(8),
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildGpuPoolsExample(app);
  app.synth();
}
