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
  /**
   * Shares per GPU when the capacity's GPUs are time-sliced: pods then request
   * `nvidia.com/gpu.shared` (one share each), never `nvidia.com/gpu`.
   * @default - whole GPUs
   */
  readonly timeSlicingReplicas?: number;
  /**
   * MIG instances per GPU when the capacity's GPUs are partitioned with Multi-Instance GPU:
   * each instance is advertised as one `nvidia.com/gpu` (MIG single strategy), with its own
   * memory and compute, and `gpuMemoryGiB` is an instance's. A pod uses one instance at most
   * (CUDA enumerates one MIG device per process).
   * @default - whole GPUs
   */
  readonly migPartitions?: number;
  /**
   * Local disk of each node for images and pod volumes, in GiB (the root volume on AL2023, the
   * data volume on Bottlerocket): what copies of model weights must fit in.
   * @default - unknown: copies are not checked
   */
  readonly nodeVolumeGiB?: number;
  /**
   * Elastic Fabric Adapter devices each node advertises (`vpc.amazonaws.com/efa`), for the
   * collective traffic of replicas that span nodes.
   * @default - none
   */
  readonly efaDevicesPerNode?: number;
  /**
   * Whether the capacity's GPUs are allocated with Dynamic Resource Allocation: the NVIDIA DRA
   * driver publishes them as devices of the `gpu.nvidia.com` DeviceClass, and pods claim them
   * with a ResourceClaimTemplate (`resource.k8s.io/v1`), never by requesting `nvidia.com/gpu`.
   * @default false
   */
  readonly dynamicResourceAllocation?: boolean;
}

/** Most shares per GPU the library configures (its bound, not the device plugin's). */
export const MAX_TIME_SLICING_REPLICAS = 48;

/** What one pod asks for on a capacity: whole GPUs, or one share of a time-sliced GPU. */
export function offersShares(capacity: IGpuCapacity): boolean {
  return capacity.timeSlicingReplicas !== undefined;
}

/** Whether the capacity's GPUs are MIG-partitioned (one instance per pod at most). */
export function isMigPartitioned(capacity: IGpuCapacity): boolean {
  return capacity.migPartitions !== undefined;
}

/** Whether pods get the capacity's GPUs by claiming them (DRA) rather than requesting `nvidia.com/gpu`. */
export function allocatesByClaim(capacity: IGpuCapacity): boolean {
  return capacity.dynamicResourceAllocation === true;
}

/** What pods can request per GPU of the capacity: its shares when time-sliced, its MIG instances when partitioned, else the GPU itself. */
export function unitsPerGpu(capacity: IGpuCapacity): number {
  return capacity.timeSlicingReplicas ?? capacity.migPartitions ?? 1;
}

/** Label the library puts on the nodes of each GPU node group and node pool: the capacity's name. */
export const GPU_CAPACITY_LABEL = 'cdk-scalable-ai.io/gpu-capacity';

/**
 * What a set of capacities offers together: the largest guaranteed node and the total, in what
 * pods request (GPUs, or shares of time-sliced GPUs).
 */
export interface GpuCapacitySummary {
  /** Most GPUs (or shares) one node can give: the largest node any capacity can offer (0 without capacity). */
  readonly gpusPerNode: number;
  /** GPUs (or shares) in total. */
  readonly totalGpus: number;
}

export function summarizeGpuCapacity(capacities: readonly IGpuCapacity[]): GpuCapacitySummary {
  return {
    gpusPerNode: capacities.reduce((max, c) => Math.max(max, (c.maxGpusPerNode ?? c.gpusPerNode) * unitsPerGpu(c)), 0),
    totalGpus: capacities.reduce((sum, c) => sum + c.maxGpus * unitsPerGpu(c), 0),
  };
}
