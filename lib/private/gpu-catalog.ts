/**
 * The GPU instance catalog: what each EC2 GPU instance type offers and which EKS accelerated
 * AMIs can run it.
 *
 * Sources (looked up 2026-11, not guessed):
 * - GPUs, GPU model, GPU memory, architecture, vCPUs: "Specifications for Amazon EC2 accelerated
 *   computing instances", https://docs.aws.amazon.com/ec2/latest/instancetypes/ac.html
 *   (GPU memory is per GPU, as AWS prints it: A10G and L4 show 22 GiB).
 * - AMI support per family: "Use EKS-optimized accelerated AMIs for GPU instances",
 *   https://docs.aws.amazon.com/eks/latest/userguide/ml-eks-optimized-ami.html
 * - Spot support per family: the same ac.html ("Instance family summary"): all but P6e-GB200.
 *
 * aws-cdk-lib's own GPU detection misses P5, P6 and G7e and would pick a non-GPU AMI for them;
 * this catalog is what the library relies on instead.
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';

/** CPU architecture of an instance family, in EC2's naming. */
export enum CpuArchitecture {
  X86_64 = 'x86_64',
  ARM_64 = 'arm64',
}

/** Kubernetes' name for an architecture (the `kubernetes.io/arch` label). */
export function kubernetesArch(arch: CpuArchitecture): string {
  return arch === CpuArchitecture.X86_64 ? 'amd64' : 'arm64';
}

export interface GpuFamilySpec {
  readonly family: string;
  readonly vendor: 'nvidia' | 'amd';
  /** GPU model as AWS names it (T4, A10G, L4, L40S, A100, H100, H200, B200, B300...). */
  readonly gpuModel: string;
  /** Memory of one GPU in GiB (for fractional sizes: the slice of the smallest size). */
  readonly gpuMemoryGiB: number;
  readonly architecture: CpuArchitecture;
  /** GPUs per instance size; fractions for sizes that expose part of one GPU (g6f, gr6f). */
  readonly sizes: Readonly<Record<string, number>>;
  /** EKS managed node group AMI types that can run the family, preferred first. */
  readonly amiTypes: readonly eks.NodegroupAmiType[];
  readonly supportsSpot: boolean;
}

const X86_NVIDIA_AMIS = [eks.NodegroupAmiType.AL2023_X86_64_NVIDIA, eks.NodegroupAmiType.BOTTLEROCKET_X86_64_NVIDIA];
const GB200_AMIS = [eks.NodegroupAmiType.AL2023_ARM_64_NVIDIA];
const G5G_AMIS = [eks.NodegroupAmiType.AL2023_ARM_64_NVIDIA, eks.NodegroupAmiType.BOTTLEROCKET_ARM_64_NVIDIA];

function nvidiaX86(family: string, gpuModel: string, gpuMemoryGiB: number, sizes: Record<string, number>): GpuFamilySpec {
  return { family, vendor: 'nvidia', gpuModel, gpuMemoryGiB, architecture: CpuArchitecture.X86_64, sizes, amiTypes: X86_NVIDIA_AMIS, supportsSpot: true };
}

