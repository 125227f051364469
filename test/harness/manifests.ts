/** Gates for in-cluster manifests: schema-valid and restricted outside privileged namespaces. */
import { IKubernetesSite, KubernetesSiteBase } from '../../lib'
import { expectValidManifests, KubernetesObject } from './kubernetes-schemas';
import { expectRestrictedPods } from './pod-security';
import { GPU_CAPACITY_LABEL } from '../../lib/compute/gpu-capacity';

/**
 * Every object of every chart delivered to the site, in delivery order, as the site rendered it
 * (each chart once per synth; `chart.toJson()` would resolve the whole site app per call).
 */
export function siteObjects(site: IKubernetesSite): KubernetesObject[] {
  return site.charts.flatMap((chart) => (site instanceof KubernetesSiteBase ? site.renderedObjects(chart) : chart.toJson()) as KubernetesObject[]);
}

/** Fails unless every object validates against its schema and workloads are restricted. */
export function expectSafeManifests(objects: readonly KubernetesObject[]): void {
  expectValidManifests(objects);
  expectRestrictedPods(objects);
}

/** Finds one object by kind and name (and namespace when given); fails when absent. */
export function findObject(objects: readonly KubernetesObject[], kind: string, name: string, namespace?: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind && o.metadata?.name === name && (namespace === undefined || o.metadata?.namespace === namespace));
  if (!found) throw new Error(`no ${kind} ${namespace ?? '*'}/${name} among ${objects.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found;
}

/** The GPU capacities a Deployment's pods may run on (values of the capacity label in its required node affinity). */
export function pinnedCapacities(deployment: KubernetesObject): string[] {
  const spec = deployment.spec as { template: { spec: { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: {
    nodeSelectorTerms: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] } } } } } };
  const terms = spec.template.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.flatMap((t) => (t.matchExpressions ?? []).filter((e) => e.key === GPU_CAPACITY_LABEL && e.operator === 'In').flatMap((e) => e.values ?? []));
}
