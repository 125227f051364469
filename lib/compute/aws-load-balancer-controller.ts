/**
 * The AWS Load Balancer Controller on a managed-node-group cluster: Services of type
 * LoadBalancer become network load balancers and Ingresses application load balancers, with
 * TLS from ACM. Auto Mode clusters do not need it (Auto Mode runs its own load balancing).
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AWS_LOAD_BALANCER_CONTROLLER_POLICY } from './aws-load-balancer-controller-policy';
import { installGatewayApiCrds } from './gateway-api';
import { EksSite } from '../sites/eks-site';
import { acknowledgeWildcards, wildcardResource } from '../private/nag-acknowledgements';
import { serviceAccountRole } from '../private/pod-identity';
import { checkPropTypes } from '../private/prop-types';

/**
 * Chart version of the controller (aws/eks-charts `aws-load-balancer-controller`; from v3 the
 * chart version equals the controller version). v3.5.0 was released 2026-08-03.
 */
export const AWS_LOAD_BALANCER_CONTROLLER_VERSION = '3.5.0';
/** Namespace and service account the controller runs as (the upstream install's names). */
export const AWS_LOAD_BALANCER_CONTROLLER_NAMESPACE = 'kube-system';
export const AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = 'aws-load-balancer-controller';
/** Load balancer class the controller serves (network load balancers). */
export const AWS_LOAD_BALANCER_CONTROLLER_CLASS = 'service.k8s.aws/nlb';

export interface AwsLoadBalancerControllerOptions {
  /** @default "3.5.0" */
  readonly version?: string;
  /** @default 2 (one replica may be lost; the webhooks stay available) */
  readonly replicas?: number;
  /**
   * Kubernetes Gateway API: installs the standard-channel CRDs of Gateway API v1.6.0 (the
   * version controller v3.5.0 is built for) before the controller, which enables its ALB
   * Gateway implementation only when it finds them at start, and adds the GatewayClass
   * `internal-alb`. Services can then be exposed with `ServiceExposure.gatewayWithCertificate`.
   * @default false
   */
  readonly gatewayApi?: boolean;
}

export interface AwsLoadBalancerControllerProps extends AwsLoadBalancerControllerOptions {
  readonly site: EksSite;
}

/**
 * The controller installed with Helm through the cluster's kubectl provider, its IAM policy
 * (upstream, narrowed to the stack's account and region) on a role it assumes through EKS Pod
 * Identity, and the association created before the release, so its first reconcile already
 * has credentials. Region and VPC are given explicitly: pods on nodes with IMDSv2 hop limit 1
 * (the library's default) or on hybrid nodes cannot discover them.
 *
 * The chart's own IngressClass and Service mutating webhook are off: the site's IngressClass
 * (`internal-alb`) comes from the library, and Services opt in by their loadBalancerClass
 * rather than being taken over silently.
 */
export class AwsLoadBalancerController extends Construct {
  public readonly release: eks.HelmChart;
  public readonly role: iam.Role;
  /** The Gateway API CRD release, with `gatewayApi`. */
  public readonly gatewayApiCrds?: eks.HelmChart;

  constructor(scope: Construct, id: string, props: AwsLoadBalancerControllerProps) {
    super(scope, id);
    checkPropTypes(this, 'AwsLoadBalancerControllerProps', props);
    const cluster = props.site.cluster;
    const stack = Stack.of(this);
    const { role, association } = serviceAccountRole(this, { role: 'Role', association: 'PodIdentity' }, {
      cluster,
      namespace: AWS_LOAD_BALANCER_CONTROLLER_NAMESPACE,
      serviceAccount: AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
      description: 'AWS Load Balancer Controller: manages the load balancers of Services and Ingresses',
      inlinePolicies: { AwsLoadBalancerController: controllerPolicy(stack) },
    });
    this.role = role;
    this.release = cluster.addHelmChart('AwsLoadBalancerController', {
      chart: 'aws-load-balancer-controller',
      repository: 'https://aws.github.io/eks-charts',
      release: 'aws-load-balancer-controller',
      version: props.version ?? AWS_LOAD_BALANCER_CONTROLLER_VERSION,
      namespace: AWS_LOAD_BALANCER_CONTROLLER_NAMESPACE,
      // The release completes once the controller runs: its validating webhook for Ingresses
      // fails closed, so an Ingress applied before it answers is rejected.
      wait: true,
      timeout: Duration.minutes(15),
      values: {
        clusterName: cluster.clusterName,
        region: stack.region,
        vpcId: cluster.vpc.vpcId,
        replicaCount: props.replicas ?? 2,
        serviceAccount: { create: true, name: AWS_LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT },
        createIngressClassResource: false,
        enableServiceMutatorWebhook: false,
      },
    });
    this.release.node.addDependency(association, this.role);
    if (props.gatewayApi) {
      this.gatewayApiCrds = installGatewayApiCrds(this, cluster);
      // The controller looks for the Gateway API kinds once, at start.
      this.release.node.addDependency(this.gatewayApiCrds);
    }
    acknowledgeWildcards(this.role,
      'The controller\'s upstream policy: Describe/Get actions have no resource-level permissions, load balancers and target groups are created by the controller (names unknown), and mutations of existing ones are conditioned on the elbv2.k8s.aws/cluster tag the controller sets.',
      policyResources(stack).map((arn) => wildcardResource(this.role, arn)));
  }
}

/** ARNs of the upstream policy, narrowed from any account and region to the stack's. */
function narrow(stack: Stack, resource: string): string {
  return resource.replace(/^arn:aws:([a-z0-9-]+):\*:\*:/, `arn:${Aws.PARTITION}:$1:${stack.region}:${stack.account}:`);
}

function controllerPolicy(stack: Stack): iam.PolicyDocument {
  const statements = AWS_LOAD_BALANCER_CONTROLLER_POLICY.Statement.map((statement) => ({
    ...statement,
    Resource: Array.isArray(statement.Resource) ? statement.Resource.map((r: string) => narrow(stack, r)) : narrow(stack, statement.Resource as string),
  }));
  return iam.PolicyDocument.fromJson({ Version: AWS_LOAD_BALANCER_CONTROLLER_POLICY.Version, Statement: statements });
}

function policyResources(stack: Stack): string[] {
  const resources = AWS_LOAD_BALANCER_CONTROLLER_POLICY.Statement.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource as string]));
  return [...new Set(resources.filter((r: string) => r.includes('*')).map((r: string) => narrow(stack, r)))];
}
