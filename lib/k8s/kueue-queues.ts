/**
 * Kueue's queueing objects for a site (API `kueue.x-k8s.io/v1beta2`): a ResourceFlavor per GPU
 * capacity, and per team a ClusterQueue holding the team's GPU quota in a shared cohort and a
 * LocalQueue in the team's namespace.
 */
import { createHash } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { gpuTolerations } from './scheduling';
import { NAMESPACE_NAME_LABEL } from './workload-namespace';
import { GPU_CAPACITY_LABEL, IGpuCapacity, offersShares } from '../compute/gpu-capacity';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { NVIDIA_GPU_RESOURCE } from '../sites/site-base';

/** Namespaces with this label set to "true" are managed by Kueue (its webhooks see them). */
export const KUEUE_MANAGED_NAMESPACE_LABEL = 'cdk-scalable-ai.io/kueue-managed';
/** Label that sends a Job (or a pod group, a LeaderWorkerSet) to a LocalQueue. */
export const KUEUE_QUEUE_NAME_LABEL = 'kueue.x-k8s.io/queue-name';
/** Cohort of all team ClusterQueues of a site: unused quota of one team is lent to the others. */
export const TEAM_COHORT = 'teams';
/** Name of each team's LocalQueue in its namespace. */
export const TEAM_LOCAL_QUEUE = 'gpu';
const KUEUE_API_VERSION = 'kueue.x-k8s.io/v1beta2';
const FLAVORS_CHART_ID = 'kueue-resource-flavors';

/** The ResourceFlavor name of a capacity: its node label value, or a hash of its name. */
export function resourceFlavorName(capacity: IGpuCapacity): string {
  const label = capacity.nodeSelector?.[GPU_CAPACITY_LABEL];
  if (label) return label;
  return `gpus-${createHash('sha256').update(capacity.capacityName).digest('hex').slice(0, 12)}`;
}

/**
 * GPU capacities of a site that can be flavors: those whose nodes workloads can be pinned to,
 * with whole GPUs (the queues cover `nvidia.com/gpu`; time-sliced shares are another resource).
 */
export function flavorCapacities(site: IKubernetesSite): IGpuCapacity[] {
  return site.gpuCapacities.filter((c) => Object.keys(c.nodeSelector ?? {}).length > 0 && !offersShares(c));
}

/**
 * The site's chart of ResourceFlavors, created and delivered the first time: one flavor per
 * capacity that can be pinned to, whose node labels and the site's GPU tolerations Kueue
 * writes into the pods it admits with that flavor.
 */
export function ensureResourceFlavors(site: IKubernetesSite): Chart {
  const existing = site.charts.find((c) => c.node.id === FLAVORS_CHART_ID);
  if (existing) return existing;
  const chart = site.newChart(FLAVORS_CHART_ID);
  for (const capacity of flavorCapacities(site)) {
    const name = resourceFlavorName(capacity);
    new ApiObject(chart, `Flavor-${name}`, {
      apiVersion: KUEUE_API_VERSION,
      kind: 'ResourceFlavor',
      metadata: { name },
      spec: { nodeLabels: { ...site.gpuNodeLabels, ...capacity.nodeSelector }, tolerations: gpuTolerations(site.gpuNodeTaints) },
    });
  }
  site.addChart(chart);
  return chart;
}

/** One flavor of a team's ClusterQueue. */
export interface TeamFlavorQuota {
  readonly flavor: string;
  /** GPUs the team is guaranteed on the flavor. */
  readonly nominalGpus: number;
  /** GPUs the team may borrow beyond that from the cohort. @default - no limit */
  readonly borrowingLimit?: number;
}

/**
 * A team's ClusterQueue (named after its namespace, in the shared cohort) and its LocalQueue
 * `gpu`. The queue covers only GPUs; higher-priority work of a team preempts its own lower
 * priority work, and a team reclaims its guaranteed GPUs from borrowers.
 */
export function addTeamQueues(scope: Construct, namespace: string, quotas: TeamFlavorQuota[]): void {
  new ApiObject(scope, 'ClusterQueue', {
    apiVersion: KUEUE_API_VERSION,
    kind: 'ClusterQueue',
    metadata: { name: namespace },
    spec: {
      cohortName: TEAM_COHORT,
      namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: namespace } },
      queueingStrategy: 'BestEffortFIFO',
      preemption: { reclaimWithinCohort: 'Any', withinClusterQueue: 'LowerPriority' },
      resourceGroups: [{
        coveredResources: [NVIDIA_GPU_RESOURCE],
        flavors: quotas.map((q) => ({
          name: q.flavor,
          resources: [{
            name: NVIDIA_GPU_RESOURCE,
            nominalQuota: q.nominalGpus,
            ...(q.borrowingLimit !== undefined ? { borrowingLimit: q.borrowingLimit } : {}),
          }],
        })),
      }],
    },
  });
  new ApiObject(scope, 'LocalQueue', {
    apiVersion: KUEUE_API_VERSION,
    kind: 'LocalQueue',
    metadata: { name: TEAM_LOCAL_QUEUE, namespace },
    spec: { clusterQueue: namespace },
  });
}
