import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { IGpuCapacity, isMigPartitioned, offersShares, unitsPerGpu } from '../compute/gpu-capacity';
import { IDataLakeZone } from '../data/zone';
import { addTeamQueues, ensureResourceFlavors, flavorCapacities, KUEUE_MANAGED_NAMESPACE_LABEL, resourceFlavorName, TEAM_LOCAL_QUEUE } from '../k8s/kueue-queues';
import { siteNamespaceProps, WorkloadNamespace, workloadNamespaceChartId } from '../k8s/workload-namespace';
import { EksSite } from '../sites/eks-site';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { PropValidationError } from '../private/errors';
import { acknowledgeInlinePolicies, acknowledgeWildcards, wildcardResource } from '../private/nag-acknowledgements';
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

/** GPUs of one GPU capacity a team is guaranteed, on a site that runs Kueue. */
export interface TeamGpuQuota {
  /** A GPU node group or pool of the site (or the site's declared capacity), with node labels. */
  readonly capacity: IGpuCapacity;
  /**
   * GPUs of the capacity the team's queued work is guaranteed (Kueue nominal quota); MIG
   * instances on MIG-partitioned capacity (what pods request there as `nvidia.com/gpu`).
   */
  readonly gpus: number;
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
  /**
   * With Kueue on the site (`GpuCluster.addKueue()` or `kueueAvailable`): GPUs the team is
   * guaranteed per GPU capacity. The team's ClusterQueue lists every GPU capacity of the site;
   * where it has no quota, the team borrows what other teams leave unused (and gives it back
   * when they need it). Quotas of all teams on one capacity may not exceed its GPUs.
   * @default - no guaranteed GPUs: the team's queued work runs on borrowed GPUs only
   */
  readonly gpuQuotas?: TeamGpuQuota[];
}

/** Service account of a team's workloads that gets the team's lake grants. */
const TEAM_SERVICE_ACCOUNT = 'workloads';
/** Most flavors a ClusterQueue's resource group may list (the CRD's maxItems). */
const MAX_CLUSTER_QUEUE_FLAVORS = 64;
/** Teams of each site, for checks across teams (quotas sharing a capacity). */
const teamsOfSite = new WeakMap<IKubernetesSite, Team[]>();

