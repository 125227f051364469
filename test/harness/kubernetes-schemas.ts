/**
 * Validates Kubernetes manifests against the OpenAPI schemas of Kubernetes (kubernetes-models)
 * and of the CRDs the library emits (KEDA, Karpenter, Prometheus operator). A manifest whose
 * apiVersion / kind has no known schema is an error: unvalidated output must not pass.
 */
/* eslint-disable @typescript-eslint/no-require-imports, @typescript-eslint/no-explicit-any */

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
  'gateway.networking.k8s.io': '@kubernetes-models/gateway-api',
};

/** CRDs without a model package: their schema files in crd-schemas/ (sources in SOURCES.md). */
const CRD_SCHEMA_FILES: Record<string, string> = {
  'elbv2.k8s.aws/v1beta1/IngressClassParams': 'elbv2.k8s.aws_v1beta1_ingressclassparams.json',
  'eks.amazonaws.com/v1/IngressClassParams': 'eks.amazonaws.com_v1_ingressclassparams.json',
  'http.keda.sh/v1beta1/InterceptorRoute': 'http.keda.sh_v1beta1_interceptorroute.json',
  'gateway.k8s.aws/v1/LoadBalancerConfiguration': 'gateway.k8s.aws_v1_loadbalancerconfiguration.json',
  'gateway.k8s.aws/v1/TargetGroupConfiguration': 'gateway.k8s.aws_v1_targetgroupconfiguration.json',
  'kueue.x-k8s.io/v1beta2/ResourceFlavor': 'kueue.x-k8s.io_v1beta2_resourceflavor.json',
  'kueue.x-k8s.io/v1beta2/ClusterQueue': 'kueue.x-k8s.io_v1beta2_clusterqueue.json',
  'kueue.x-k8s.io/v1beta2/LocalQueue': 'kueue.x-k8s.io_v1beta2_localqueue.json',
  'leaderworkerset.x-k8s.io/v1/LeaderWorkerSet': 'leaderworkerset.x-k8s.io_v1_leaderworkerset.json',
  'inference.networking.k8s.io/v1/InferencePool': 'inference.networking.k8s.io_v1_inferencepool.json',
};

/**
 * Pod templates inside custom resources whose schema file leaves them out (the CRD repeats the
 * whole PodTemplateSpec schema per template): each is validated as a Pod of the Kubernetes
 * schemas instead, so the pods are held to the same (strict) schema as a Deployment's.
 */
const EMBEDDED_POD_TEMPLATES: Record<string, (spec: any) => Array<[string, any]>> = {
  'leaderworkerset.x-k8s.io/v1/LeaderWorkerSet': (spec) => [
    ['spec.leaderWorkerTemplate.leaderTemplate', spec?.leaderWorkerTemplate?.leaderTemplate],
    ['spec.leaderWorkerTemplate.workerTemplate', spec?.leaderWorkerTemplate?.workerTemplate],
  ],
};

function embeddedPodErrors(obj: KubernetesObject): string[] {
  const templates = EMBEDDED_POD_TEMPLATES[`${obj.apiVersion}/${obj.kind}`]?.(obj.spec) ?? [];
  const Pod = modelFor('v1', 'Pod')!;
  const errors: string[] = [];
  for (const [path, template] of templates) {
    if (template === undefined) continue;
    try {
      new Pod({ apiVersion: 'v1', kind: 'Pod', metadata: template.metadata ?? {}, spec: template.spec }).validate();
    } catch (error) {
      errors.push(`${describeObject(obj)}: ${path}: ${(error as Error).message}`);
    }
  }
  return errors;
}

/**
 * Unknown fields are errors, as with `kubectl apply`'s strict field validation (the API server
 * would otherwise drop them silently): every object schema that lists its properties and does
 * not preserve unknown fields gets `additionalProperties: false`.
 */
function strict(schema: any): any {
  if (Array.isArray(schema)) return schema.map(strict);
  if (typeof schema !== 'object' || schema === null) return schema;
  const copy: any = Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, k === 'enum' || k === 'required' ? v : strict(v)]));
  if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined && !copy['x-kubernetes-preserve-unknown-fields']) {
    copy.additionalProperties = false;
  }
  return copy;
}

function schemaModel(file: string): ModelClass {
  const Ajv = require('ajv').default;
  // Formats (int32, date-time) are not what these checks are about; ajv would warn on each.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(strict(require(`./crd-schemas/${file}`)));
  return class {
    constructor(private readonly data: any) {}
    validate(): void {
      if (!validate(this.data)) throw new Error(ajv.errorsText(validate.errors, { dataVar: 'object' }));
    }
  };
}

function modelFor(apiVersion: string, kind: string): ModelClass | undefined {
  const schemaFile = CRD_SCHEMA_FILES[`${apiVersion}/${kind}`];
  if (schemaFile) return schemaModel(schemaFile);
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
    errors.push(...embeddedPodErrors(obj));
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
