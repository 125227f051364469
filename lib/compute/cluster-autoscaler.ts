/**
 * The Kubernetes Cluster Autoscaler for managed node groups: GPU node groups scale up from
 * zero when GPU pods are pending and back down when their GPUs idle.
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { minorOf } from './kubernetes-version';
import { EksSite } from '../sites/eks-site';
import { PropValidationError } from '../private/errors';
import { acknowledgeWildcards, wildcardResource } from '../private/nag-acknowledgements';
import { serviceAccountRole } from '../private/pod-identity';
import { checkPropTypes } from '../private/prop-types';
import { checkDurationRange, checkPattern } from '../private/validation';

/** Chart of kubernetes/autoscaler (its default image is v1.35.0 whatever the cluster: the image is set below). */
const CHART_VERSION = '9.59.0';
const NAMESPACE = 'kube-system';
/** Named, so the Pod Identity association can name it (the chart would derive `<release>-aws-cluster-autoscaler`). */
export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = 'cluster-autoscaler';
const IMAGE = 'registry.k8s.io/autoscaling/cluster-autoscaler';
/**
 * The newest Cluster Autoscaler release per Kubernetes minor (its minor must match the
 * cluster's): kubernetes/autoscaler tags `cluster-autoscaler-1.x.y` of 2026-07-22.
 */
const IMAGE_TAG_BY_MINOR: Readonly<Record<number, string>> = { 33: 'v1.33.6', 34: 'v1.34.5', 35: 'v1.35.2', 36: 'v1.36.1' };
/** Describe calls the autoscaler makes (its AWS README's recommended policy); none has resource-level permissions but DescribeNodegroup. */
const DESCRIBE_ACTIONS = [
  'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
  'autoscaling:DescribeScalingActivities', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeLaunchTemplateVersions',
  'ec2:GetInstanceTypesFromInstanceRequirements',
];

export interface ClusterAutoscalerOptions {
  /**
   * Image tag of `registry.k8s.io/autoscaling/cluster-autoscaler`, whose minor must be the
   * cluster's Kubernetes minor.
   * @default - the newest release for the cluster's version (v1.36.1 for 1.36)
   */
  readonly imageTag?: string;
  /**
   * How long a node must be unneeded before it is removed (`--scale-down-unneeded-time`): idle
   * GPU nodes cost the most of any.
   * @default Duration.minutes(10)
   */
  readonly scaleDownUnneededTime?: Duration;
}

export interface ClusterAutoscalerProps extends ClusterAutoscalerOptions {
  readonly site: EksSite;
  /** The cluster's Kubernetes version (the image follows it). */
  readonly kubernetesVersion: eks.KubernetesVersion;
  /** Labels of the nodes the autoscaler runs on (the system node group), off the GPU nodes. */
  readonly nodeSelector: Record<string, string>;
}

/**
 * The Cluster Autoscaler (Helm chart 9.59.0) in kube-system with an EKS Pod Identity role. It
 * discovers the cluster's managed node groups by the tags EKS puts on their Auto Scaling
 * groups and reads their labels and taints through `eks:DescribeNodegroup`, so a GPU group
 * with `minSize: 0` scales up from zero for a pending pod that tolerates its taint and selects
 * its labels (GPU counts come from `ec2:DescribeInstanceTypes`). It may resize and terminate
 * only Auto Scaling groups tagged with the cluster's name. Create it with
 * `GpuCluster.addClusterAutoscaler()`.
 */
