import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { IDataLakeZone } from '../data/zone';
import { siteNamespaceProps, WorkloadNamespace, workloadNamespaceChartId } from '../k8s/workload-namespace';
import { EksSite } from '../sites/eks-site';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { PropValidationError } from '../private/errors';
import { serviceAccountRole } from '../private/pod-identity';
import { checkPropTypes } from '../private/prop-types';
import { checkInteger, checkWorkloadNamespace, normalizeKeyPrefix } from '../private/validation';

/** Lake data a team's workloads may use. */
export interface TeamDataAccess {
  /** The zone, e.g. `lake.zone('features')`. */
  readonly zone: IDataLakeZone;
  /** Key prefix of the team's data in the zone, e.g. `fraud-team/`. */
  readonly prefix: string;
  /**
   * Whether the workloads may also write (and overwrite) objects under the prefix.
   * @default false
   */
  readonly write?: boolean;
}

export interface TeamProps {
  /** Where the team works: a GpuCluster's site or another EKS site (access entries need EKS). */
  readonly site: IKubernetesSite;
  /** The team's namespace (DNS label); it gets the restricted baseline of WorkloadNamespace. */
  readonly namespace: string;
  /**
   * IAM roles of the people (or CI) who deploy into the namespace: an EKS access entry with
   * `AmazonEKSEditPolicy` scoped to the namespace, and `eks:DescribeCluster` to get a kubeconfig.
   * @default - none
   */
  readonly members?: iam.IRole[];
  /**
   * IAM roles that may read the namespace: `AmazonEKSViewPolicy` scoped to it.
   * @default - none
   */
  readonly viewers?: iam.IRole[];
  /**
   * GPUs all pods of the namespace may request together (a ResourceQuota).
   * @default - no quota: the namespace may use every GPU of the site
   */
  readonly maxGpus?: number;
  /**
   * Lake prefixes the team's workloads read (and write, where asked), through the service
   * account `workloads` of the namespace (EKS Pod Identity).
   * @default - none: no role, no service account
   */
  readonly dataAccess?: TeamDataAccess[];
}

/** Service account of a team's workloads that gets the team's lake grants. */
const TEAM_SERVICE_ACCOUNT = 'workloads';

/**
 * A team's place on a site: its namespace with the restricted baseline (Pod Security
 * "restricted", default-deny NetworkPolicies) and a GPU quota; on EKS, access entries that let
 * the team's roles edit (or view) only that namespace, and a Pod Identity role with the team's
 * lake grants for pods that run as the service account `workloads`.
 *
 * Create the team before services in its namespace: they share the namespace's chart.
 */
export class Team extends Construct {
  /** The team's namespace. */
  public readonly namespace: string;
  /** The chart of the namespace (delivered to the site). */
  public readonly chart: Chart;
  /** Service account whose pods get `workloadRole` (only with `dataAccess`). */
  public readonly serviceAccountName?: string;
  /** The role of the team's workloads (only with `dataAccess`). */
  public readonly workloadRole?: iam.IRole;

  constructor(scope: Construct, id: string, props: TeamProps) {
    super(scope, id);
    checkPropTypes(this, 'TeamProps', props);
    checkWorkloadNamespace(this, 'namespace', props.namespace);
    checkInteger(this, 'maxGpus', props.maxGpus, 0);
    const site = props.site;
    const needsEks = [...props.members ?? [], ...props.viewers ?? []].length > 0 || (props.dataAccess ?? []).length > 0;
    if (needsEks && !(site instanceof EksSite)) {
      throw new PropValidationError(this, 'site', site.siteName, 'is not an EKS site, so it has no access entries or Pod Identity for members, viewers and dataAccess',
        'Give those on a GpuCluster\'s site (or an EksSite); on other clusters, bind your own RBAC and credentials to the namespace.');
    }
    const chartId = workloadNamespaceChartId(props.namespace);
    if (site.charts.some((c) => c.node.id === chartId)) {
      throw new PropValidationError(this, 'namespace', props.namespace, `already has its chart on site "${site.siteName}" (a service or another team created it first)`,
        'Create the Team before the InferenceServices of its namespace, and one Team per namespace.');
    }
    this.namespace = props.namespace;
    // Under the id services look for (ensureWorkloadNamespace): they find the team's namespace.
    this.chart = site.newChart(chartId);
    new WorkloadNamespace(this.chart, 'Namespace', siteNamespaceProps(site, props.namespace, props.maxGpus));

    let association: Construct | undefined;
    if (site instanceof EksSite) {
      this.grantClusterAccess(site.cluster, 'Member', 'AmazonEKSEditPolicy', props.members ?? []);
      this.grantClusterAccess(site.cluster, 'Viewer', 'AmazonEKSViewPolicy', props.viewers ?? []);
      if ((props.dataAccess ?? []).length > 0) {
        const workload = serviceAccountRole(this, { role: 'WorkloadRole', association: 'WorkloadPodIdentity' }, {
          cluster: site.cluster, namespace: props.namespace, serviceAccount: TEAM_SERVICE_ACCOUNT,
          description: `Workloads of team namespace ${props.namespace}: its lake prefixes`,
        });
        (props.dataAccess ?? []).forEach((access, i) => {
          const prefix = normalizeKeyPrefix(this, `dataAccess[${i}].prefix`, access.prefix);
          access.zone.grantRead(workload.role, prefix);
          if (access.write) access.zone.grantWrite(workload.role, prefix);
        });
        new k8s.KubeServiceAccount(this.chart, 'WorkloadsServiceAccount', { metadata: { name: TEAM_SERVICE_ACCOUNT, namespace: props.namespace } });
        this.serviceAccountName = TEAM_SERVICE_ACCOUNT;
        this.workloadRole = workload.role;
        association = workload.association;
      }
    }
    // In the team's own scope (its stack), after the association: pods the team starts as
    // `workloads` get credentials only when created after it.
    site.addChart(this.chart, { scope: this, dependencies: association ? [association] : [] });
  }

  private grantClusterAccess(cluster: eks.ICluster, kind: string, policyName: string, roles: iam.IRole[]): void {
    const policy = eks.AccessPolicy.fromAccessPolicyName(policyName, { accessScopeType: eks.AccessScopeType.NAMESPACE, namespaces: [this.namespace] });
    roles.forEach((role, i) => {
      if (cluster instanceof eks.Cluster) {
        // One access entry per principal: the cluster adds the policy to an entry the role already has.
        cluster.grantAccess(`${this.node.id}${kind}${i}`, role.roleArn, [policy]);
      } else {
        new eks.AccessEntry(this, `${kind}${i}`, { cluster, principal: role.roleArn, accessPolicies: [policy] });
      }
      iam.Grant.addToPrincipal({ grantee: role, actions: ['eks:DescribeCluster'], resourceArns: [cluster.clusterArn] });
    });
  }
}
