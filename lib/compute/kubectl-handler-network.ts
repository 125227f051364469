import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';

/** Port of the Kubernetes API endpoint and of every AWS API and Helm chart repository the handler calls. */
export const HTTPS_PORT = 443;

export interface KubectlHandlerNetworkProps {
  readonly vpc: ec2.IVpc;
}

/**
 * A dedicated security group for the kubectl provider's Lambda functions, instead of the
 * cluster security group (which admits every port among all nodes and pods). The handler only
 * speaks HTTPS: to the cluster's private endpoint (`kubectl`, `helm`), to the EKS and STS APIs
 * (`aws eks update-kubeconfig`), and to Helm chart repositories (public HTTPS, ECR and S3 for
 * OCI charts), so egress is TCP 443 alone. DNS needs no rule: security groups do not filter
 * traffic to the VPC's Amazon-provided DNS server.
 */
export class KubectlHandlerNetwork extends Construct {
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: KubectlHandlerNetworkProps) {
    super(scope, id);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'kubectl provider handler: HTTPS to the cluster endpoint, AWS APIs and chart repositories',
      allowAllOutbound: false,
    });
    // AWS APIs and chart repositories have no fixed addresses: HTTPS to any destination.
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(HTTPS_PORT), 'HTTPS to the cluster endpoint, AWS APIs and chart repositories');
  }

  /** Lets the handler reach the cluster's API endpoint, whose network interfaces carry the cluster security group. */
  public allowToClusterEndpoint(cluster: eks.Cluster): void {
    cluster.clusterSecurityGroup.addIngressRule(this.securityGroup, ec2.Port.tcp(HTTPS_PORT), 'kubectl provider handler to the Kubernetes API');
  }
}