export class ClusterAutoscaler extends Construct {
  /** The Helm release. */
  public readonly release: eks.HelmChart;
  /** The role the autoscaler runs with. */
  public readonly role: iam.Role;
  /** The image tag installed. */
  public readonly imageTag: string;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    checkPropTypes(this, 'ClusterAutoscalerProps', props);
    checkPattern(this, 'imageTag', props.imageTag, /^v1\.\d+\.\d+$/, 'a release tag', 'v1.36.1');
    checkDurationRange(this, 'scaleDownUnneededTime', props.scaleDownUnneededTime, Duration.minutes(1), Duration.hours(24));
    this.imageTag = props.imageTag ?? this.defaultImageTag(props.kubernetesVersion);
    const cluster = props.site.cluster;
    const stack = Stack.of(this);
    const { role, association } = serviceAccountRole(this, { role: 'Role', association: 'PodIdentity' }, {
      cluster,
      namespace: NAMESPACE,
      serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
      description: 'Cluster Autoscaler: resizes the managed node groups of its cluster',
      inlinePolicies: { ClusterAutoscaler: policy(stack, cluster.clusterName) },
    });
    this.role = role;
    acknowledgeWildcards(role, 'The autoscaler\'s Describe calls have no resource-level permissions; resizing is limited to Auto Scaling groups tagged with this cluster\'s name, and DescribeNodegroup to its node groups.',
      [wildcardResource(role, '*'), wildcardResource(role, autoScalingGroupArns(stack)), wildcardResource(role, nodegroupArns(stack, cluster.clusterName))]);

    this.release = cluster.addHelmChart('ClusterAutoscaler', {
      chart: 'cluster-autoscaler',
      repository: 'https://kubernetes.github.io/autoscaler',
      release: 'cluster-autoscaler',
      version: CHART_VERSION,
      namespace: NAMESPACE,
      timeout: Duration.minutes(10),
      values: {
        cloudProvider: 'aws',
        awsRegion: stack.region,
        autoDiscovery: { clusterName: cluster.clusterName },
        fullnameOverride: 'cluster-autoscaler',
        image: { repository: props.site.resolveImage(IMAGE), tag: this.imageTag },
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
        extraArgs: {
          'balance-similar-node-groups': true,
          'expander': 'least-waste',
          'scale-down-unneeded-time': `${(props.scaleDownUnneededTime ?? Duration.minutes(10)).toSeconds()}s`,
        },
        nodeSelector: props.nodeSelector,
        // The chart sets no security context: the upstream AWS example's, which Pod Security "restricted" admits.
        securityContext: { runAsNonRoot: true, runAsUser: 65534, runAsGroup: 65534, fsGroup: 65534, seccompProfile: { type: 'RuntimeDefault' } },
        containerSecurityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
        resources: { requests: { cpu: '100m', memory: '600Mi' }, limits: { memory: '600Mi' } },
      },
    });
    // The pod gets credentials only when created after the association.
    this.release.node.addDependency(association);
    props.site.markClusterAutoscalerInstalled();
  }

  private defaultImageTag(version: eks.KubernetesVersion): string {
    const minor = minorOf(version);
    const tag = minor === undefined ? undefined : IMAGE_TAG_BY_MINOR[minor];
    if (!tag) {
      throw new PropValidationError(this, 'imageTag', undefined, `has no default for Kubernetes ${version.version} (the autoscaler's minor must match the cluster's)`,
        'Give imageTag, e.g. "v1.37.0" for Kubernetes 1.37.');
    }
    return tag;
  }
}

function autoScalingGroupArns(stack: Stack): string {
  return `arn:${Aws.PARTITION}:autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/*`;
}

function nodegroupArns(stack: Stack, clusterName: string): string {
  return `arn:${Aws.PARTITION}:eks:${stack.region}:${stack.account}:nodegroup/${clusterName}/*/*`;
}

function policy(stack: Stack, clusterName: string): iam.PolicyDocument {
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({ actions: DESCRIBE_ACTIONS, resources: ['*'] }),
      // Managed node groups read through DescribeNodegroup give scale-from-zero their labels and taints.
      new iam.PolicyStatement({ actions: ['eks:DescribeNodegroup'], resources: [nodegroupArns(stack, clusterName)] }),
      // EKS tags the Auto Scaling groups of managed node groups with eks:cluster-name.
      new iam.PolicyStatement({
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: [autoScalingGroupArns(stack)],
        conditions: { StringEquals: { 'aws:ResourceTag/eks:cluster-name': clusterName } },
      }),
    ],
  });
}
