/**
 * What a GPU node can give pods: its vCPUs and memory minus what the kubelet reserves and what
 * the system DaemonSets request. The kubelet reservation follows the EKS-optimized AMIs'
 * formula (CPU: 6 % of the first core, 1 % of the second, 0.5 % of the next two, 0.25 % of
 * the rest; memory: 255 MiB + 11 MiB per pod at 110 pods, plus the 100 MiB hard eviction
 * threshold). The DaemonSet allowance (VPC CNI, kube-proxy, Pod Identity agent, CloudWatch
 * agent, DCGM exporter, device plugin) is an estimate: a real node may offer a little more.
 */
import { instanceResources } from '../private/gpu-catalog';

/** vCPUs and GiB a node can give pods. */
export interface NodeAllocatable {
  readonly vcpus: number;
  readonly memoryGiB: number;
  /** The instance type it was computed for, for messages. */
  readonly instanceType: string;
}

/** CPU and memory the system DaemonSets of a GPU node request together (estimate). */
export const SYSTEM_DAEMONSETS_CPU = 0.5;
export const SYSTEM_DAEMONSETS_MEMORY_GIB = 1;
const MAX_PODS = 110;

function kubeReservedCpu(vcpus: number): number {
  const tiers: Array<[number, number]> = [[1, 0.06], [1, 0.01], [2, 0.005], [Infinity, 0.0025]];
  let left = vcpus;
  let reserved = 0;
  for (const [cores, share] of tiers) {
    const used = Math.min(left, cores);
    reserved += used * share;
    left -= used;
  }
  return reserved;
}

/** The estimate for an instance type; undefined when the catalog has no figures for it. */
export function nodeAllocatable(instanceType: string): NodeAllocatable | undefined {
  const resources = instanceResources(instanceType);
  if (!resources) return undefined;
  const reservedMemoryGiB = (255 + 11 * MAX_PODS + 100) / 1024;
  return {
    instanceType,
    vcpus: resources.vcpus - kubeReservedCpu(resources.vcpus) - SYSTEM_DAEMONSETS_CPU,
    memoryGiB: resources.memoryGiB - reservedMemoryGiB - SYSTEM_DAEMONSETS_MEMORY_GIB,
  };
}

/** The estimates for instance types; undefined when the catalog lacks any of them. */
export function allocatableOf(instanceTypes: readonly string[]): NodeAllocatable[] | undefined {
  const nodes = instanceTypes.map(nodeAllocatable);
  return nodes.length > 0 && nodes.every((n) => n !== undefined) ? nodes as NodeAllocatable[] : undefined;
}
