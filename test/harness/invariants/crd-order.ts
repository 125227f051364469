/**
 * An object of a custom resource kind can only be applied once its CustomResourceDefinition
 * exists: `kubectl apply` of a ScaledObject before KEDA is installed fails the deployment (or,
 * with retries exhausted, rolls the stack back). So every such object is applied after what
 * installs its CRD: a Helm release, a manifest with the CRD, or the cluster itself where EKS
 * provides the kind (Auto Mode's NodePool and NodeClass).
 */
import { AssemblyModel, ManifestUnit, ModelResource, refKey } from './assembly-model';
import { Invariant } from './invariant';
import { apiGroup, describeObject } from './kubernetes-objects';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** API groups every Kubernetes API server serves. */
const BUILT_IN_GROUPS = new Set(['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'admissionregistration.k8s.io', 'discovery.k8s.io', 'certificates.k8s.io',
  'apiextensions.k8s.io', 'apiregistration.k8s.io', 'flowcontrol.apiserver.k8s.io', 'resource.k8s.io']);

/** Helm charts that install the CRDs of an API group. */
export const CRD_INSTALLING_CHARTS: Record<string, readonly string[]> = {
  'keda.sh': ['keda'],
  'eventing.keda.sh': ['keda'],
  'http.keda.sh': ['keda-add-ons-http'],
  'karpenter.sh': ['karpenter', 'karpenter-crd'],
  'karpenter.k8s.aws': ['karpenter', 'karpenter-crd'],
  'monitoring.coreos.com': ['kube-prometheus-stack', 'prometheus-operator-crds'],
  'elbv2.k8s.aws': ['aws-load-balancer-controller'],
  // A chart from an asset has no chart name: the release name identifies it.
  'gateway.networking.k8s.io': ['gateway-api', 'gateway-api-crds', 'aws-gateway-controller'],
  'gateway.k8s.aws': ['aws-load-balancer-controller'],
  'kueue.x-k8s.io': ['kueue'],
  'leaderworkerset.x-k8s.io': ['lws'],
};

/** Groups EKS Auto Mode serves once the cluster exists. */
const AUTO_MODE_GROUPS = new Set(['karpenter.sh', 'eks.amazonaws.com']);

/**
 * @param declared API groups a cluster's operators declare installed outside the app (e.g. the
 * Prometheus operator on an EKS site with `prometheusOperatorAvailable`), by cluster key.
 */
export function crdsBeforeObjects(declared: ReadonlyMap<string, ReadonlySet<string>> = new Map()): Invariant {
  return {
    id: 'crds-before-objects',
    description: 'every object of a CRD kind is applied after what installs the CRD',
    check(model: AssemblyModel): string[] {
      const violations: string[] = [];
      for (const cluster of model.resources('AWS::EKS::Cluster')) {
        const units = model.manifestsOf(cluster);
        const releases = model.clusterResources(cluster, 'Custom::AWSCDK-EKS-HelmChart');
        const autoMode = cluster.resource.Properties?.ComputeConfig?.Enabled === true;
        for (const unit of units) {
          for (const object of unit.objects) {
            const group = apiGroup(object.apiVersion);
            if (BUILT_IN_GROUPS.has(group)) continue;
            if (autoMode && AUTO_MODE_GROUPS.has(group)) continue;
            if (declared.get(refKey(cluster))?.has(group)) continue;
            const problem = installerProblem(model, unit, group, object.kind, releases, units);
            if (problem) violations.push(`${describeObject(object)} (${object.apiVersion}, applied by ${model.describe(unit.resource!)}) ${problem}`);
          }
        }
      }
      return violations;
    },
  };
}

function definesCrd(unit: ManifestUnit, group: string, kind: string): boolean {
  return unit.objects.some((o) => o.kind === 'CustomResourceDefinition' && (o.spec as any)?.group === group && (o.spec as any)?.names?.kind === kind);
}

function installerProblem(model: AssemblyModel, unit: ManifestUnit, group: string, kind: string, releases: ModelResource[], units: ManifestUnit[]): string | undefined {
  if (definesCrd(unit, group, kind)) return undefined;
  const installers: ModelResource[] = [
    ...releases.filter((r) => (CRD_INSTALLING_CHARTS[group] ?? []).includes(String(r.resource.Properties?.Chart ?? r.resource.Properties?.Release))),
    ...units.filter((u) => u !== unit && definesCrd(u, group, kind)).map((u) => u.resource!),
  ];
  if (installers.length === 0) return `has no installer of its CRD in the app (no Helm release of ${(CRD_INSTALLING_CHARTS[group] ?? ['a chart for it']).join(' / ')}, no CustomResourceDefinition): the apply fails.`;
  if (installers.some((i) => model.isOrderedAfter(unit.resource!, i))) return undefined;
  return `may be applied before its CRD is installed by ${installers.map((i) => model.describe(i)).join(', ')}: the apply fails.`;
}
