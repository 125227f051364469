/**
 * Roles for Kubernetes service accounts through EKS Pod Identity: the trust every such role
 * needs, and the association that lets one service account assume it.
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** The principal the Pod Identity agent assumes roles as (it tags the session, so TagSession too). */
export function podIdentityPrincipal(): iam.IPrincipal {
  return new iam.ServicePrincipal('pods.eks.amazonaws.com').withSessionTags();
}

export interface ServiceAccountRoleProps {
  readonly cluster: eks.ICluster;
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly description: string;
  /** @default - none: grant to the role afterwards */
  readonly inlinePolicies?: Record<string, iam.PolicyDocument>;
}

/**
 * A role for one service account and its Pod Identity association, with the construct ids the
 * caller names (they are logical ids: keep them stable). Pods of the service account get
 * credentials only when created after the association: order their manifest or release after it.
 */
export function serviceAccountRole(scope: Construct, ids: { role: string; association: string }, props: ServiceAccountRoleProps):
{ role: iam.Role; association: eks.CfnPodIdentityAssociation } {
  const role = new iam.Role(scope, ids.role, { assumedBy: podIdentityPrincipal(), description: props.description, inlinePolicies: props.inlinePolicies });
  const association = new eks.CfnPodIdentityAssociation(scope, ids.association, {
    clusterName: props.cluster.clusterName,
    namespace: props.namespace,
    serviceAccount: props.serviceAccount,
    roleArn: role.roleArn,
  });
  return { role, association };
}
