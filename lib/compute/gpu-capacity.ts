/**
 * GPU capacity a piece of compute can offer to workloads. Node groups, node pools and
 * declared on-premises capacity implement it, so inference workloads can be checked at synth
 * against what the site can actually schedule.
 */
export interface IGpuCapacity {
  /** A name for messages, e.g. the node group's construct path. */
  readonly capacityName: string;
  /** Whole GPUs every node of this capacity has (the smallest node's count). */
  readonly gpusPerNode: number;
  /** Whole GPUs this capacity can offer at its maximum size. */
  readonly maxGpus: number;
  /** Whether the capacity is EKS Hybrid Nodes (on-premises servers in the cluster). @default false */
  readonly hybrid?: boolean;
}

/** What a set of capacities offers together: the largest guaranteed node and the total. */
export interface GpuCapacitySummary {
  /** Most whole GPUs one pod can get: the largest `gpusPerNode` (0 without capacity). */
  readonly gpusPerNode: number;
  /** Whole GPUs in total. */
  readonly totalGpus: number;
}

export function summarizeGpuCapacity(capacities: readonly IGpuCapacity[]): GpuCapacitySummary {
  return {
    gpusPerNode: capacities.reduce((max, c) => Math.max(max, c.gpusPerNode), 0),
    totalGpus: capacities.reduce((sum, c) => sum + c.maxGpus, 0),
  };
}
