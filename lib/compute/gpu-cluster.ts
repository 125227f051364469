import { CfnCondition, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { GpuClusterMetricFactory } from './gpu-cluster-metrics';
import { GpuNodeGroup, GpuNodeGroupOptions, DEVICE_PLUGIN_REQUIRED_LABEL, GPU_NODE_IMDS_HOP_LIMIT } from './gpu-node-group';
import { GpuNodePool, GpuNodePoolOptions, NodeClassReference } from './gpu-node-pool';
import { checkNodeGroupQuotas, EksQuotas, resolveEksQuotas } from './eks-quotas';
import { checkRemoteNetworks, HybridNodes, HybridNodesOptions } from './hybrid-nodes';
import { DEFAULT_KUBERNETES_VERSION, resolveKubectlLayer } from './kubernetes-version';
import { InferenceAutoscaling, InferenceAutoscalingOptions } from '../inference/inference-autoscaling';
import { CLOUDWATCH_OBSERVABILITY_DCGM_INSTANCE_TYPES } from '../k8s/cloudwatch-dcgm-exporter';
import { GpuEnablement } from '../k8s/gpu-enablement';
import { addAutoModeNetworkPolicyChart, VPC_CNI_CONFIGURATION, POD_IDENTITY_AGENT_HYBRID_CONFIGURATION } from './cluster-networking';
import { KubectlHandlerNetwork } from './kubectl-handler-network';
import { Kueue, KueueOptions } from './kueue';
import { LeaderWorkerSetController, LeaderWorkerSetControllerOptions } from './leader-worker-set';
import { ClusterAutoscaler, ClusterAutoscalerOptions } from './cluster-autoscaler';
import { MountpointS3 } from './mountpoint-s3';
import { addAlbGatewayClass, INTERNAL_ALB_GATEWAY_CLASS } from './gateway-api';
import { AWS_LOAD_BALANCER_CONTROLLER_CLASS, AwsLoadBalancerController, AwsLoadBalancerControllerOptions } from './aws-load-balancer-controller';
import { addInternalAlbIngressClass, AlbController, INTERNAL_ALB_INGRESS_CLASS } from '../k8s/ingress-class';
import { EksSite } from '../sites/eks-site';
import { KubernetesSiteOptions } from '../sites/site-base';
import { PropValidationError } from '../private/errors';
import { acknowledgeInlinePolicies, acknowledgeManagedPolicies, acknowledgeRule } from '../private/nag-acknowledgements';
import { newLogsKey } from '../private/log-encryption';
import { podIdentityPrincipal } from '../private/pod-identity';
import { checkEksName, checkInteger } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Presets of cluster defaults. */
export enum GpuClusterPreset {
  /** Private API endpoint, one NAT gateway per AZ. */
  PRODUCTION = 'production',
  /** Public and private API endpoint, one NAT gateway. */
  DEVELOPMENT = 'development',
}

/** How the cluster gets its nodes. */
export enum ClusterCapacityMode {
  /** Managed node groups: a system node group plus GPU node groups (`addGpuNodeGroup`). */
  MANAGED_NODE_GROUPS = 'managed-node-groups',
  /**
   * EKS Auto Mode: AWS runs the system pool, networking, DNS and the Pod Identity agent;
   * GPU capacity comes from NodePools (`addGpuNodePool`) and, optionally, GPU node groups.
   */
  AUTO_MODE = 'auto-mode',
}

/** Load balancer class of EKS Auto Mode's built-in load balancing (network load balancers). */
export const AUTO_MODE_LOAD_BALANCER_CLASS = 'eks.amazonaws.com/nlb';

/** Instance type of the system node group (CoreDNS, KEDA, controllers). */
export const DEFAULT_SYSTEM_NODE_INSTANCE_TYPE = ec2.InstanceType.of(ec2.InstanceClass.M7I, ec2.InstanceSize.LARGE);
/** Two system nodes, so CoreDNS and controllers survive the loss of one node or AZ. */
export const DEFAULT_SYSTEM_NODE_COUNT = 2;
/** Labels of the system node group: cluster controllers (the Cluster Autoscaler) select them. */
const SYSTEM_NODE_LABELS = { 'cdk-scalable-ai.io/node-role': 'system' };
/** Address range of a VPC the cluster creates. */
export const DEFAULT_VPC_CIDR = '10.0.0.0/16';
/** AZs of a VPC the cluster creates (an environment-agnostic stack gets 2). */
export const DEFAULT_VPC_MAX_AZS = 3;
/** Auto Mode's built-in node pools: `system` (CriticalAddonsOnly taint) for cluster add-ons, `general-purpose` for everything else (KEDA, controllers). */
export const AUTO_MODE_NODE_POOLS = ['system', 'general-purpose'];
/** Detailed (1-minute) EC2 monitoring of the system nodes; off, as Container Insights already reports node metrics. */
export const DEFAULT_SYSTEM_NODE_DETAILED_MONITORING = false;
/** Retention of the kubectl provider's log groups when aws-eks-v2 sets none (two years, its current default). */
export const KUBECTL_LOG_RETENTION_DAYS = 731;
/** Every control plane log type. */
export const CONTROL_PLANE_LOG_TYPES = [
  eks.ClusterLoggingTypes.API, eks.ClusterLoggingTypes.AUDIT, eks.ClusterLoggingTypes.AUTHENTICATOR,
  eks.ClusterLoggingTypes.CONTROLLER_MANAGER, eks.ClusterLoggingTypes.SCHEDULER,
];

export interface GpuClusterProps {
  /** @default ClusterCapacityMode.MANAGED_NODE_GROUPS */
  readonly capacityMode?: ClusterCapacityMode;
  /** @default GpuClusterPreset.PRODUCTION */
  readonly preset?: GpuClusterPreset;
  /** @default - a new VPC: 3 AZs (2 in an environment-agnostic stack), public and private subnets, flow logs */
  readonly vpc?: ec2.IVpc;
  /** @default - PRIVATE for PRODUCTION, PUBLIC_AND_PRIVATE for DEVELOPMENT */
  readonly endpointAccess?: eks.EndpointAccess;
  /** @default eks.KubernetesVersion.V1_36 */
  readonly version?: eks.KubernetesVersion;
  /** Needed for versions other than 1.36. @default - the bundled KubectlV36Layer */
  readonly kubectlLayer?: lambda.ILayerVersion;
  /** @default - generated */
  readonly clusterName?: string;
  /** Roles granted cluster admin through access entries. @default - none besides the kubectl provider's */
  readonly adminRoles?: iam.IRole[];
  /** Key for envelope encryption of Kubernetes secrets. @default - a new key with rotation, retained */
  readonly secretsEncryptionKey?: kms.IKey;
  /** @default - m7i.large */
  readonly systemNodeInstanceType?: ec2.InstanceType;
  /** @default 2 */
  readonly systemNodeCount?: number;
  /**
   * Detailed (1-minute) EC2 monitoring on the system node group's launch template.
   * @default false
   */
  readonly systemNodeDetailedMonitoring?: boolean;
  /**
   * Whether to deliver the GPU enablement chart (device plugin where needed, DCGM exporter).
   * @default true
   */
  readonly gpuEnablement?: boolean;
  /** @default - the construct id, lowercased */
  readonly siteName?: string;
  /**
   * What the cluster's site declares beyond the defaults: e.g. `prometheusOperatorAvailable`,
   * `imageRegistryMirror`, or load balancer and ingress classes of controllers you install.
   * @default - GPU label and taint of the library's node groups; with AWS load balancing (Auto
   * Mode, or `awsLoadBalancerController`) its load balancer class, the `internal-alb` ingress
   * class and `awsLoadBalancers: true` (false once you declare a class of your own, unless you
   * declare `awsLoadBalancers` too)
   */
  readonly siteOptions?: KubernetesSiteOptions;
  /**
   * Installs the AWS Load Balancer Controller (managed node groups only: Auto Mode has its own
   * load balancing). The site then declares the controller's load balancer class
   * (`service.k8s.aws/nlb`) and an internal ALB IngressClass (`internal-alb`), with TLS from
   * ACM certificates.
   * @default - not installed: on managed node groups, internal load balancers and ingresses fail synth
   */
  readonly awsLoadBalancerController?: AwsLoadBalancerControllerOptions;
  /**
   * EKS Hybrid Nodes: on-premises servers (e.g. GPU servers) joining this cluster.
   * @default - no hybrid nodes
   */
  readonly hybridNodes?: HybridNodesOptions;
  /**
   * EKS quotas of the account, when raised above the defaults; node groups beyond them fail synth.
   * @default - EKS's defaults: 30 managed node groups per cluster, 450 nodes per node group
   */
  readonly eksQuotas?: EksQuotas;
}

/**
 * An EKS cluster (aws-eks-v2: native CloudFormation cluster and access entries) ready for GPU
 * work: private endpoint by default, KMS envelope encryption of secrets, every control plane
 * log, a system node group, EKS add-ons as native resources (VPC CNI, CoreDNS, kube-proxy, Pod
 * Identity agent, CloudWatch observability for GPU metrics), add-on permissions through Pod
 * Identity instead of the node role, and an `EksSite` that receives cdk8s charts.
 */
export class GpuCluster extends Construct {
  public readonly cluster: eks.Cluster;
  public readonly site: EksSite;
  public readonly vpc: ec2.IVpc;
  public readonly secretsEncryptionKey: kms.IKey;
  /** Role of every node group the cluster creates (worker node + ECR pull-only; CNI rights go through Pod Identity). */
  public readonly nodeRole: iam.Role;
  /** The system node group (managed node group mode only). */
  public readonly systemNodegroup?: eks.Nodegroup;
  /** The cloud side of EKS Hybrid Nodes, when `hybridNodes` is set. */
  public readonly hybridNodes?: HybridNodes;
  /** The AWS Load Balancer Controller, when `awsLoadBalancerController` asked for it. */
  public readonly awsLoadBalancerController?: AwsLoadBalancerController;
  public readonly capacityMode: ClusterCapacityMode;
  /**
   * Whether the cluster's network plugin enforces NetworkPolicies: always true for the EC2 and
   * Auto Mode nodes of a GpuCluster (VPC CNI `enableNetworkPolicy`, or Auto Mode's network policy
   * controller). Hybrid nodes run Cilium or Calico, which the site configures.
   */
  public readonly networkPoliciesEnforced = true;
  /** The VPC CNI add-on (managed node group mode only); every node group is created after it. */
  public readonly vpcCni?: eks.Addon;
  /** Security group of the kubectl provider's Lambda functions (HTTPS out only). */
  public readonly kubectlSecurityGroup: ec2.SecurityGroup;
  private readonly _gpuNodeGroups: GpuNodeGroup[] = [];
  private readonly _gpuNodePools: GpuNodePool[] = [];
  private _logsKey?: kms.IKey;
  private _inferenceAutoscaling?: InferenceAutoscaling;
  private _kueue?: Kueue;
  private _leaderWorkerSet?: LeaderWorkerSetController;
  private _clusterAutoscaler?: ClusterAutoscaler;
  private readonly kubernetesVersion: eks.KubernetesVersion;

  constructor(scope: Construct, id: string, props: GpuClusterProps = {}) {
    super(scope, id);
    checkPropTypes(this, 'GpuClusterProps', props);
    const preset = props.preset ?? GpuClusterPreset.PRODUCTION;
    this.capacityMode = props.capacityMode ?? ClusterCapacityMode.MANAGED_NODE_GROUPS;
    const autoMode = this.capacityMode === ClusterCapacityMode.AUTO_MODE;
    checkInteger(this, 'systemNodeCount', props.systemNodeCount, 1, 100);
    checkEksName(this, 'clusterName', props.clusterName, 100);
    const quotas = resolveEksQuotas(this, props.eksQuotas);
    const version = props.version ?? DEFAULT_KUBERNETES_VERSION;
    this.kubernetesVersion = version;
    const kubectlLayer = resolveKubectlLayer(this, version, props.kubectlLayer);

    this.vpc = props.vpc ?? this.createVpc(preset);
    const kubectlNetwork = new KubectlHandlerNetwork(this, 'KubectlNetwork', { vpc: this.vpc });
    this.kubectlSecurityGroup = kubectlNetwork.securityGroup;
    if (props.hybridNodes) checkRemoteNetworks(this, props.hybridNodes, props.vpc ? props.vpc.vpcCidrBlock : DEFAULT_VPC_CIDR);
    this.secretsEncryptionKey = props.secretsEncryptionKey ?? new kms.Key(this, 'SecretsKey', {
      description: `Envelope encryption of Kubernetes secrets of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.nodeRole = new iam.Role(this, 'NodeRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `Nodes of ${this.node.path}`,
      managedPolicies: [
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEKSWorkerNodePolicy'),
        iam.ManagedPolicy.fromAwsManagedPolicyName('AmazonEC2ContainerRegistryPullOnly'),
      ],
    });
    acknowledgeManagedPolicies(this.nodeRole, ['AmazonEKSWorkerNodePolicy', 'AmazonEC2ContainerRegistryPullOnly'],
      'EKS nodes need AmazonEKSWorkerNodePolicy and ECR pull rights, the policies EKS documents for node roles; the CNI policy is not here but on the VPC CNI add-on through Pod Identity.');

    this.cluster = new eks.Cluster(this, 'Resource', {
      version,
      clusterName: props.clusterName,
      vpc: this.vpc,
      vpcSubnets: [{ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }],
      endpointAccess: props.endpointAccess ?? (preset === GpuClusterPreset.PRODUCTION ? eks.EndpointAccess.PRIVATE : eks.EndpointAccess.PUBLIC_AND_PRIVATE),
      secretsEncryptionKey: this.secretsEncryptionKey,
      clusterLogging: CONTROL_PLANE_LOG_TYPES,
      ...(autoMode
        ? { defaultCapacityType: eks.DefaultCapacityType.AUTOMODE, compute: { nodePools: [...AUTO_MODE_NODE_POOLS], nodeRole: this.nodeRole } }
        : { defaultCapacityType: eks.DefaultCapacityType.NODEGROUP, defaultCapacity: 0 }),
      kubectlProviderOptions: { kubectlLayer, securityGroups: [this.kubectlSecurityGroup] },
      remoteNodeNetworks: props.hybridNodes ? [{ cidrs: props.hybridNodes.remoteNodeCidrs }] : undefined,
      remotePodNetworks: props.hybridNodes?.remotePodCidrs ? [{ cidrs: props.hybridNodes.remotePodCidrs }] : undefined,
    });
    kubectlNetwork.allowToClusterEndpoint(this.cluster);
    this.encryptKubectlLogs();
    this.acknowledgeClusterFindings(autoMode);
    acknowledgeInlinePolicies(this);

    for (const [index, role] of (props.adminRoles ?? []).entries()) {
      this.cluster.grantClusterAdmin(`AdminAccess${index}`, role.roleArn);
    }

    if (autoMode) {
      // Auto Mode runs VPC CNI, CoreDNS, kube-proxy and the Pod Identity agent itself.
      this.addObservabilityAddon();
    } else {
      const { vpcCni, addonsWithPods } = this.addNetworkingAddons(props.hybridNodes !== undefined);
      this.vpcCni = vpcCni;
      addonsWithPods.push(this.addObservabilityAddon());
      this.systemNodegroup = this.addSystemNodegroup(props);
      // Add-ons that run pods only become healthy once nodes exist (the VPC CNI and the Pod
      // Identity agent come first instead: nodes need them to get a working pod network).
      for (const addon of addonsWithPods) addon.node.addDependency(this.systemNodegroup);
    }

    this.node.addValidation({ validate: () => checkNodeGroupQuotas(this, this.cluster, quotas) });

    if (autoMode && props.awsLoadBalancerController) {
      throw new PropValidationError(this, 'awsLoadBalancerController', 'set', 'is not needed on EKS Auto Mode, which runs its own load balancing',
        'Drop awsLoadBalancerController: on Auto Mode the site already uses eks.amazonaws.com/nlb and an internal ALB IngressClass.');
    }
    const albController = autoMode ? AlbController.EKS_AUTO_MODE : props.awsLoadBalancerController ? AlbController.AWS_LOAD_BALANCER_CONTROLLER : undefined;
    this.site = new EksSite(this, 'Site', {
      ...props.siteOptions,
      cluster: this.cluster,
      kubernetesVersion: this.kubernetesVersion,
      siteName: props.siteName ?? props.siteOptions?.siteName ?? id.toLowerCase(),
      loadBalancerClass: props.siteOptions?.loadBalancerClass
        ?? (autoMode ? AUTO_MODE_LOAD_BALANCER_CLASS : albController ? AWS_LOAD_BALANCER_CONTROLLER_CLASS : undefined),
      ingressClassName: props.siteOptions?.ingressClassName ?? (albController ? INTERNAL_ALB_INGRESS_CLASS : undefined),
      gatewayClassName: props.siteOptions?.gatewayClassName ?? (props.awsLoadBalancerController?.gatewayApi ? INTERNAL_ALB_GATEWAY_CLASS : undefined),
      // Classes of your own (e.g. ingress-nginx) may not read ACM certificates: then declare awsLoadBalancers yourself.
      awsLoadBalancers: props.siteOptions?.awsLoadBalancers
        ?? (albController !== undefined && props.siteOptions?.ingressClassName === undefined && props.siteOptions?.loadBalancerClass === undefined
          && props.siteOptions?.gatewayClassName === undefined),
    });
    if (props.awsLoadBalancerController) {
      this.awsLoadBalancerController = new AwsLoadBalancerController(this, 'AwsLoadBalancerController', { ...props.awsLoadBalancerController, site: this.site });
      // Helm waits for the controller's pods, which need the system nodes.
      if (this.systemNodegroup) this.awsLoadBalancerController.release.node.addDependency(this.systemNodegroup);
      // Its webhooks must be up before Services and Ingresses are created, or they get no load balancer.
      this.site.markPrerequisite(this.awsLoadBalancerController.release);
    }
    if (albController && props.siteOptions?.ingressClassName === undefined) {
      addInternalAlbIngressClass(this.site, albController, this.awsLoadBalancerController ? [this.awsLoadBalancerController.release] : []);
    }
    if (this.awsLoadBalancerController?.gatewayApiCrds && props.siteOptions?.gatewayClassName === undefined) {
      addAlbGatewayClass(this.site, [this.awsLoadBalancerController.release]);
    }
    if (props.hybridNodes) {
      this.hybridNodes = new HybridNodes(this, 'HybridNodes', { ...props.hybridNodes, cluster: this.cluster, site: this.site });
    }
    if (autoMode) addAutoModeNetworkPolicyChart(this.site);
    if (props.gpuEnablement ?? true) {
      GpuEnablement.addToSite({
        site: this.site,
        devicePluginNodeLabels: { [DEVICE_PLUGIN_REQUIRED_LABEL]: 'daemonset' },
        // The CloudWatch observability add-on runs its DCGM exporter on these (Container Insights
        // GPU metrics come from it); ours covers the GPU nodes it does not reach.
        dcgmExporterExcludedInstanceTypes: [...CLOUDWATCH_OBSERVABILITY_DCGM_INSTANCE_TYPES],
      });
    }
  }

  /** GPU node groups added so far. */
  public get gpuNodeGroups(): GpuNodeGroup[] {
    return [...this._gpuNodeGroups];
  }

  /** The inference autoscaling stack (Amazon Managed Prometheus, KEDA), once `addInferenceAutoscaling` was called. */
  public get inferenceAutoscaling(): InferenceAutoscaling | undefined {
    return this._inferenceAutoscaling;
  }

  /** Average GPU utilization (percent) over every GPU node (Container Insights node_gpu_utilization, [ClusterName], 5 minutes). */
  public metricNodeGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new GpuClusterMetricFactory(this.cluster.clusterName).nodeGpuUtilization(props);
  }

  /** Average GPU memory utilization (percent) over every GPU node (node_gpu_memory_utilization, [ClusterName], 5 minutes). */
  public metricNodeGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new GpuClusterMetricFactory(this.cluster.clusterName).nodeGpuMemoryUtilization(props);
  }

  /** Worker nodes (cluster_node_count, [ClusterName], average over 5 minutes). */
  public metricNodeCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new GpuClusterMetricFactory(this.cluster.clusterName).nodeCount(props);
  }

  /** Worker nodes with a failing node condition (cluster_failed_node_count, [ClusterName], maximum over 5 minutes). */
  public metricFailedNodeCount(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new GpuClusterMetricFactory(this.cluster.clusterName).failedNodeCount(props);
  }

  /**
   * Pods bound to a node but not running yet, e.g. pulling images or downloading models
   * (pod_status_pending, [ClusterName], sum per minute). Unschedulable pods are not counted.
   */
  public metricPendingPods(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new GpuClusterMetricFactory(this.cluster.clusterName).pendingPods(props);
  }

  /**
   * Adds an EKS Auto Mode NodePool of GPU instances (elastic capacity: nodes appear for pending
   * GPU pods and go when empty). Needs `capacityMode: AUTO_MODE`.
   */
  public addGpuNodePool(id: string, options: GpuNodePoolOptions): GpuNodePool {
    if (this.capacityMode !== ClusterCapacityMode.AUTO_MODE) {
      throw new PropValidationError(this, 'capacityMode', this.capacityMode, `has no NodePool support for addGpuNodePool("${id}")`,
        'Create the cluster with capacityMode: ClusterCapacityMode.AUTO_MODE, or use addGpuNodeGroup.');
    }
    const pool = new GpuNodePool(this, id, { ...options, site: this.site, nodeClass: NodeClassReference.autoMode() });
    this._gpuNodePools.push(pool);
    return pool;
  }

  /** GPU node pools added with addGpuNodePool, in order. */
  public get gpuNodePools(): GpuNodePool[] {
    return [...this._gpuNodePools];
  }

  /**
   * Installs what autoscaled inference needs: Amazon Managed Prometheus with a managed collector,
   * and KEDA querying it through Pod Identity. Call before adding autoscaled InferenceServices.
   */
  public addInferenceAutoscaling(options: InferenceAutoscalingOptions = {}): InferenceAutoscaling {
    if (this._inferenceAutoscaling) return this._inferenceAutoscaling;
    this._inferenceAutoscaling = new InferenceAutoscaling(this, 'InferenceAutoscaling', { ...options, site: this.site });
    return this._inferenceAutoscaling;
  }

  /**
   * Installs Kueue for team GPU quotas and gang admission. Call before creating the Teams that
   * queue work on the cluster: each then gets a ClusterQueue and a LocalQueue.
   */
  public addKueue(options: KueueOptions = {}): Kueue {
    if (this._kueue) {
      throw new PropValidationError(this, 'addKueue()', 'a second call', 'would install Kueue twice (its options could not both apply)', 'Call addKueue() once and use gpuCluster.kueue afterwards.');
    }
    this._kueue = new Kueue(this, 'Kueue', { ...options, site: this.site });
    if (this.systemNodegroup) this._kueue.release.node.addDependency(this.systemNodegroup);
    return this._kueue;
  }

  /**
   * Installs the Mountpoint for Amazon S3 CSI driver (EKS add-on, v2) with an EKS Pod Identity
   * role, so model servers can mount their model (`ModelSource.mountFromDataLake`) instead of
   * copying it at start. Managed node groups only (AL2023 or Bottlerocket nodes).
   */
  public addMountpointS3(): MountpointS3 {
    if (this.capacityMode === ClusterCapacityMode.AUTO_MODE) {
      throw new PropValidationError(this, 'capacityMode', this.capacityMode, 'has no confirmed support for the Mountpoint for Amazon S3 CSI driver add-on',
        'Use capacityMode MANAGED_NODE_GROUPS for mounted models, or ModelSource.fromDataLake (copied at start).');
    }
    if (this.site.mountpointS3) return this.site.mountpointS3;
    const driver = new MountpointS3(this, 'MountpointS3', { site: this.site });
    // Its node DaemonSet and controller need nodes and the Pod Identity agent.
    driver.addon.node.addDependency(this.cluster.eksPodIdentityAgent!);
    if (this.systemNodegroup) driver.addon.node.addDependency(this.systemNodegroup);
    return driver;
  }

  /**
   * Installs LeaderWorkerSet, so inference services can span several nodes per replica
   * (`InferenceService` `multiNode`): a leader and its workers start, fail and roll out as one.
   * Call before adding those services.
   */
  public addLeaderWorkerSet(options: LeaderWorkerSetControllerOptions = {}): LeaderWorkerSetController {
    if (this._leaderWorkerSet) {
      throw new PropValidationError(this, 'addLeaderWorkerSet()', 'a second call', 'would install LeaderWorkerSet twice (its options could not both apply)',
        'Call addLeaderWorkerSet() once and use gpuCluster.leaderWorkerSet afterwards.');
    }
    this._leaderWorkerSet = new LeaderWorkerSetController(this, 'LeaderWorkerSet', { ...options, site: this.site });
    if (this.systemNodegroup) this._leaderWorkerSet.release.node.addDependency(this.systemNodegroup);
    return this._leaderWorkerSet;
  }

  /**
   * Installs the Cluster Autoscaler (managed node groups): GPU node groups scale up from their
   * `minSize` when GPU pods are pending and down when their nodes idle. EKS Auto Mode scales
   * its node pools itself.
   */
  public addClusterAutoscaler(options: ClusterAutoscalerOptions = {}): ClusterAutoscaler {
    if (this.capacityMode === ClusterCapacityMode.AUTO_MODE) {
      throw new PropValidationError(this, 'capacityMode', this.capacityMode, 'scales its node pools itself; the Cluster Autoscaler would race it for the same pending pods',
        'Use GPU node pools (addGpuNodePool) on EKS Auto Mode, or capacityMode MANAGED_NODE_GROUPS with the autoscaler.');
    }
    if (this._clusterAutoscaler) {
      throw new PropValidationError(this, 'addClusterAutoscaler()', 'a second call', 'would install the Cluster Autoscaler twice', 'Call addClusterAutoscaler() once.');
    }
    this._clusterAutoscaler = new ClusterAutoscaler(this, 'ClusterAutoscaler', {
      ...options, site: this.site, kubernetesVersion: this.kubernetesVersion, nodeSelector: { ...SYSTEM_NODE_LABELS },
    });
    if (this.systemNodegroup) this._clusterAutoscaler.release.node.addDependency(this.systemNodegroup);
    return this._clusterAutoscaler;
  }

  /** The Cluster Autoscaler, once `addClusterAutoscaler()` installed it. */
  public get clusterAutoscaler(): ClusterAutoscaler | undefined {
    return this._clusterAutoscaler;
  }

  /** LeaderWorkerSet, once `addLeaderWorkerSet()` installed it. */
  public get leaderWorkerSet(): LeaderWorkerSetController | undefined {
    return this._leaderWorkerSet;
  }

  /** Kueue, once `addKueue()` installed it. */
  public get kueue(): Kueue | undefined {
    return this._kueue;
  }

  /** Adds a managed node group of GPU instances that registers its capacity with the cluster's site. */
  public addGpuNodeGroup(id: string, options: GpuNodeGroupOptions): GpuNodeGroup {
    const group = new GpuNodeGroup(this, id, { ...options, cluster: this.cluster, site: this.site, nodeRole: this.nodeRole });
    this.orderAfterPodNetwork(group.nodegroup);
    this._gpuNodeGroups.push(group);
    return group;
  }

  private createVpc(preset: GpuClusterPreset): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(DEFAULT_VPC_CIDR),
      maxAzs: DEFAULT_VPC_MAX_AZS,
      // Restricting the default security group needs a second Lambda-backed custom resource;
      // nothing of the platform uses the default group, so it is left as EC2 creates it.
      restrictDefaultSecurityGroup: false,
      natGateways: preset === GpuClusterPreset.PRODUCTION ? undefined : 1,
      subnetConfiguration: [
        // Public subnets only hold NAT gateways (Elastic IPs): nothing needs a public IP on launch.
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24, mapPublicIpOnLaunch: false },
        // Large private subnets: the VPC CNI gives every pod a VPC address.
        { name: 'Private', subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 18 },
      ],
    });
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogs', { retention: logs.RetentionDays.ONE_YEAR, encryptionKey: this.logsKey(), removalPolicy: RemovalPolicy.RETAIN });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup) });
    acknowledgeRule(vpc, 'NIST.800.53.R5-VPCNoUnrestrictedRouteToIGW',
      'Only the public subnets route 0.0.0.0/0 to the internet gateway, and they hold nothing but the NAT gateways that give the private node subnets egress.');
    acknowledgeRule(vpc, 'NIST.800.53.R5-VPCDefaultSecurityGroupClosed',
      'No resource of the platform uses the default security group; closing it needs a Lambda-backed custom resource, and the platform keeps a single Lambda provider (kubectl).');
    return vpc;
  }

  /** The key of the cluster's log groups (VPC flow logs, kubectl provider), created on first use. */
  private logsKey(): kms.IKey {
    this._logsKey ??= newLogsKey(this, 'LogsKey', `CloudWatch Logs of ${this.node.path}`);
    return this._logsKey;
  }

  /**
   * Encrypts the kubectl provider's log groups (aws-eks-v2 creates them with a retention but
   * offers no key option) with the cluster's logs key.
   */
  private encryptKubectlLogs(): void {
    const provider = this.cluster.node.tryFindChild('KubectlProvider');
    if (!provider) return;
    for (const logGroup of provider.node.findAll().filter((c): c is logs.CfnLogGroup => c instanceof logs.CfnLogGroup)) {
      logGroup.kmsKeyId = this.logsKey().keyArn;
      logGroup.retentionInDays ??= KUBECTL_LOG_RETENTION_DAYS;
    }
  }

  /** Orders a node group after the VPC CNI add-on (with its Pod Identity association) and the Pod Identity agent. */
  private orderAfterPodNetwork(nodegroup: eks.Nodegroup): void {
    if (!this.vpcCni) return;
    nodegroup.node.addDependency(this.vpcCni, this.cluster.eksPodIdentityAgent!);
  }

  /** A role that EKS Pod Identity lets one add-on's service account assume. */
  private podIdentityRole(id: string, managedPolicy: string, reason: string): iam.Role {
    const role = new iam.Role(this, id, {
      assumedBy: podIdentityPrincipal(),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(managedPolicy)],
    });
    acknowledgeManagedPolicies(role, [managedPolicy], reason);
    return role;
  }

  /**
   * VPC CNI (rights through Pod Identity, NetworkPolicy enforcement on), kube-proxy and CoreDNS;
   * returns the VPC CNI and the add-ons whose pods need nodes.
   */
  private addNetworkingAddons(hybridNodes: boolean): { vpcCni: eks.Addon; addonsWithPods: eks.Addon[] } {
    const podIdentityAgent = this.cluster.eksPodIdentityAgent!;
    if (hybridNodes) {
      // Hybrid nodes have no IMDS: the add-on's second DaemonSet reads nodeadm's credentials file.
      (podIdentityAgent.node.defaultChild as eks.CfnAddon).configurationValues = JSON.stringify(POD_IDENTITY_AGENT_HYBRID_CONFIGURATION);
    }
    const cniRole = this.podIdentityRole('VpcCniRole', 'AmazonEKS_CNI_Policy',
      'The VPC CNI needs the EC2 network interface rights AWS maintains in AmazonEKS_CNI_Policy; granted to its service account only, not to every node.');
    const vpcCni = new eks.Addon(this, 'VpcCni', { cluster: this.cluster, addonName: 'vpc-cni', configurationValues: VPC_CNI_CONFIGURATION });
    (vpcCni.node.defaultChild as eks.CfnAddon).podIdentityAssociations = [{ serviceAccount: 'aws-node', roleArn: cniRole.roleArn }];
    vpcCni.node.addDependency(podIdentityAgent);
    new eks.Addon(this, 'KubeProxy', { cluster: this.cluster, addonName: 'kube-proxy' });
    return { vpcCni, addonsWithPods: [new eks.Addon(this, 'CoreDns', { cluster: this.cluster, addonName: 'coredns' })] };
  }

  /** CloudWatch observability (Container Insights with GPU metrics), rights through Pod Identity. */
  private addObservabilityAddon(): eks.Addon {
    const observabilityRole = this.podIdentityRole('ObservabilityRole', 'CloudWatchAgentServerPolicy',
      'The CloudWatch agent publishes Container Insights (GPU) metrics and logs with the rights AWS maintains in CloudWatchAgentServerPolicy; granted to its service account only.');
    const observability = new eks.Addon(this, 'CloudWatchObservability', { cluster: this.cluster, addonName: 'amazon-cloudwatch-observability' });
    (observability.node.defaultChild as eks.CfnAddon).podIdentityAssociations = [{ serviceAccount: 'cloudwatch-agent', roleArn: observabilityRole.roleArn }];
    if (this.capacityMode === ClusterCapacityMode.MANAGED_NODE_GROUPS) observability.node.addDependency(this.cluster.eksPodIdentityAgent!);
    return observability;
  }

  private addSystemNodegroup(props: GpuClusterProps): eks.Nodegroup {
    const count = props.systemNodeCount ?? DEFAULT_SYSTEM_NODE_COUNT;
    const launchTemplate = new ec2.LaunchTemplate(this, 'SystemLaunchTemplate', {
      requireImdsv2: true,
      detailedMonitoring: props.systemNodeDetailedMonitoring ?? DEFAULT_SYSTEM_NODE_DETAILED_MONITORING,
      httpPutResponseHopLimit: GPU_NODE_IMDS_HOP_LIMIT,
      blockDevices: [{ deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(50, { volumeType: ec2.EbsDeviceVolumeType.GP3, encrypted: true }) }],
    });
    const nodegroup = new eks.Nodegroup(this, 'SystemNodes', {
      cluster: this.cluster,
      instanceTypes: [props.systemNodeInstanceType ?? DEFAULT_SYSTEM_NODE_INSTANCE_TYPE],
      amiType: eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
      minSize: count,
      desiredSize: count,
      maxSize: Math.max(count, count + 1),
      nodeRole: this.nodeRole,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      launchTemplateSpec: { id: launchTemplate.launchTemplateId!, version: launchTemplate.latestVersionNumber },
      labels: { ...SYSTEM_NODE_LABELS },
      enableNodeAutoRepair: true,
    });
    this.orderAfterPodNetwork(nodegroup);
    return nodegroup;
  }

  /** Findings on resources aws-eks-v2 creates and does not let us configure. */
  private acknowledgeClusterFindings(autoMode: boolean): void {
    acknowledgeManagedPolicies(this.cluster, ['AmazonEKSClusterPolicy'],
      'The EKS cluster role needs AmazonEKSClusterPolicy, the policy EKS requires for its service role (created by aws-eks-v2).');
    if (autoMode) {
      acknowledgeManagedPolicies(this.cluster, ['AmazonEKSComputePolicy', 'AmazonEKSBlockStoragePolicy', 'AmazonEKSLoadBalancingPolicy', 'AmazonEKSNetworkingPolicy'],
        'EKS Auto Mode requires these AWS managed policies on the cluster role to launch nodes, volumes, load balancers and network interfaces (aws-eks-v2 attaches them).');
    }
    // W9009: aws-eks-v2 renders EncryptionConfig.Resources ["secrets"]; CloudFormation marks the
    // property deprecated but it is how a customer managed key is attached to secrets.
    acknowledgeRule(this.cluster, 'CloudFormation-Validate::W9009',
      'aws-eks-v2 renders EncryptionConfig.Resources ["secrets"] to attach the customer managed KMS key; the deprecation has no replacement property yet.');
    const provider = this.cluster.node.tryFindChild('KubectlProvider');
    if (!provider) return;
    acknowledgeManagedPolicies(provider, ['service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole', 'AmazonEC2ContainerRegistryReadOnly'],
      'The kubectl provider Lambda of aws-eks-v2 writes its logs, attaches to the VPC of the private endpoint and pulls Helm charts from ECR with these AWS managed policies; not configurable.');
    const handler = provider.node.tryFindChild('Handler')?.node.defaultChild as lambda.CfnFunction | undefined;
    const ecrPublicCondition = provider.node.findAll().find((c): c is CfnCondition => c instanceof CfnCondition && c.node.id.includes('HasEcrPublic'));
    if (ecrPublicCondition) {
      const policy = { 'Fn::If': [Stack.of(this).getLogicalId(ecrPublicCondition), { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly']] }, { Ref: 'AWS::NoValue' }] };
      acknowledgeRule(provider, `AwsSolutions-IAM4[Policy::${JSON.stringify(policy)}]`,
        'aws-eks-v2 attaches AmazonElasticContainerRegistryPublicReadOnly to the kubectl handler where ECR Public exists, for public Helm charts; not configurable.');
    }
    if (handler) {
      acknowledgeRule(provider, `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(handler)}.Arn>:*]`,
        'The custom resource provider framework behind the kubectl provider invokes its handler with a version qualifier (`<handler arn>:*`); not configurable.');
    }
    acknowledgeRule(provider, 'NIST.800.53.R5-LambdaConcurrency',
      'The kubectl provider runs only during CloudFormation deployments of this stack; aws-eks-v2 exposes no reserved concurrency setting.');
    acknowledgeRule(provider, 'NIST.800.53.R5-LambdaDLQ',
      'The kubectl provider is invoked synchronously by the CloudFormation custom resource framework, which reports failures to the stack; a dead-letter queue would never receive events.');
    acknowledgeRule(provider, 'AwsSolutions-L1',
      'aws-eks-v2 pins the kubectl handler runtime to the Python version its kubectl layer and AWS CLI layer are built for; not configurable.');
  }
}
