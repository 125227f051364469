/**
 * What the size of a model's weights means for its pods: how long they take to start (the
 * startup probe's window), how much local disk a copy needs (an ephemeral-storage request, so
 * the scheduler places pods only where the copy fits), and whether the weights fit the GPU
 * memory of a replica at all (a server that cannot hold them fails at load, forever).
 */
import { Duration, Size, SizeRoundingBehavior } from 'aws-cdk-lib';

/** Pulling a model server image (several GB) onto a fresh node and starting the server. */
export const IMAGE_PULL_AND_START = Duration.minutes(10);
/**
 * Assumed rate of each pass over the weights, in MiB/s: a copy from S3 onto the node's volume,
 * and the server reading them into GPU memory. gp3 volumes give 125 MiB/s unless provisioned
 * higher (the library's node volumes are gp3 at the baseline): both passes run at about that.
 */
export const WEIGHT_PASS_MIB_PER_SECOND = 100;
/** Share of GPU memory vLLM uses by default (`--gpu-memory-utilization 0.9`): weights beyond it leave no KV cache. */
export const USABLE_GPU_MEMORY_SHARE = 0.9;
/**
 * Local disk a node keeps for itself and its images (OS, kubelet, a model server image of
 * 10-20 GB unpacked, eviction threshold): what a copied model cannot use.
 */
export const NODE_DISK_RESERVED_GIB = 50;

/** How the weights reach the server: copied to local disk first, read from a mount, or fetched by the server itself. */
export enum WeightDelivery {
  COPIED = 'copied',
  MOUNTED = 'mounted',
  SERVER = 'server',
}

/** GiB of a size, fractional. */
export function gibibytes(size: Size): number {
  return size.toGibibytes({ rounding: SizeRoundingBehavior.NONE });
}

/**
 * The startup window for weights of `size`: the image pull and start, plus a pass over the
 * weights to load them, plus a pass to copy (or fetch) all of them first. A replica spread
 * over `nodes` pods loads a 1/nodes shard on each (tensor and pipeline parallel), while each
 * pod still copies every file.
 */
export function startupTimeFor(size: Size, delivery: WeightDelivery, nodes: number = 1): Duration {
  const gib = gibibytes(size);
  const passGib = gib / Math.max(1, nodes) + (delivery === WeightDelivery.MOUNTED ? 0 : gib);
  const seconds = (passGib * 1024) / WEIGHT_PASS_MIB_PER_SECOND;
  return Duration.minutes(IMAGE_PULL_AND_START.toMinutes() + Math.ceil(seconds / 60));
}
