import { Stack, Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IGpuCapacity } from './gpu-capacity';
import { DEVICE_PLUGIN_REQUIRED_LABEL } from './gpu-node-group';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { DEFAULT_GPU_TAINT, GPU_PRESENT_LABEL } from '../sites/site-base';
import { PropValidationError } from '../private/errors';
import { acknowledgeManagedPolicies } from '../private/nag-acknowledgements';
import { isPrivate, overlaps, parseCidr } from '../private/cidr';
import { checkInteger } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Label EKS puts on every hybrid node. */
export const HYBRID_COMPUTE_TYPE_LABEL = 'eks.amazonaws.com/compute-type';
export const HYBRID_COMPUTE_TYPE = 'hybrid';

/** GPU servers that join the cluster as EKS Hybrid Nodes. */
export interface HybridGpuNodes {
  /** Whole GPUs per hybrid node. */
  readonly gpusPerNode: number;
  /** Number of hybrid GPU nodes. */
  readonly nodeCount: number;
}

/** EKS Hybrid Nodes: on-premises servers that join the cluster's control plane. */
export interface HybridNodesOptions {
  /** CIDRs of the on-premises node network (RFC 1918, not overlapping the VPC). */
  readonly remoteNodeCidrs: string[];
  /** CIDRs of pods on hybrid nodes (needed for webhooks running there). @default - none */
  readonly remotePodCidrs?: string[];
  /** GPU servers among the hybrid nodes, registered as capacity. @default - no hybrid GPU capacity */
  readonly gpuNodes?: HybridGpuNodes;
}

export interface HybridNodesProps extends HybridNodesOptions {
  readonly cluster: eks.Cluster;
  /** The cluster's site, to register hybrid GPU capacity with. */
  readonly site: IKubernetesSite;
}

/** Checks remote networks: valid RFC 1918 CIDRs, no overlap with the VPC or each other. */
export function checkRemoteNetworks(scope: Construct, options: HybridNodesOptions, vpcCidr: string | undefined): void {
  const all = [
    ...options.remoteNodeCidrs.map((c) => ['remoteNodeCidrs', c]),
    ...(options.remotePodCidrs ?? []).map((c) => ['remotePodCidrs', c]),
  ];
  if (options.remoteNodeCidrs.length === 0) {
    throw new PropValidationError(scope, 'hybridNodes.remoteNodeCidrs', [], 'is empty', 'List the on-premises node network CIDRs, e.g. ["192.168.100.0/24"].');
  }
  const vpc = vpcCidr && !Token.isUnresolved(vpcCidr) ? parseCidr(vpcCidr) : undefined;
  const seen: Array<[string, ReturnType<typeof parseCidr>]> = [];
  for (const [prop, cidr] of all) {
    if (Token.isUnresolved(cidr)) continue;
    const range = parseCidr(cidr);
    if (!range || !isPrivate(range)) {
      throw new PropValidationError(scope, `hybridNodes.${prop}`, cidr, 'is not an RFC 1918 IPv4 CIDR', 'EKS Hybrid Nodes need private ranges (10/8, 172.16/12, 192.168/16), e.g. "192.168.100.0/24".');
    }
    if (vpc && overlaps(range, vpc)) {
      throw new PropValidationError(scope, `hybridNodes.${prop}`, cidr, `overlaps the VPC CIDR ${vpcCidr}`, 'Remote networks must be routable from the VPC: pick ranges outside it.');
    }
    const clash = seen.find(([, other]) => other && overlaps(range, other));
    if (clash) {
      throw new PropValidationError(scope, `hybridNodes.${prop}`, cidr, `overlaps ${clash[0]}`, 'Node and pod networks must not overlap each other.');
    }
    seen.push([cidr, range]);
  }
}

/**
 * The cloud side of EKS Hybrid Nodes: the IAM role hybrid nodes authenticate with (SSM hybrid
 * activations; it may also get Pod Identity credentials for pods, `eks-auth:AssumeRoleForPodIdentity`
 * on this cluster), its HYBRID_LINUX access entry, the hybrid GPU capacity on the site, and the
 * nodeadm settings (labels and GPU taint, `hybrid.enableCredentialsFile`) that make hybrid GPU
 * servers schedulable like cloud GPU nodes.
 */
export class HybridNodes extends Construct {
  public readonly role: iam.Role;
  /** Hybrid GPU capacity registered with the site, when `gpuNodes` is given. */
  public readonly gpuCapacity?: IGpuCapacity;

  constructor(scope: Construct, id: string, props: HybridNodesProps) {
    super(scope, id);
    checkPropTypes(this, 'HybridNodesProps', props);
    checkInteger(this, 'gpuNodes.gpusPerNode', props.gpuNodes?.gpusPerNode, 1, 64);
    checkInteger(this, 'gpuNodes.nodeCount', props.gpuNodes?.nodeCount, 1);

    // Hybrid nodes get temporary credentials from SSM hybrid activations created with this role.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ssm.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `EKS Hybrid Nodes of ${props.cluster.node.path}`,
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonSSMManagedInstanceCore'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryPullOnly'),
      ],
    });
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['eks:DescribeCluster'], resources: [props.cluster.clusterArn] }));
    // The Pod Identity agent's hybrid DaemonSet exchanges pod tokens with these node credentials.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['eks-auth:AssumeRoleForPodIdentity'], resources: [props.cluster.clusterArn] }));
    acknowledgeManagedPolicies(this.role, ['AmazonSSMManagedInstanceCore', 'AmazonEC2ContainerRegistryPullOnly'],
      'EKS Hybrid Nodes register through SSM and pull images from ECR with the AWS managed policies the EKS Hybrid Nodes guide prescribes for the hybrid nodes role.');

    new eks.AccessEntry(this, 'AccessEntry', {
      cluster: props.cluster,
      principal: this.role.roleArn,
      accessEntryType: eks.AccessEntryType.HYBRID_LINUX,
      accessPolicies: [],
    });

    if (props.gpuNodes) {
      const { gpusPerNode, nodeCount } = props.gpuNodes;
      this.gpuCapacity = { capacityName: `${this.node.path} (hybrid)`, gpusPerNode, maxGpus: gpusPerNode * nodeCount, hybrid: true };
      props.site.addGpuCapacity(this.gpuCapacity);
    }
  }

  /**
   * kubelet flags for nodeadm (`spec.kubelet.flags`) on hybrid GPU servers: the labels and taint
   * cloud GPU nodes carry, so GPU workloads and the device plugin treat both alike.
   */
  public static gpuKubeletFlags(): string[] {
    return [
      `--node-labels=${GPU_PRESENT_LABEL}=true,${DEVICE_PLUGIN_REQUIRED_LABEL}=daemonset`,
      `--register-with-taints=${DEFAULT_GPU_TAINT.key}=${DEFAULT_GPU_TAINT.value}:${DEFAULT_GPU_TAINT.effect}`,
    ];
  }

  /**
   * nodeadm `spec.hybrid` settings every hybrid node needs for EKS Pod Identity: the agent's
   * hybrid DaemonSet reads the credentials file nodeadm writes (`/eks-hybrid/.aws/credentials`).
   */
  public static podIdentityNodeadmSettings(): Record<string, boolean> {
    return { enableCredentialsFile: true };
  }
}
