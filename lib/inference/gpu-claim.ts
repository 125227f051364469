/**
 * GPUs claimed with Dynamic Resource Allocation (`resource.k8s.io/v1`): a ResourceClaimTemplate
 * per service asking the NVIDIA DRA driver's `gpu.nvidia.com` DeviceClass for the replica's
 * GPUs, from which Kubernetes creates one ResourceClaim per pod (freed with the pod), and the
 * pod-side references to it.
 */
import { ApiObject, ApiObjectMetadata, GroupVersionKind, JsonPatch } from 'cdk8s';
import { Construct } from 'constructs';
import { DRA_GPU_DEVICE_CLASS } from '../k8s/nvidia-dra-driver';

/** Name of the GPU claim in the pod (`spec.resourceClaims`) and in the container (`resources.claims`). */
export const GPU_CLAIM_NAME = 'gpus';

/** The service's ResourceClaimTemplate name. */
export function gpuClaimTemplateName(serviceName: string): string {
  return `${serviceName}-gpus`;
}

export interface GpuClaimTemplateOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Whole GPUs each pod gets. */
  readonly gpus: number;
}

/** A ResourceClaimTemplate for exactly `gpus` whole GPUs of the `gpu.nvidia.com` class. */
export function addGpuClaimTemplate(scope: Construct, id: string, options: GpuClaimTemplateOptions): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'resource.k8s.io/v1',
    kind: 'ResourceClaimTemplate',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: {
      spec: {
        devices: {
          requests: [{
            name: GPU_CLAIM_NAME,
            exactly: { deviceClassName: DRA_GPU_DEVICE_CLASS, allocationMode: 'ExactCount', count: options.gpus },
          }],
        },
      },
    },
  });
}

/**
 * Adds the GPU claim to the pod specs of a workload at `podSpecPaths` (JSON pointers): the
 * containers reference it already (`resources.claims`). Written as a patch because the
 * generated 1.28 API types predate `resourceClaimTemplateName`; the workload must be a plain
 * ApiObject (the generated classes re-serialize their output through those types, dropping it).
 */
export function claimGpusFromTemplate(workload: ApiObject, podSpecPaths: string[], templateName: string): void {
  for (const path of podSpecPaths) {
    workload.addJsonPatch(JsonPatch.add(`${path}/resourceClaims`, [{ name: GPU_CLAIM_NAME, resourceClaimTemplateName: templateName }]));
  }
}

/**
 * A Deployment or Job (its pod spec at `/spec/template/spec`) whose pods claim their GPUs from
 * `templateName`, as a plain ApiObject (see above): `spec` is the generated type's JSON
 * (`k8s.toJson_DeploymentSpec`, `k8s.toJson_JobSpec`).
 */
export function addClaimingWorkload(scope: Construct, id: string, gvk: GroupVersionKind, metadata: ApiObjectMetadata, spec: unknown, templateName: string): ApiObject {
  const workload = new ApiObject(scope, id, { ...gvk, metadata, spec });
  claimGpusFromTemplate(workload, ['/spec/template/spec'], templateName);
  return workload;
}
