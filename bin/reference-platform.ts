/**
 * The reference platform, as a function so the test suite synthesizes exactly what
 * `npm run synth` does: an AWS region with lake, stream, GPU cluster, autoscaled inference and
 * (with issue 6) a dashboard, plus one on-premises GPU site.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AiPlatform, InferenceScaling, PlatformInferenceService, ProducerTrustSource } from '../lib';

/**
 * Context key with the PEM bundle of the CA that issues the on-premises site's certificates.
 * With it, the on-premises site gets IAM Roles Anywhere access (model reads, stream writes) and
 * serves a model from the lake; without it, the site only gets its GPU enablement manifests.
 */
export const ON_PREMISES_CA_CONTEXT = 'cdk-scalable-ai:onPremisesCaBundle';

const VLLM_IMAGE = 'vllm/vllm-openai:v0.11.0';
const MODEL_PREFIX = 'llama-3.1-8b-instruct/v1';

function llmService(id: string, site?: string): PlatformInferenceService {
  return {
    id,
    site,
    modelPrefix: MODEL_PREFIX,
    service: {
      name: 'llama-3-1-8b',
      image: VLLM_IMAGE,
      modelVersion: 'v1',
      args: ['--model', '/models/llama-3-1-8b', '--served-model-name', 'llama-3.1-8b-instruct', '--max-model-len', '8192'],
      gpusPerReplica: 1,
      minReplicas: 1,
      maxReplicas: 3,
      ...(site === undefined ? { scaling: InferenceScaling.onQueueDepth(8) } : {}),
    },
  };
}

export function buildReferencePlatform(scope: Construct): AiPlatform {
  const caBundle: string | undefined = scope.node.tryGetContext(ON_PREMISES_CA_CONTEXT);
  return new AiPlatform(scope, 'ScalableAi', {
    gpuNodeGroups: [{
      id: 'L40sNodes',
      options: { instanceTypes: [new ec2.InstanceType('g6e.xlarge'), new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 },
    }],
    onPremisesSites: [{
      id: 'OnPremises',
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16 },
      trustSource: caBundle ? ProducerTrustSource.fromCertificateBundle(caBundle) : undefined,
      site: { storageClassName: 'local-path' },
    }],
    inferenceServices: [
      llmService('Llm'),
      ...(caBundle ? [llmService('LlmOnPremises', 'scalableai-onpremises')] : []),
    ],
  });
}
