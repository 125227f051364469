/**
 * EKS service quotas the library checks at synth (Amazon EKS endpoints and quotas, 2026):
 * beyond them, CreateNodegroup fails at deploy, after the stacks before it have deployed. Both
 * are adjustable through Service Quotas: declare a raised quota on the cluster
 * (`GpuClusterProps.eksQuotas`) and the check follows it.
 */
import { Token } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { IConstruct } from 'constructs';
import { checkInteger } from '../private/validation';

/** "Managed node groups per cluster": 30 by default. */
export const EKS_DEFAULT_MANAGED_NODE_GROUPS_PER_CLUSTER = 30;
/** "Nodes per managed node group": 450 by default. */
export const EKS_DEFAULT_NODES_PER_MANAGED_NODE_GROUP = 450;

/** The account's EKS quotas, when raised above the defaults. */
export interface EksQuotas {
  /** @default 30 */
  readonly managedNodeGroupsPerCluster?: number;
  /** @default 450 */
  readonly nodesPerManagedNodeGroup?: number;
}

/** The quotas with defaults filled in, validated. */
export function resolveEksQuotas(scope: IConstruct, quotas: EksQuotas = {}): Required<EksQuotas> {
  checkInteger(scope, 'eksQuotas.managedNodeGroupsPerCluster', quotas.managedNodeGroupsPerCluster, 1);
  checkInteger(scope, 'eksQuotas.nodesPerManagedNodeGroup', quotas.nodesPerManagedNodeGroup, 1);
  return {
    managedNodeGroupsPerCluster: quotas.managedNodeGroupsPerCluster ?? EKS_DEFAULT_MANAGED_NODE_GROUPS_PER_CLUSTER,
    nodesPerManagedNodeGroup: quotas.nodesPerManagedNodeGroup ?? EKS_DEFAULT_NODES_PER_MANAGED_NODE_GROUP,
  };
}

/** Errors for the cluster's managed node groups beyond the quotas (every node group of the app on this cluster). */
export function checkNodeGroupQuotas(scope: IConstruct, cluster: eks.ICluster, quotas: Required<EksQuotas>): string[] {
  const groups = scope.node.root.node.findAll().filter((c): c is eks.Nodegroup => c instanceof eks.Nodegroup && c.cluster === cluster);
  const errors: string[] = [];
  if (groups.length > quotas.managedNodeGroupsPerCluster) {
    errors.push(`the cluster has ${groups.length} managed node groups, more than the EKS quota of ${quotas.managedNodeGroupsPerCluster} per cluster: CreateNodegroup would fail at deploy. Put more instance types in fewer node groups, use node pools (Auto Mode / Karpenter), or raise the quota in Service Quotas and declare it (eksQuotas.managedNodeGroupsPerCluster).`);
  }
  for (const group of groups) {
    const scaling = (group.node.defaultChild as eks.CfnNodegroup).scalingConfig as eks.CfnNodegroup.ScalingConfigProperty | undefined;
    const maxSize = scaling?.maxSize;
    if (typeof maxSize === 'number' && !Token.isUnresolved(maxSize) && maxSize > quotas.nodesPerManagedNodeGroup) {
      errors.push(`node group ${group.node.path} has maxSize ${maxSize}, more than the EKS quota of ${quotas.nodesPerManagedNodeGroup} nodes per managed node group. Lower maxSize, spread the capacity over several node groups or larger instances, or raise the quota in Service Quotas and declare it (eksQuotas.nodesPerManagedNodeGroup).`);
    }
  }
  return errors;
}
