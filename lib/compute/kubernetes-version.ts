import { KubectlV36Layer } from '@aws-cdk/lambda-layer-kubectl-v36';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PropValidationError } from '../private/errors';

/**
 * The newest Kubernetes version that both aws-eks-v2 and a published kubectl layer
 * (@aws-cdk/lambda-layer-kubectl-v36) support. aws-eks-v2 knows 1.37, but no v37 layer exists.
 */
export const DEFAULT_KUBERNETES_VERSION = eks.KubernetesVersion.V1_36;
/** Oldest version accepted: older ones are past EKS standard support and lack AL2023 GPU AMIs' current drivers. */
export const MIN_KUBERNETES_MINOR = 33;
/** Newest version accepted with the bundled kubectl layer. */
export const BUNDLED_LAYER_KUBERNETES_MINOR = 36;

export function minorOf(version: eks.KubernetesVersion): number | undefined {
  const match = /^1\.(\d+)$/.exec(version.version);
  return match ? Number(match[1]) : undefined;
}

/**
 * Checks the version and returns the kubectl layer to use: the given one, or the bundled
 * v36 layer for 1.36.
 */
export function resolveKubectlLayer(scope: Construct, version: eks.KubernetesVersion, kubectlLayer?: lambda.ILayerVersion): lambda.ILayerVersion {
  const minor = minorOf(version);
  if (minor === undefined || minor < MIN_KUBERNETES_MINOR) {
    throw new PropValidationError(scope, 'version', version.version, `is not a supported Kubernetes version (1.${MIN_KUBERNETES_MINOR} or newer)`,
      `Use eks.KubernetesVersion.V1_${BUNDLED_LAYER_KUBERNETES_MINOR} (the default) or another version from 1.${MIN_KUBERNETES_MINOR} on.`);
  }
  if (kubectlLayer) return kubectlLayer;
  if (minor !== BUNDLED_LAYER_KUBERNETES_MINOR) {
    const hint = minor > BUNDLED_LAYER_KUBERNETES_MINOR
      ? `no kubectl layer for 1.${minor} is published yet; use 1.${BUNDLED_LAYER_KUBERNETES_MINOR}`
      : `pass kubectlLayer: new KubectlV${minor}Layer(this, 'KubectlLayer') from @aws-cdk/lambda-layer-kubectl-v${minor}`;
    throw new PropValidationError(scope, 'version', version.version, `has no bundled kubectl layer (the bundled one is for 1.${BUNDLED_LAYER_KUBERNETES_MINOR})`,
      `Either ${hint}.`);
  }
  return new KubectlV36Layer(scope, 'KubectlLayer');
}
