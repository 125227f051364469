/**
 * GPU demand of all model servers of a site against the site's capacity. One service at a time
 * cannot see that 100 services of 4 GPUs each do not fit 4 GPUs: the site's services are
 * summed per placement (cloud, hybrid, any), because a service that may only run on cloud
 * nodes cannot use hybrid capacity.
 *
 * - guaranteed demand (minReplicas + canary + one rollout surge replica, x GPUs) beyond the
 *   capacity is an error: those pods would stay Pending;
 * - peak demand (maxReplicas instead of minReplicas when autoscaled) beyond the capacity is a
 *   warning naming the services: autoscaling would stop short of maxReplicas.
 */
import { Token } from 'aws-cdk-lib';
import { IGpuCapacity } from '../compute/gpu-capacity';

/** Where on a site with EKS Hybrid Nodes the model server's pods may run. */
export enum GpuPlacement {
  /** Any GPU node, cloud or hybrid. */
  ANY = 'any',
  /** Only cloud nodes (not EKS Hybrid Nodes). */
  CLOUD = 'cloud',
  /** Only EKS Hybrid Nodes (on-premises GPU servers in the cluster). */
  HYBRID = 'hybrid',
}

/** What one service asks of the site's GPUs. */
export interface GpuDemand {
  /** `<namespace>/<name>`, for messages. */
  readonly name: string;
  readonly placement: GpuPlacement;
  readonly gpusPerReplica: number;
  /** Replicas that must run: minReplicas + canary + one rollout surge replica. */
  readonly guaranteedReplicas: number;
  /** Replicas at the peak: maxReplicas (autoscaled) or minReplicas, + canary + one surge. */
  readonly peakReplicas: number;
}

/** Errors and warnings of a site's GPU demand. */
export interface GpuDemandFindings {
  readonly errors: string[];
  readonly warnings: string[];
}

/** Services named in a message, largest first. */
const NAMED_IN_MESSAGE = 5;

/** The capacity classes whose sums must each fit, with the services confined to them. */
const CLASSES: ReadonlyArray<{ readonly placement: GpuPlacement; readonly label: string; readonly confined: (p: GpuPlacement) => boolean; readonly offers: (c: IGpuCapacity) => boolean }> = [
  { placement: GpuPlacement.ANY, label: 'GPU capacity', confined: () => true, offers: () => true },
  { placement: GpuPlacement.CLOUD, label: 'cloud GPU capacity (placement cloud)', confined: (p) => p === GpuPlacement.CLOUD, offers: (c) => c.hybrid !== true },
  { placement: GpuPlacement.HYBRID, label: 'hybrid GPU capacity (placement hybrid)', confined: (p) => p === GpuPlacement.HYBRID, offers: (c) => c.hybrid === true },
];

function known(values: number[]): boolean {
  return values.every((v) => !Token.isUnresolved(v) && Number.isFinite(v));
}

function describe(demands: Array<{ name: string; gpus: number }>): string {
  const sorted = [...demands].sort((a, b) => b.gpus - a.gpus || a.name.localeCompare(b.name));
  const named = sorted.slice(0, NAMED_IN_MESSAGE).map((d) => `${d.name} ${d.gpus}`).join(', ');
  return sorted.length > NAMED_IN_MESSAGE ? `${named} and ${sorted.length - NAMED_IN_MESSAGE} more` : named;
}

/**
 * Sums the demands of a site's services per capacity class. Services whose counts are
 * unresolved tokens are left out (nothing can be summed about them at synth).
 */
export function checkSiteGpuDemand(siteName: string, capacities: readonly IGpuCapacity[], demands: readonly GpuDemand[]): GpuDemandFindings {
  const errors: string[] = [];
  const warnings: string[] = [];
  const counted = demands.filter((d) => d.gpusPerReplica > 0 && known([d.gpusPerReplica, d.guaranteedReplicas, d.peakReplicas]));
  for (const cls of CLASSES) {
    const confined = counted.filter((d) => cls.confined(d.placement));
    if (confined.length === 0) continue;
    const pool = capacities.filter(cls.offers);
    if (!known(pool.map((c) => c.maxGpus))) continue;
    // No capacity at all is reported by each service, with its own fix.
    if (pool.length === 0) continue;
    const offered = pool.reduce((sum, c) => sum + c.maxGpus, 0);
    const guaranteed = confined.map((d) => ({ name: d.name, gpus: d.guaranteedReplicas * d.gpusPerReplica }));
    const needed = guaranteed.reduce((sum, d) => sum + d.gpus, 0);
    if (needed > offered) {
      errors.push(`site "${siteName}": ${confined.length} service(s) need ${needed} GPUs to run their minimum replicas (minReplicas + canary + 1 rollout surge, x gpusPerReplica: ${describe(guaranteed)}), but its ${cls.label} offers ${offered}; the pods beyond it would stay Pending. Lower minReplicas, or add capacity (node group maxSize, node pool maxGpus, declared gpuCapacity).`);
      continue;
    }
    const peak = confined.map((d) => ({ name: d.name, gpus: d.peakReplicas * d.gpusPerReplica }));
    const peakNeeded = peak.reduce((sum, d) => sum + d.gpus, 0);
    if (peakNeeded > offered) {
      const growing = peak.filter((p, i) => p.gpus > guaranteed[i].gpus);
      warnings.push(`site "${siteName}": at maxReplicas, ${confined.length} service(s) would need ${peakNeeded} GPUs (${describe(peak)}), but its ${cls.label} offers ${offered}: autoscaling of ${describe(growing)} stops short of maxReplicas when all peak together. Raise the capacity or lower maxReplicas if they may peak at once.`);
    }
  }
  return { errors, warnings };
}