const FAMILIES: readonly GpuFamilySpec[] = [
  {
    family: 'g4ad', vendor: 'amd', gpuModel: 'Radeon Pro V520', gpuMemoryGiB: 8, architecture: CpuArchitecture.X86_64,
    sizes: { 'xlarge': 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 2, '16xlarge': 4 }, amiTypes: [], supportsSpot: true,
  },
  nvidiaX86('g4dn', 'T4', 16, { 'xlarge': 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '12xlarge': 4, '16xlarge': 1, 'metal': 8 }),
  nvidiaX86('g5', 'A10G', 22, { 'xlarge': 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '12xlarge': 4, '16xlarge': 1, '24xlarge': 4, '48xlarge': 8 }),
  {
    family: 'g5g', vendor: 'nvidia', gpuModel: 'T4g', gpuMemoryGiB: 16, architecture: CpuArchitecture.ARM_64,
    sizes: { 'xlarge': 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '16xlarge': 2, 'metal': 2 }, amiTypes: G5G_AMIS, supportsSpot: true,
  },
  nvidiaX86('g6', 'L4', 22, { 'xlarge': 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '12xlarge': 4, '16xlarge': 1, '24xlarge': 4, '48xlarge': 8 }),
  nvidiaX86('g6e', 'L40S', 44, { 'xlarge': 1, '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '12xlarge': 4, '16xlarge': 1, '24xlarge': 4, '48xlarge': 8 }),
  nvidiaX86('g6f', 'L4', 2.79, { 'large': 0.125, 'xlarge': 0.125, '2xlarge': 0.25, '4xlarge': 0.5 }),
  nvidiaX86('gr6', 'L4', 22, { '4xlarge': 1, '8xlarge': 1 }),
  nvidiaX86('gr6f', 'L4', 11.18, { '4xlarge': 0.5 }),
  nvidiaX86('g7e', 'RTX PRO Server 6000', 96, { '2xlarge': 1, '4xlarge': 1, '8xlarge': 1, '12xlarge': 2, '24xlarge': 4, '48xlarge': 8 }),
  nvidiaX86('p4d', 'A100', 40, { '24xlarge': 8 }),
  nvidiaX86('p4de', 'A100', 80, { '24xlarge': 8 }),
  nvidiaX86('p5', 'H100', 80, { '4xlarge': 1, '48xlarge': 8 }),
  nvidiaX86('p5e', 'H200', 141, { '48xlarge': 8 }),
  nvidiaX86('p5en', 'H200', 141, { '48xlarge': 8 }),
  nvidiaX86('p6-b200', 'B200', 179, { '48xlarge': 8 }),
  nvidiaX86('p6-b300', 'B300', 268, { '48xlarge': 8 }),
  {
    family: 'p6e-gb200', vendor: 'nvidia', gpuModel: 'B200', gpuMemoryGiB: 185, architecture: CpuArchitecture.ARM_64,
    sizes: { '36xlarge': 4 }, amiTypes: GB200_AMIS, supportsSpot: false,
  },
];

const BY_FAMILY = new Map(FAMILIES.map((f) => [f.family, f]));

/**
 * vCPUs and memory (GiB) per instance type, from the same ac.html specifications table (and
 * the older EC2 user guide and "Amazon EC2: Instance Types" for the families they list). G7e
 * and P6-B300 are not in the stored ac.html revision: their figures come from AWS-published
 * sources (SageMaker HyperPod's instance table, AWS samples, the AWS ML blog) that agree.
 * Memory does not double with every size (g6e.12xlarge: 384, g6e.16xlarge: 512).
 */
const NODE_RESOURCES: Readonly<Record<string, readonly [number, number]>> = {
  'g4dn.xlarge': [4, 16], 'g4dn.2xlarge': [8, 32], 'g4dn.4xlarge': [16, 64], 'g4dn.8xlarge': [32, 128], 'g4dn.12xlarge': [48, 192], 'g4dn.16xlarge': [64, 256], 'g4dn.metal': [96, 384],
  'g5.xlarge': [4, 16], 'g5.2xlarge': [8, 32], 'g5.4xlarge': [16, 64], 'g5.8xlarge': [32, 128], 'g5.12xlarge': [48, 192], 'g5.16xlarge': [64, 256], 'g5.24xlarge': [96, 384], 'g5.48xlarge': [192, 768],
  'g5g.xlarge': [4, 8], 'g5g.2xlarge': [8, 16], 'g5g.4xlarge': [16, 32], 'g5g.8xlarge': [32, 64], 'g5g.16xlarge': [64, 128], 'g5g.metal': [64, 128],
  'g6.xlarge': [4, 16], 'g6.2xlarge': [8, 32], 'g6.4xlarge': [16, 64], 'g6.8xlarge': [32, 128], 'g6.12xlarge': [48, 192], 'g6.16xlarge': [64, 256], 'g6.24xlarge': [96, 384], 'g6.48xlarge': [192, 768],
  'g6e.xlarge': [4, 32], 'g6e.2xlarge': [8, 64], 'g6e.4xlarge': [16, 128], 'g6e.8xlarge': [32, 256], 'g6e.12xlarge': [48, 384], 'g6e.16xlarge': [64, 512], 'g6e.24xlarge': [96, 768], 'g6e.48xlarge': [192, 1536],
  'gr6.4xlarge': [16, 128], 'gr6.8xlarge': [32, 256],
  'g7e.2xlarge': [8, 64], 'g7e.4xlarge': [16, 128], 'g7e.8xlarge': [32, 256], 'g7e.12xlarge': [48, 512], 'g7e.24xlarge': [96, 1024], 'g7e.48xlarge': [192, 2048],
  'p4d.24xlarge': [96, 1152], 'p4de.24xlarge': [96, 1152],
  'p5.4xlarge': [16, 256], 'p5.48xlarge': [192, 2048], 'p5e.48xlarge': [192, 2048], 'p5en.48xlarge': [192, 2048],
  'p6-b200.48xlarge': [192, 2048], 'p6-b300.48xlarge': [192, 4096], 'p6e-gb200.36xlarge': [144, 960],
};

/**
 * Elastic Fabric Adapter interfaces per GPU instance type (EC2 `EfaInfo.MaximumEfaInterfaces`,
 * one per network card), as Karpenter v1.14.1's generated instance-type table lists them
 * (`vpc.amazonaws.com/efa`); the types agree with the EFA device plugin chart's list
 * (aws/eks-charts `aws-efa-k8s-device-plugin` v0.5.30). Smaller sizes have no EFA. P6e-GB200
 * is left out: no source here gives its count.
 */
const EFA_INTERFACES: Readonly<Record<string, number>> = {
  'g5.8xlarge': 1, 'g5.12xlarge': 1, 'g5.16xlarge': 1, 'g5.24xlarge': 1, 'g5.48xlarge': 1,
  'g6.8xlarge': 1, 'g6.12xlarge': 1, 'g6.16xlarge': 1, 'g6.24xlarge': 1, 'g6.48xlarge': 1,
  'g6e.8xlarge': 1, 'g6e.12xlarge': 1, 'g6e.16xlarge': 1, 'g6e.24xlarge': 2, 'g6e.48xlarge': 4,
  'g7e.48xlarge': 4,
  'p4d.24xlarge': 4, 'p4de.24xlarge': 4,
  'p5.4xlarge': 1, 'p5.48xlarge': 32, 'p5e.48xlarge': 32, 'p5en.48xlarge': 16,
  'p6-b200.48xlarge': 8, 'p6-b300.48xlarge': 16,
};

/** EFA interfaces of an instance type (one per network card); undefined when it has none the catalog knows. */
export function efaInterfaces(instanceType: string): number | undefined {
  return EFA_INTERFACES[instanceType];
}

/** vCPUs and memory of an instance type; undefined when the catalog does not list them. */
export function instanceResources(instanceType: string): { readonly vcpus: number; readonly memoryGiB: number } | undefined {
  const entry = NODE_RESOURCES[instanceType];
  return entry ? { vcpus: entry[0], memoryGiB: entry[1] } : undefined;
}

/** One GPU instance type, resolved against the catalog. */
export interface GpuInstanceSpec {
  readonly instanceType: string;
  readonly family: GpuFamilySpec;
  readonly size: string;
  /** GPUs the instance exposes; below 1 for fractional sizes. */
  readonly gpus: number;
}

/** Every family in the catalog (for documentation and tests). */
export function gpuFamilies(): readonly GpuFamilySpec[] {
  return FAMILIES;
}

/** Looks an instance type (e.g. `g6e.12xlarge`) up; undefined when it is not a known GPU type. */
export function lookupGpuInstance(instanceType: string): GpuInstanceSpec | undefined {
  const dot = instanceType.indexOf('.');
  if (dot < 0) return undefined;
  const family = BY_FAMILY.get(instanceType.slice(0, dot));
  const size = instanceType.slice(dot + 1);
  const gpus = family?.sizes[size];
  if (!family || gpus === undefined) return undefined;
  return { instanceType, family, size, gpus };
}

/** Instance families the catalog knows, for error messages. */
export function knownGpuFamilies(): string {
  return FAMILIES.filter((f) => f.vendor === 'nvidia').map((f) => f.family).join(', ');
}

/** Whether an AMI type is a Bottlerocket variant (which ships the NVIDIA device plugin). */
export function isBottlerocket(amiType: eks.NodegroupAmiType): boolean {
  return amiType.startsWith('BOTTLEROCKET');
}

/** Lowercase accelerator name for node labels, e.g. `nvidia-l40s`. */
export function acceleratorLabelValue(spec: GpuFamilySpec): string {
  return `${spec.vendor}-${spec.gpuModel.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** MIG partition counts Bottlerocket accepts for `mig.profile` (its settings model: "1", "2", "3", "4" or "7"). */
export const MIG_PARTITION_COUNTS: readonly number[] = [1, 2, 3, 4, 7];

/**
 * GPUs Bottlerocket can partition with MIG: its `mig.profile` key per instance family, and the
 * memory (GiB, as the profile names it) of one instance for each partition count
 * (bottlerocket-kernel-kit `nvidia-migmanager` `mig_profile.rs`: "1" = 7g, "2" = 3g, "3" = 2g,
 * "4" = 1g with double memory, "7" = 1g). B200 and B300 are left out: no Bottlerocket release
 * here is known to ship their profiles.
 */
const H200_MIG = { key: 'h200.141gb', memoryGiB: { 1: 141, 2: 71, 3: 35, 4: 35, 7: 18 } };
const MIG_GPUS: Readonly<Record<string, { readonly key: string; readonly memoryGiB: Readonly<Record<number, number>> }>> = {
  p4d: { key: 'a100.40gb', memoryGiB: { 1: 40, 2: 20, 3: 10, 4: 10, 7: 5 } },
  p4de: { key: 'a100.80gb', memoryGiB: { 1: 80, 2: 40, 3: 20, 4: 20, 7: 10 } },
  p5: { key: 'h100.80gb', memoryGiB: { 1: 80, 2: 40, 3: 20, 4: 20, 7: 10 } },
  p5e: H200_MIG,
  p5en: H200_MIG,
};

/** The Bottlerocket MIG profile key of a family's GPU (`h100.80gb`); undefined when it cannot be partitioned. */
export function migProfileKey(family: GpuFamilySpec): string | undefined {
  return MIG_GPUS[family.family]?.key;
}

/** Memory of one MIG instance of a family's GPU split into `partitions`; undefined when unknown. */
export function migInstanceMemoryGiB(family: GpuFamilySpec, partitions: number): number | undefined {
  return MIG_GPUS[family.family]?.memoryGiB[partitions];
}

/** Families whose GPUs Bottlerocket can partition, for error messages. */
export function migFamilies(): string {
  return Object.keys(MIG_GPUS).join(', ');
}
