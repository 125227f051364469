/**
 * Kueue admits work only when its queueing objects agree with each other and with Kueue's
 * configuration, and most disagreements are silent: a ClusterQueue whose flavor does not exist
 * stays inactive, a LocalQueue whose namespace its ClusterQueue does not select admits nothing,
 * and Jobs in a namespace outside Kueue's `managedJobsNamespaceSelector` bypass the queue (and
 * its quota) entirely. The API server's CEL rules (flavors list the covered resources in order,
 * borrowing needs a cohort) reject the apply. So, per cluster (or written site):
 *
 * - every ClusterQueue flavor lists exactly its group's covered resources, in order, and
 *   borrowing / lending limits appear only with a cohort;
 * - every flavor a ClusterQueue names is a ResourceFlavor of the same cluster, applied no later;
 * - every LocalQueue names a ClusterQueue of the cluster whose namespaceSelector selects the
 *   LocalQueue's namespace (its labels as the app writes them);
 * - where the app installs Kueue, its configured managedJobsNamespaceSelector selects every
 *   namespace that holds a LocalQueue;
 * - every workload labelled with a queue name has that LocalQueue in its namespace, and (where
 *   the app installs Kueue) its namespace is managed.
 */
import { AssemblyModel, ManifestUnit } from './assembly-model';
import { Invariant } from './invariant';
import { describeObject } from './kubernetes-objects';

/* eslint-disable @typescript-eslint/no-explicit-any */

const KUEUE_GROUP = 'kueue.x-k8s.io/';
const QUEUE_NAME_LABEL = 'kueue.x-k8s.io/queue-name';

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

export function selects(selector: LabelSelector | null | undefined, labels: Record<string, string>): boolean {
  // Kueue treats a null namespaceSelector as matching nothing, an empty one as everything.
  if (selector === null || selector === undefined) return false;
  const labelsMatch = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const expressionsMatch = (selector.matchExpressions ?? []).every((e) => {
    switch (e.operator) {
      case 'In': return e.values!.includes(labels[e.key]);
      case 'NotIn': return !(e.key in labels) || !e.values!.includes(labels[e.key]);
      case 'Exists': return e.key in labels;
      case 'DoesNotExist': return !(e.key in labels);
      default: throw new Error(`unknown selector operator ${e.operator}`);
    }
  });
  return labelsMatch && expressionsMatch;
}

/** A namespace's labels as the API server will see them: the app's labels plus the name label. */
function namespaceLabels(units: ManifestUnit[], namespace: string): Record<string, string> | undefined {
  for (const unit of units) {
    const ns = unit.objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === namespace);
    if (ns) return { ...ns.metadata?.labels ?? {}, 'kubernetes.io/metadata.name': namespace };
  }
  return undefined;
}

/** The managedJobsNamespaceSelector of the app's Kueue release on a cluster, if it sets one. */
function managedJobsSelector(model: AssemblyModel, cluster: { stack: string; logicalId: string }): LabelSelector | null | undefined {
  const release = model.clusterResources(cluster, 'Custom::AWSCDK-EKS-HelmChart').find((r) => r.resource.Properties?.Chart === 'kueue');
  if (!release) return undefined;
  const values = JSON.parse(String(release.resource.Properties?.Values ?? '{}'));
  const config = values?.managerConfig?.controllerManagerConfigYaml;
  if (typeof config !== 'string') return null;
  return JSON.parse(config).managedJobsNamespaceSelector ?? null;
}

