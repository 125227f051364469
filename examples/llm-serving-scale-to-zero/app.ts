/**
 * Example 1: an LLM served by vLLM on EKS Auto Mode, scaling on queue depth and down to zero
 * when idle. GPU nodes come from a NodePool and leave with the last replica.
 *
 * The wake-up signal must exist while no replica runs, so it is measured in front of the
 * service: the KEDA HTTP add-on's interceptor holds the first request, KEDA wakes the service,
 * and the request is forwarded once a replica is ready. Clients call `service.url`
 * (`http://llama-wake.inference.svc.cluster.local:8080`).
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ClusterCapacityMode, DataLake, GpuCluster, InferenceScaling, InferenceService, ModelSource, ScaleToZero } from 'cdk-scalable-ai';

export function buildLlmServingExample(scope: Construct): Stack {
  const stack = new Stack(scope, 'LlmServing');
  const lake = new DataLake(stack, 'Lake');
  const cluster = new GpuCluster(stack, 'Cluster', { capacityMode: ClusterCapacityMode.AUTO_MODE });
  cluster.addGpuNodePool('L40s', { instanceFamilies: ['g6e'], maxGpus: 8 });
  cluster.addInferenceAutoscaling({ kedaHttpAddOn: true });

  new InferenceService(stack, 'Llama', {
    site: cluster.site,
    name: 'llama',
    image: 'vllm/vllm-openai:v0.11.0',
    modelVersion: 'v1',
    model: ModelSource.fromDataLake(lake.zone('models'), 'llama-3.1-8b-instruct/v1'),
    args: ['--model', '/models/llama', '--served-model-name', 'llama-3.1-8b-instruct'],
    minReplicas: 1,
    maxReplicas: 4,
    scaling: InferenceScaling.onQueueDepth(8),
    scaleToZero: ScaleToZero.onRequest(Duration.minutes(30)),
  });
  return stack;
}

if (require.main === module) {
  const app = new App();
  buildLlmServingExample(app);
  app.synth();
}