/**
 * A team's place on a site: its namespace with the restricted baseline (Pod Security
 * "restricted", default-deny NetworkPolicies) and a GPU quota; on EKS, access entries that let
 * the team's roles edit (or view) only that namespace, and a Pod Identity role with the team's
 * lake grants for pods that run as the service account `workloads`.
 *
 * With Kueue on the site, the team also gets a ClusterQueue (its GPU quotas, in the cohort
 * `teams` where unused GPUs are lent) and the LocalQueue `gpu` in its namespace: Jobs, pod
 * groups and LeaderWorkerSets labelled `kueue.x-k8s.io/queue-name: gpu` are admitted whole,
 * when the quota has room for all their pods.
 *
 * Create the team after the site's GPU capacity and Kueue, and before services in its
 * namespace (they share the namespace's chart).
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
  /** The LocalQueue work of the team is sent to (label `kueue.x-k8s.io/queue-name`), with Kueue on the site. */
  public readonly localQueueName?: string;
  /** The team's ClusterQueue, with Kueue on the site. */
  public readonly clusterQueueName?: string;
  private readonly site: IKubernetesSite;
  private readonly quotas: ReadonlyMap<IGpuCapacity, number>;
  private readonly flavorCapacities: readonly IGpuCapacity[] = [];

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
    this.site = site;
    this.quotas = this.checkGpuQuotas(props);
    // Under the id services look for (ensureWorkloadNamespace): they find the team's namespace.
    this.chart = site.newChart(chartId);
    const queued = site.kueueAvailable && flavorCapacities(site).length > 0;
    new WorkloadNamespace(this.chart, 'Namespace', {
      ...siteNamespaceProps(site, props.namespace, props.maxGpus),
      labels: site.kueueAvailable ? { [KUEUE_MANAGED_NAMESPACE_LABEL]: 'true' } : undefined,
    });
    if (queued) {
      this.flavorCapacities = flavorCapacities(site);
      // Flavors first: a ClusterQueue whose flavors do not exist stays inactive.
      this.chart.node.addDependency(ensureResourceFlavors(site));
      addTeamQueues(this.chart, props.namespace, this.flavorCapacities.map((capacity) => {
        const nominalGpus = this.quotas.get(capacity) ?? 0;
        // The namespace's GPU ResourceQuota would reject pods admitted beyond maxGpus.
        const borrowingLimit = props.maxGpus === undefined ? undefined : Math.max(0, props.maxGpus - nominalGpus);
        return { flavor: resourceFlavorName(capacity), nominalGpus, borrowingLimit };
      }));
      this.localQueueName = TEAM_LOCAL_QUEUE;
      this.clusterQueueName = props.namespace;
    }
    teamsOfSite.set(site, [...teamsOfSite.get(site) ?? [], this]);
    this.node.addValidation({ validate: () => this.checkQueuesCurrent() });

    let association: Construct | undefined;
    if (site instanceof EksSite) {
      this.grantClusterAccess(site.cluster, 'Member', 'AmazonEKSEditPolicy', props.members ?? []);
      this.grantClusterAccess(site.cluster, 'Viewer', 'AmazonEKSViewPolicy', props.viewers ?? []);
      if ((props.dataAccess ?? []).length > 0) {
        const workload = serviceAccountRole(this, { role: 'WorkloadRole', association: 'WorkloadPodIdentity' }, {
          cluster: site.cluster, namespace: props.namespace, serviceAccount: TEAM_SERVICE_ACCOUNT,
          description: `Workloads of team namespace ${props.namespace}: its lake prefixes`,
        });
        const prefixes = (props.dataAccess ?? []).map((access, i) => {
          const prefix = normalizeKeyPrefix(this, `dataAccess[${i}].prefix`, access.prefix);
          access.zone.grantRead(workload.role, prefix);
          if (access.write) access.zone.grantWrite(workload.role, prefix);
          return { zone: access.zone, prefix };
        });
        acknowledgeInlinePolicies(workload.role);
        acknowledgeWildcards(workload.role, 'Access is limited to the objects under the team\'s own prefixes of the lake; the wildcard spans the team\'s files only.',
          prefixes.map(({ zone, prefix }) => wildcardResource(workload.role, `${zone.bucket.bucketArn}/${prefix}/*`)));
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

  /** The quotas by capacity, checked against the site. */
  private checkGpuQuotas(props: TeamProps): Map<IGpuCapacity, number> {
    const quotas = new Map<IGpuCapacity, number>();
    const given = props.gpuQuotas ?? [];
    if (given.length === 0) return quotas;
    const site = props.site;
    if (!site.kueueAvailable) {
      throw new PropValidationError(this, 'gpuQuotas', `${given.length} quota(s)`, `need Kueue, which site "${site.siteName}" does not run`,
        site instanceof EksSite ? 'Call gpuCluster.addKueue() before creating the Team.' : 'Install Kueue on the cluster (see KubernetesSiteOptions.kueueAvailable) and declare kueueAvailable: true on the site.');
    }
    given.forEach((quota, i) => {
      const capacity = quota.capacity;
      if (!site.gpuCapacities.includes(capacity)) {
        throw new PropValidationError(this, `gpuQuotas[${i}].capacity`, capacity.capacityName, `is not GPU capacity of site "${site.siteName}"`,
          'Give a node group or pool of the Team\'s site, created before the Team.');
      }
      if (offersShares(capacity)) {
        throw new PropValidationError(this, `gpuQuotas[${i}].capacity`, capacity.capacityName, 'is time-sliced: its shares are nvidia.com/gpu.shared, which the team queues do not cover',
          'Give quotas on capacity with whole GPUs.');
      }
      if (Object.keys(capacity.nodeSelector ?? {}).length === 0) {
        throw new PropValidationError(this, `gpuQuotas[${i}].capacity`, capacity.capacityName, 'has no node labels, so Kueue cannot place work on it',
          'Declare nodeLabels for the site\'s GPU capacity.');
      }
      if (quotas.has(capacity)) {
        throw new PropValidationError(this, `gpuQuotas[${i}].capacity`, capacity.capacityName, 'has a quota already', 'Give one quota per capacity.');
      }
      // On MIG-partitioned capacity a quota counts instances, what pods request as nvidia.com/gpu.
      checkInteger(this, `gpuQuotas[${i}].gpus`, quota.gpus, 0, capacity.maxGpus * unitsPerGpu(capacity));
      quotas.set(capacity, quota.gpus);
    });
    const total = [...quotas.values()].reduce((sum, gpus) => sum + gpus, 0);
    if (props.maxGpus !== undefined && total > props.maxGpus) {
      throw new PropValidationError(this, 'gpuQuotas', `${total} GPUs in total`, `exceed maxGpus (${props.maxGpus}): the namespace's quota would reject pods Kueue admitted`,
        'Lower the quotas or raise maxGpus.');
    }
    return quotas;
  }

  /** The queues still describe the site: Kueue and capacities did not arrive after the Team. */
  private checkQueuesCurrent(): string[] {
    const site = this.site;
    if (site.kueueAvailable && this.localQueueName === undefined && flavorCapacities(site).length > 0) {
      return [`Team ${this.namespace} was created before Kueue ran on site "${site.siteName}" (or before its GPU capacity), so it has no queue: call addKueue() and add the GPU node groups and pools before creating Teams.`];
    }
    if (this.localQueueName === undefined) return [];
    const errors: string[] = [];
    const late = flavorCapacities(site).filter((c) => !this.flavorCapacities.includes(c));
    if (late.length > 0) {
      errors.push(`GPU capacity ${late.map((c) => c.capacityName).join(', ')} was added to site "${site.siteName}" after Team ${this.namespace}, so no ClusterQueue or ResourceFlavor covers it: add GPU node groups and pools before creating Teams.`);
    }
    if (this.flavorCapacities.length > MAX_CLUSTER_QUEUE_FLAVORS) {
      errors.push(`Team ${this.namespace}'s ClusterQueue would list ${this.flavorCapacities.length} GPU capacities as flavors; Kueue allows ${MAX_CLUSTER_QUEUE_FLAVORS} per resource group: merge node pools.`);
    }
    const teams = teamsOfSite.get(site) ?? [];
    // Reported once, by the first team of the site.
    if (teams[0] === this) {
      for (const capacity of this.flavorCapacities) {
        const holders = teams.filter((t) => (t.quotas.get(capacity) ?? 0) > 0);
        const total = holders.reduce((sum, t) => sum + (t.quotas.get(capacity) ?? 0), 0);
        const offered = capacity.maxGpus * unitsPerGpu(capacity);
        if (total > offered) {
          errors.push(`GPU quotas on ${capacity.capacityName} add up to ${total} (${holders.map((t) => `${t.namespace}: ${t.quotas.get(capacity)}`).join(', ')}), more than its ${offered} ${isMigPartitioned(capacity) ? 'MIG instances' : 'GPUs'}: guaranteed quota must exist. Lower the Teams' gpuQuotas or raise the capacity's maximum.`);
        }
      }
    }
    return errors;
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
