import { Duration } from 'aws-cdk-lib';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { GPU_CAPACITY_LABEL, IGpuCapacity } from './gpu-capacity';
import { allocatableOf, NodeAllocatable } from './node-allocatable';
import { DEVICE_PLUGIN_REQUIRED_LABEL } from './gpu-node-group';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { GPU_PRESENT_LABEL, NVIDIA_GPU_RESOURCE } from '../sites/site-base';
import { PropValidationError } from '../private/errors';
import { efaInterfaces, gpuFamilies, kubernetesArch } from '../private/gpu-catalog';
import { EFA_PRESENT_LABEL, ensureEfaDevicePlugin } from '../k8s/efa-device-plugin';
import { EksSite } from '../sites/eks-site';
import { checkDnsLabel, checkInteger, checkNonEmpty, checkUnique } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Which node class a NodePool launches nodes with: EKS Auto Mode's or a Karpenter EC2NodeClass. */
export class NodeClassReference {
  /** EKS Auto Mode's node class (`eks.amazonaws.com/v1` NodeClass); Auto Mode ships the NVIDIA device plugin. */
  public static autoMode(name: string = 'default'): NodeClassReference {
    return new NodeClassReference('eks.amazonaws.com', 'NodeClass', name, 'eks.amazonaws.com', false);
  }

  /**
   * A Karpenter `EC2NodeClass` (self-managed Karpenter v1).
   * @param devicePluginPreinstalled whether its AMI family ships the NVIDIA device plugin (Bottlerocket does, AL2023 does not)
   */
  public static karpenter(name: string, devicePluginPreinstalled: boolean = false): NodeClassReference {
    return new NodeClassReference('karpenter.k8s.aws', 'EC2NodeClass', name, 'karpenter.k8s.aws', !devicePluginPreinstalled);
  }

  private constructor(
    public readonly group: string,
    public readonly kind: string,
    public readonly name: string,
    /** Prefix of the instance labels this provisioner sets (`<prefix>/instance-family`...). */
    public readonly labelPrefix: string,
    /** Whether nodes need the library's NVIDIA device plugin DaemonSet. */
    public readonly needsDevicePlugin: boolean,
  ) {}
}

/** When the provisioner may remove or replace GPU nodes. */
export enum ConsolidationPolicy {
  /** Only empty nodes: a model server that takes minutes to load is never moved to save cost. */
  WHEN_EMPTY = 'WhenEmpty',
  /** Empty and underutilized nodes. */
  WHEN_EMPTY_OR_UNDERUTILIZED = 'WhenEmptyOrUnderutilized',
}

/** Capacity types a NodePool may launch. */
export enum NodePoolCapacityType {
  ON_DEMAND = 'on-demand',
  SPOT = 'spot',
  RESERVED = 'reserved',
}

/** Default GPU limit of a node pool (`limits.nvidia.com/gpu`). */
export const DEFAULT_NODE_POOL_MAX_GPUS = 8;
/** Wait before removing an empty GPU node. */
export const DEFAULT_CONSOLIDATE_AFTER = Duration.minutes(10);
/** Nodes are replaced after 14 days (Auto Mode's own default), picking up patched AMIs. */
export const DEFAULT_NODE_EXPIRE_AFTER = Duration.days(14);
/** At most this share of the pool's nodes is disrupted at once. */
export const DEFAULT_DISRUPTION_BUDGET = '10%';

export interface GpuNodePoolOptions {
  /** DNS-1123 name of the NodePool. @default - the construct id, lowercased */
  readonly name?: string;
  /** GPU instance families the pool may launch, e.g. ['g6e', 'g6'] (one architecture). */
  readonly instanceFamilies: string[];
  /** Minimum GPUs per node. @default 1 */
  readonly minGpusPerNode?: number;
  /** @default [NodePoolCapacityType.ON_DEMAND] */
  readonly capacityTypes?: NodePoolCapacityType[];
  /** GPUs the pool may run in total (`limits.nvidia.com/gpu`). @default 8 */
  readonly maxGpus?: number;
  /** @default ConsolidationPolicy.WHEN_EMPTY */
  readonly consolidationPolicy?: ConsolidationPolicy;
  /** @default Duration.minutes(10) */
  readonly consolidateAfter?: Duration;
  /** @default Duration.days(14) */
  readonly expireAfter?: Duration;
  /**
   * Nodes with Elastic Fabric Adapter, for models served across nodes (`MultiNodeServing` with
   * `efa`): Karpenter node classes only. The pool keeps to the instance types of its families
   * with EFA and at least `minGpusPerNode` GPUs, which must share one EFA device count (pods
   * request all of a node's devices); Karpenter gives a node launched for such pods an EFA
   * interface on every network card, and the library's EFA device plugin advertises them. The
   * EC2NodeClass should select a cluster placement group (`placementGroupSelector`, Karpenter
   * 1.11+) and security groups that admit all traffic from themselves, as EFA requires.
   * @default false
   */
  readonly efa?: boolean;
}

