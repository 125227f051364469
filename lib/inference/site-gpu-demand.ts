/**
 * GPU demand of all model servers of a site against the site's capacity. One service at a time
 * cannot see that 100 services of 4 GPUs each do not fit 4 GPUs: the site's services are summed
 * over the capacities they may use (their placement and GPU requirements): for every set of
 * capacities some service is confined to, and for the whole site, the services confined to it
 * must fit it. (Services with different but overlapping sets are only checked through the
 * sets that contain both.)
 *
 * - guaranteed demand (minReplicas + canary + one rollout surge replica, x GPUs) beyond the
 *   capacity is an error: those pods would stay Pending;
 * - peak demand (maxReplicas instead of minReplicas when autoscaled) beyond the capacity is a
 *   warning naming the services: autoscaling would stop short of maxReplicas.
 */
import { Token } from 'aws-cdk-lib';
import { IGpuCapacity, offersShares, summarizeGpuCapacity, unitsPerGpu } from '../compute/gpu-capacity';

/** Where on a site with EKS Hybrid Nodes the model server's pods may run. */
export enum GpuPlacement {
  /** Any GPU node, cloud or hybrid. */
  ANY = 'any',
  /** Only cloud nodes (not EKS Hybrid Nodes). */
  CLOUD = 'cloud',
  /** Only EKS Hybrid Nodes (on-premises GPU servers in the cluster). */
  HYBRID = 'hybrid',
}

/** Whether a capacity is one the placement allows. */
export function placementAllows(placement: GpuPlacement, capacity: IGpuCapacity): boolean {
  return placement === GpuPlacement.ANY || (placement === GpuPlacement.HYBRID) === (capacity.hybrid === true);
}

/** What one service asks of the site's GPUs. */
export interface GpuDemand {
  /** `<namespace>/<name>`, for messages. */
  readonly name: string;
  /** The capacities of the site the service may use (placement and GPU requirements). */
  readonly eligible: IGpuCapacity[];
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

/** Services (or capacities) named in a message, largest first. */
const NAMED_IN_MESSAGE = 5;

/** Whether every value is a finite number known at synth (no token). */
export function known(values: number[]): boolean {
  return values.every((v) => !Token.isUnresolved(v) && Number.isFinite(v));
}

function describe(demands: Array<{ name: string; gpus: number }>): string {
  const sorted = [...demands].sort((a, b) => b.gpus - a.gpus || a.name.localeCompare(b.name));
  const named = sorted.slice(0, NAMED_IN_MESSAGE).map((d) => `${d.name} ${d.gpus}`).join(', ');
  return sorted.length > NAMED_IN_MESSAGE ? `${named} and ${sorted.length - NAMED_IN_MESSAGE} more` : named;
}

/**
 * Sums the demands of a site's services over the capacity sets they are confined to. Services
 * whose counts are unresolved tokens are left out (nothing can be summed about them at synth).
 */
export function checkSiteGpuDemand(siteName: string, capacities: readonly IGpuCapacity[], demands: readonly GpuDemand[]): GpuDemandFindings {
  // Shares of time-sliced GPUs and whole GPUs are different resources: each is summed alone.
  const shared = capacities.filter(offersShares);
  const whole = capacities.filter((c) => !offersShares(c));
  const within = (set: readonly IGpuCapacity[]) => demands.filter((d) => d.eligible.every((c) => set.includes(c)));
  const findings = [checkDemand(siteName, whole, within(whole), 'GPUs'), checkDemand(siteName, shared, within(shared), 'GPU shares')];
  return { errors: findings.flatMap((f) => f.errors), warnings: findings.flatMap((f) => f.warnings) };
}


function checkDemand(siteName: string, capacities: readonly IGpuCapacity[], demands: readonly GpuDemand[], noun: string): GpuDemandFindings {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (!known(capacities.map((c) => c.maxGpus))) return { errors, warnings };
  const counted = demands.filter((d) => d.gpusPerReplica > 0 && d.eligible.length > 0 && known([d.gpusPerReplica, d.guaranteedReplicas, d.peakReplicas]));
  // The whole site first, then each distinct set a service is confined to.
  const sets = new Map<string, readonly IGpuCapacity[]>([[capacities.map((_, i) => i).join(','), capacities]]);
  for (const d of counted) sets.set(d.eligible.map((c) => capacities.indexOf(c)).sort((a, b) => a - b).join(','), d.eligible);
  for (const set of sets.values()) {
    const confined = counted.filter((d) => d.eligible.every((c) => set.includes(c)));
    if (confined.length === 0 || set.length === 0) continue;
    const whole = set.length === capacities.length;
    const label = whole ? 'GPU capacity' : `GPU capacity ${describe(set.map((c) => ({ name: c.capacityName, gpus: c.maxGpus * unitsPerGpu(c) })))}`;
    const offered = summarizeGpuCapacity(set).totalGpus;
    const guaranteed = confined.map((d) => ({ name: d.name, gpus: d.guaranteedReplicas * d.gpusPerReplica }));
    const needed = guaranteed.reduce((sum, d) => sum + d.gpus, 0);
    if (needed > offered) {
      errors.push(`site "${siteName}": ${confined.length} service(s) need ${needed} ${noun} to run their minimum replicas (minReplicas + canary + 1 rollout surge, x gpusPerReplica: ${describe(guaranteed)}), but its ${label} offers ${offered}; the pods beyond it would stay Pending. Lower minReplicas, or add capacity (node group maxSize, node pool maxGpus, declared gpuCapacity).`);
      continue;
    }
    const peak = confined.map((d) => ({ name: d.name, gpus: d.peakReplicas * d.gpusPerReplica }));
    const peakNeeded = peak.reduce((sum, d) => sum + d.gpus, 0);
    if (peakNeeded > offered) {
      const growing = peak.filter((p, i) => p.gpus > guaranteed[i].gpus);
      warnings.push(`site "${siteName}": at maxReplicas, ${confined.length} service(s) would need ${peakNeeded} ${noun} (${describe(peak)}), but its ${label} offers ${offered}: autoscaling of ${describe(growing)} stops short of maxReplicas when all peak together. Raise the capacity or lower maxReplicas if they may peak at once.`);
    }
  }
  return { errors, warnings };
}
