/**
 * The reference platform, as a function so the test suite synthesizes exactly what
 * `npm run synth` does: an AWS region with lake, stream, GPU cluster, autoscaled inference and
 * (with issue 6) a dashboard, plus one on-premises GPU site.
 */
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { AiPlatform, DataLake, InferenceScaling, PlatformInferenceService, ProducerTrustSource } from '../lib';

/**
 * Context key with the path of the PEM bundle of the CA that issues the on-premises site's
 * certificates (a path: `-c key="$(cat ca.pem)"` would pass only the PEM's first line). With it,
 * the on-premises site gets IAM Roles Anywhere access (model reads, stream writes, heartbeat)
 * and serves a model from the lake; without it, the site only gets its GPU enablement manifests.
 */
export const ON_PREMISES_CA_FILE_CONTEXT = 'cdk-scalable-ai:onPremisesCaBundleFile';
/** The former context key, which took the PEM itself: rejected with a pointer to the file key. */
export const LEGACY_ON_PREMISES_CA_CONTEXT = 'cdk-scalable-ai:onPremisesCaBundle';
/**
 * With the CA: physical name of the models zone's bucket. The on-premises manifests are applied
 * with kubectl, so they must name the bucket; a CloudFormation-generated name is known only
 * after deploy. Choose it before the first deploy (a new name replaces the bucket).
 */
export const MODELS_BUCKET_NAME_CONTEXT = 'cdk-scalable-ai:modelsBucketName';
/** With the CA: image with aws_signing_helper for the on-premises site's credential sidecar. */
export const ROLES_ANYWHERE_HELPER_IMAGE_CONTEXT = 'cdk-scalable-ai:rolesAnywhereHelperImage';

interface OnPremisesAccess {
  readonly trustSource: ProducerTrustSource;
  readonly modelsBucketName: string;
  readonly helperImage: string;
}

/** Reads and checks the on-premises context; undefined without a CA file. */
function onPremisesAccess(scope: Construct): OnPremisesAccess | undefined {
  if (scope.node.tryGetContext(LEGACY_ON_PREMISES_CA_CONTEXT) !== undefined) {
    throw new Error(`Context ${LEGACY_ON_PREMISES_CA_CONTEXT} (the PEM itself) is no longer read: -c passes only its first line. Pass the file instead: -c ${ON_PREMISES_CA_FILE_CONTEXT}=ca.pem`);
  }
  const caFile: string | undefined = scope.node.tryGetContext(ON_PREMISES_CA_FILE_CONTEXT);
  if (caFile === undefined) return undefined;
  const modelsBucketName: string | undefined = scope.node.tryGetContext(MODELS_BUCKET_NAME_CONTEXT);
  const helperImage: string | undefined = scope.node.tryGetContext(ROLES_ANYWHERE_HELPER_IMAGE_CONTEXT);
  const missing = [
    ...(modelsBucketName ? [] : [`-c ${MODELS_BUCKET_NAME_CONTEXT}=<globally unique bucket name> (the on-premises manifests name the models bucket)`]),
    ...(helperImage ? [] : [`-c ${ROLES_ANYWHERE_HELPER_IMAGE_CONTEXT}=<registry>/aws-signing-helper:<tag> (an image with aws_signing_helper; see the README "On-premises setup")`]),
  ];
  if (missing.length > 0) throw new Error(`With ${ON_PREMISES_CA_FILE_CONTEXT}, also pass ${missing.join(' and ')}.`);
  return { trustSource: ProducerTrustSource.fromCertificateBundleFile(caFile), modelsBucketName: modelsBucketName!, helperImage: helperImage! };
}

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
  const onPremises = onPremisesAccess(scope);
  return new AiPlatform(scope, 'ScalableAi', {
    // Only an on-premises model server needs the models bucket's name in its manifests.
    dataLake: onPremises ? { zones: DataLake.defaultZoneNames().map((name) => ({ name, bucketName: name === 'models' ? onPremises.modelsBucketName : undefined })) } : undefined,
    gpuNodeGroups: [{
      id: 'L40sNodes',
      options: { instanceTypes: [new ec2.InstanceType('g6e.xlarge'), new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 },
    }],
    onPremisesSites: [{
      id: 'OnPremises',
      gpuCapacity: { gpusPerNode: 8, totalGpus: 16 },
      trustSource: onPremises?.trustSource,
      rolesAnywhereHelperImage: onPremises?.helperImage,
      site: { storageClassName: 'local-path' },
    }],
    inferenceServices: [
      llmService('Llm'),
      ...(onPremises ? [llmService('LlmOnPremises', 'scalableai-onpremises')] : []),
    ],
  });
}