export interface GpuNodePoolProps extends GpuNodePoolOptions {
  readonly site: IKubernetesSite;
  /** @default NodeClassReference.autoMode() */
  readonly nodeClass?: NodeClassReference;
}

/** A Go duration for Karpenter: whole minutes as "<n>m", anything else in seconds. */
function durationString(d: Duration): string {
  const seconds = d.toSeconds();
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/**
 * Elastic GPU capacity: a `karpenter.sh/v1` NodePool (EKS Auto Mode or Karpenter) that launches
 * GPU nodes of the given families when GPU pods are pending and removes them when empty. Nodes
 * carry the `nvidia.com/gpu` NoSchedule taint and the site's GPU label; the pool's GPU limit is
 * the capacity workloads are checked against.
 */
export class GpuNodePool extends Construct implements IGpuCapacity {
  public readonly name: string;
  public readonly chart: Chart;
  public readonly capacityName: string;
  public readonly gpusPerNode: number;
  /** The largest node the pool can launch (its families' largest size, within maxGpus). */
  public readonly maxGpusPerNode?: number;
  public readonly maxGpus: number;
  public readonly gpuModels?: string[];
  public readonly gpuMemoryGiB?: number;
  /** `cdk-scalable-ai.io/gpu-capacity: <pool name>`: pins workloads to this pool. */
  public readonly nodeSelector?: Readonly<Record<string, string>>;
  /** What each size the pool may launch can give pods (estimated; see node-allocatable.ts). */
  public readonly nodeAllocatable?: NodeAllocatable[];
  /** EFA devices per node, with `efa`. */
  public readonly efaDevicesPerNode?: number;

  constructor(scope: Construct, id: string, props: GpuNodePoolProps) {
    super(scope, id);
    checkPropTypes(this, 'GpuNodePoolProps', props);
    this.name = props.name ?? id.toLowerCase();
    checkDnsLabel(this, 'name', this.name);
    checkNonEmpty(this, 'instanceFamilies', props.instanceFamilies, 'List GPU instance families, e.g. ["g6e", "g6"].');
    checkUnique(this, 'instanceFamilies', props.instanceFamilies);
    checkInteger(this, 'minGpusPerNode', props.minGpusPerNode, 1, 16);
    checkInteger(this, 'maxGpus', props.maxGpus, 1);
    checkNonEmpty(this, 'capacityTypes', props.capacityTypes, 'List at least one capacity type, e.g. [NodePoolCapacityType.ON_DEMAND].');
    const minGpus = props.minGpusPerNode ?? 1;
    this.gpusPerNode = minGpus;
    this.maxGpus = props.maxGpus ?? DEFAULT_NODE_POOL_MAX_GPUS;
    this.capacityName = this.node.path;
    if (this.maxGpus < minGpus) {
      throw new PropValidationError(this, 'maxGpus', this.maxGpus, `is below minGpusPerNode (${minGpus})`, 'Allow at least one node: raise maxGpus.');
    }

    const families = props.instanceFamilies.map((name) => {
      const family = gpuFamilies().find((f) => f.family === name && f.vendor === 'nvidia');
      if (!family) {
        throw new PropValidationError(this, 'instanceFamilies', name, 'is not an NVIDIA GPU instance family',
          `Use families of the GPU catalog (${gpuFamilies().filter((f) => f.vendor === 'nvidia').map((f) => f.family).join(', ')}).`);
      }
      if (!Object.values(family.sizes).some((gpus) => gpus >= minGpus)) {
        throw new PropValidationError(this, 'instanceFamilies', name, `has no size with ${minGpus} GPUs`, 'Lower minGpusPerNode or pick a larger family.');
      }
      return family;
    });
    this.gpuModels = [...new Set(families.map((f) => f.gpuModel))];
    this.gpuMemoryGiB = Math.min(...families.map((f) => f.gpuMemoryGiB));
    // Karpenter and Auto Mode launch a node large enough for the pending pod.
    const largest = Math.max(...families.flatMap((f) => Object.values(f.sizes).filter((g) => Number.isInteger(g))));
    this.maxGpusPerNode = Math.min(largest, this.maxGpus);
    this.nodeSelector = { [GPU_CAPACITY_LABEL]: this.name };
    const nodeClass = props.nodeClass ?? NodeClassReference.autoMode();
    // The instance types the pool may launch: whole GPUs, enough of them, within its limit.
    const sizedTypes = families.flatMap((f) => Object.entries(f.sizes)
      .filter(([, gpus]) => Number.isInteger(gpus) && gpus >= minGpus && gpus <= this.maxGpus)
      .map(([size]) => `${f.family}.${size}`));
    const efaTypes = props.efa ? this.efaInstanceTypes(props, nodeClass, sizedTypes, minGpus) : undefined;
    this.efaDevicesPerNode = efaTypes ? efaInterfaces(efaTypes[0]) : undefined;
    this.nodeAllocatable = allocatableOf(efaTypes ?? sizedTypes);
    const architectures = [...new Set(families.map((f) => f.architecture))];
    if (architectures.length > 1) {
      throw new PropValidationError(this, 'instanceFamilies', props.instanceFamilies, 'mixes arm64 and x86_64 families',
        'Use one NodePool per architecture so images and AMIs match.');
    }

    const labels: Record<string, string> = {
      [GPU_PRESENT_LABEL]: 'true',
      ...this.nodeSelector,
      ...(nodeClass.needsDevicePlugin ? { [DEVICE_PLUGIN_REQUIRED_LABEL]: 'daemonset' } : {}),
      // Where the EFA device plugin runs.
      ...(efaTypes ? { [EFA_PRESENT_LABEL]: 'true' } : {}),
    };
    this.chart = props.site.newChart(`nodepool-${this.name}`);
    new ApiObject(this.chart, 'NodePool', {
      apiVersion: 'karpenter.sh/v1',
      kind: 'NodePool',
      metadata: { name: this.name },
      spec: {
        template: {
          metadata: { labels },
          spec: {
            nodeClassRef: { group: nodeClass.group, kind: nodeClass.kind, name: nodeClass.name },
            requirements: [
              { key: `${nodeClass.labelPrefix}/instance-family`, operator: 'In', values: props.instanceFamilies },
              { key: `${nodeClass.labelPrefix}/instance-gpu-count`, operator: 'Gt', values: [String(minGpus - 1)] },
              { key: 'karpenter.sh/capacity-type', operator: 'In', values: props.capacityTypes ?? [NodePoolCapacityType.ON_DEMAND] },
              { key: 'kubernetes.io/arch', operator: 'In', values: [kubernetesArch(architectures[0])] },
              ...(efaTypes ? [{ key: 'node.kubernetes.io/instance-type', operator: 'In', values: efaTypes }] : []),
            ],
            taints: [{ key: NVIDIA_GPU_RESOURCE, value: 'true', effect: 'NoSchedule' }],
            expireAfter: durationString(props.expireAfter ?? DEFAULT_NODE_EXPIRE_AFTER),
          },
        },
        disruption: {
          consolidationPolicy: props.consolidationPolicy ?? ConsolidationPolicy.WHEN_EMPTY,
          consolidateAfter: durationString(props.consolidateAfter ?? DEFAULT_CONSOLIDATE_AFTER),
          budgets: [{ nodes: DEFAULT_DISRUPTION_BUDGET }],
        },
        limits: { [NVIDIA_GPU_RESOURCE]: String(this.maxGpus) },
      },
    });
    props.site.addChart(this.chart);
    if (efaTypes) ensureEfaDevicePlugin(props.site as EksSite);
    props.site.addGpuCapacity(this);
  }

  /** With `efa`: the pool's instance types with EFA, one device count among them, on a Karpenter node class of an EKS site. */
  private efaInstanceTypes(props: GpuNodePoolProps, nodeClass: NodeClassReference, sizedTypes: readonly string[], minGpus: number): string[] {
    if (nodeClass.group !== 'karpenter.k8s.aws') {
      throw new PropValidationError(this, 'efa', true, 'needs a Karpenter EC2NodeClass: EKS Auto Mode configures EFA through its NodeClass\'s advancedNetworking.networkInterfaces and a placement group, which the library does not write',
        'Use nodeClass: NodeClassReference.karpenter(...), or a GpuNodeGroup with efa on managed node groups.');
    }
    if (!(props.site instanceof EksSite)) {
      throw new PropValidationError(this, 'efa', true, 'needs an EKS site to run the EFA device plugin on', 'Create the pool on a GpuCluster\'s site.');
    }
    const types = sizedTypes.filter((type) => efaInterfaces(type) !== undefined);
    const counts = [...new Set(types.map((type) => efaInterfaces(type)))];
    if (types.length === 0) {
      throw new PropValidationError(this, 'efa', true, `matches no instance type with EFA in ${props.instanceFamilies.join(', ')} with at least ${minGpus} GPU(s)`,
        'Use EFA families (p4d, p4de, p5, p5e, p5en, p6-b200, p6-b300, g5/g6/g6e from 8xlarge) or drop efa.');
    }
    if (counts.length > 1) {
      throw new PropValidationError(this, 'efa', true, `matches instance types with different EFA device counts (${types.map((t) => `${t}: ${efaInterfaces(t)}`).join(', ')}); pods request all devices of a node, so one count must fit every node`,
        'Raise minGpusPerNode (e.g. 8 for p5.48xlarge only) or list families with one count.');
    }
    return types;
  }
}
