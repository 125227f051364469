/**
 * Validates Kubernetes manifests against the OpenAPI schemas of Kubernetes (kubernetes-models)
 * and of the CRDs the library emits (KEDA, Karpenter, Prometheus operator). A manifest whose
 * apiVersion / kind has no known schema is an error: unvalidated output must not pass.
 */
/* eslint-disable @typescript-eslint/no-require-imports */

export interface KubernetesObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  readonly [key: string]: unknown;
}

interface ModelClass {
  new (data: unknown): { validate(): void };
}

/** API groups whose schemas come from a CRD package rather than from kubernetes-models. */
const CRD_PACKAGES: Record<string, string> = {
  'keda.sh': '@kubernetes-models/keda',
  'eventing.keda.sh': '@kubernetes-models/keda',
  'karpenter.sh': '@kubernetes-models/karpenter',
  'karpenter.k8s.aws': '@kubernetes-models/karpenter',
  'monitoring.coreos.com': '@kubernetes-models/prometheus-operator',
};

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const pkg = CRD_PACKAGES[group] ?? 'kubernetes-models';
  const modulePath = group === '' ? `${pkg}/${version}` : `${pkg}/${group}/${version}`;
  let module: Record<string, ModelClass>;
  try {
    module = require(modulePath);
  } catch {
    return undefined;
  }
  return module[kind];
}

/** Names one object for error messages: `Deployment default/web`. */
export function describeObject(obj: KubernetesObject): string {
  return `${obj.kind} ${obj.metadata?.namespace ?? '-'}/${obj.metadata?.name ?? '?'}`;
}

/** Returns one message per object that fails its schema; empty when all are valid. */
export function schemaErrors(objects: readonly KubernetesObject[]): string[] {
  const errors: string[] = [];
  for (const obj of objects) {
    if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      errors.push(`object without apiVersion/kind: ${JSON.stringify(obj).slice(0, 200)}`);
      continue;
    }
    const Model = modelFor(obj.apiVersion, obj.kind);
    if (!Model) {
      errors.push(`${describeObject(obj)}: no schema known for ${obj.apiVersion} ${obj.kind}`);
      continue;
    }
    try {
      new Model(obj).validate();
    } catch (error) {
      errors.push(`${describeObject(obj)}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/** Throws with every schema error of the objects. */
export function expectValidManifests(objects: readonly KubernetesObject[]): void {
  const errors = schemaErrors(objects);
  if (errors.length > 0) {
    throw new Error(`Manifests fail schema validation:\n- ${errors.join('\n- ')}`);
  }
}
