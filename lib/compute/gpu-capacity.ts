import type { NodeAllocatable } from './node-allocatable';

/**
 * GPU capacity a piece of compute can offer to workloads. Node groups, node pools and
 * declared on-premises capacity implement it, so inference workloads can be checked at synth
 * against what the site can actually schedule, and pinned to the capacity they need.
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
  /**
   * Most whole GPUs one node of the capacity can have: a node pool launches a node large
   * enough for the pending pod. @default gpusPerNode
   */
  readonly maxGpusPerNode?: number;
  /**
   * GPU models the capacity's nodes may have, as AWS names them (`L40S`, `H100`, ...).
   * @default - unknown: the capacity matches no GPU model requirement
   */
  readonly gpuModels?: string[];
  /** Memory of the smallest GPU of the capacity, in GiB. @default - unknown: matches no memory requirement */
  readonly gpuMemoryGiB?: number;
  /**
   * Node labels that select exactly this capacity's nodes (what pods pinned to it require).
   * @default - none: workloads cannot be pinned to this capacity
   */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /**
   * What each kind of node of the capacity can give pods (vCPUs and memory after the kubelet's
   * reservation and system DaemonSets, estimated). @default - unknown: CPU and memory are not checked
   */
  readonly nodeAllocatable?: NodeAllocatable[];
}

/** Label the library puts on the nodes of each GPU node group and node pool: the capacity's name. */
export const GPU_CAPACITY_LABEL = 'cdk-scalable-ai.io/gpu-capacity';

/** What a set of capacities offers together: the largest guaranteed node and the total. */
export interface GpuCapacitySummary {
  /** Most whole GPUs one pod can get: the largest node any capacity can offer (0 without capacity). */
  readonly gpusPerNode: number;
  /** Whole GPUs in total. */
  readonly totalGpus: number;
}

export function summarizeGpuCapacity(capacities: readonly IGpuCapacity[]): GpuCapacitySummary {
  return {
    gpusPerNode: capacities.reduce((max, c) => Math.max(max, c.maxGpusPerNode ?? c.gpusPerNode), 0),
    totalGpus: capacities.reduce((sum, c) => sum + c.maxGpus, 0),
  };
}