function checkGroup(units: ManifestUnit[], isOrderedAfter: (later: ManifestUnit, earlier: ManifestUnit) => boolean, managed: LabelSelector | null | undefined): string[] {
  const violations: string[] = [];
  const all = units.flatMap((unit) => unit.objects.map((object) => ({ unit, object })));
  const ofKind = (kind: string) => all.filter((e) => e.object.kind === kind && String(e.object.apiVersion).startsWith(KUEUE_GROUP));
  const flavors = ofKind('ResourceFlavor');
  const clusterQueues = ofKind('ClusterQueue');
  for (const { unit, object } of clusterQueues) {
    const spec = object.spec as any;
    const name = describeObject(object);
    for (const [g, group] of (spec.resourceGroups ?? []).entries()) {
      for (const flavor of group.flavors ?? []) {
        const resources = (flavor.resources ?? []).map((r: any) => r.name);
        if (JSON.stringify(resources) !== JSON.stringify(group.coveredResources)) {
          violations.push(`${name}: flavor ${flavor.name} of resourceGroups[${g}] lists ${JSON.stringify(resources)}, not the covered resources ${JSON.stringify(group.coveredResources)} in order: the API server rejects it.`);
        }
        if (!spec.cohortName && (flavor.resources ?? []).some((r: any) => r.borrowingLimit !== undefined || r.lendingLimit !== undefined)) {
          violations.push(`${name}: flavor ${flavor.name} sets a borrowing or lending limit without a cohortName: the API server rejects it.`);
        }
        const defined = flavors.find((f) => f.object.metadata?.name === flavor.name);
        if (!defined) {
          violations.push(`${name} uses flavor ${flavor.name}, which no ResourceFlavor of the cluster defines: the queue stays inactive and admits nothing.`);
        } else if (defined.unit !== unit && !isOrderedAfter(unit, defined.unit)) {
          violations.push(`${name} may be applied before its ResourceFlavor ${flavor.name}: the queue starts inactive.`);
        }
      }
    }
  }
  for (const { object } of ofKind('LocalQueue')) {
    const namespace = object.metadata?.namespace ?? 'default';
    const target = (object.spec as any)?.clusterQueue;
    const queue = clusterQueues.find((q) => q.object.metadata?.name === target);
    const labels = namespaceLabels(units, namespace) ?? { 'kubernetes.io/metadata.name': namespace };
    if (!queue) {
      violations.push(`${describeObject(object)} points at ClusterQueue ${target}, which the cluster does not define: nothing is admitted.`);
    } else if (!selects((queue.object.spec as any)?.namespaceSelector, labels)) {
      violations.push(`${describeObject(object)}: ClusterQueue ${target} does not select namespace ${namespace} (labels ${JSON.stringify(labels)}): nothing is admitted.`);
    }
    if (managed !== undefined && !selects(managed, labels)) {
      violations.push(`${describeObject(object)}: Kueue's managedJobsNamespaceSelector ${JSON.stringify(managed)} does not select namespace ${namespace}: its Jobs bypass the queue and its quota.`);
    }
  }
  // Workloads sent to a queue: the LocalQueue exists in their namespace, which Kueue manages
  // (else the label is ignored and the quota bypassed, or the workload waits for a queue forever).
  for (const { object } of all.filter((e) => e.object.metadata?.labels?.[QUEUE_NAME_LABEL] !== undefined && e.object.kind !== 'LocalQueue')) {
    const namespace = object.metadata?.namespace ?? 'default';
    const queueName = object.metadata!.labels![QUEUE_NAME_LABEL];
    if (!ofKind('LocalQueue').some((q) => q.object.metadata?.name === queueName && (q.object.metadata?.namespace ?? 'default') === namespace)) {
      violations.push(`${describeObject(object)} is sent to LocalQueue ${queueName}, which namespace ${namespace} does not hold: it is never admitted.`);
    }
    const labels = namespaceLabels(units, namespace) ?? { 'kubernetes.io/metadata.name': namespace };
    if (managed !== undefined && !selects(managed, labels)) {
      violations.push(`${describeObject(object)} is sent to a queue in namespace ${namespace}, which Kueue does not manage: the queue and its quota are bypassed.`);
    }
  }
  return violations;
}

export const kueueQueuesAdmit: Invariant = {
  id: 'kueue-queues-admit',
  description: 'Kueue queues, flavors and namespaces agree, so queued work is admitted under its quota',
  check(model: AssemblyModel): string[] {
    return model.manifestTargets().flatMap((target) => checkGroup(
      target.units,
      // Written YAML is applied as a whole by the site's operators: order is theirs.
      target.cluster ? (later, earlier) => model.isOrderedAfter(later.resource!, earlier.resource!) : () => true,
      target.cluster ? managedJobsSelector(model, target.cluster) : undefined,
    ).map((v) => `${target.label}: ${v}`));
  },
};
