import { Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { copyJson, renderPlaceholders } from './chart-rendering';
import { ChartDeliveryOptions, ModelReadScope, SitePlatform, WorkloadCredentials } from './kubernetes-site-interface';
import { DeclaredGpuCapacity, KubernetesSiteBase, KubernetesSiteOptions } from './site-base';
import type { MountpointS3 } from '../compute/mountpoint-s3';
import { PropValidationError } from '../private/errors';
import { checkPropTypes } from '../private/prop-types';

export interface EksSiteProps extends KubernetesSiteOptions {
  /**
   * The cluster; it must have a kubectl provider: `kubectlProviderOptions` on a cluster of this
   * app, or `kubectlProvider` / `kubectlProviderOptions` on one imported with
   * `eks.Cluster.fromClusterAttributes`.
   */
  readonly cluster: eks.ICluster;
  /**
   * GPU capacity the cluster offers this app's services, when the app does not create it (a
   * shared cluster): GPU workloads are checked against it at synth.
   * @default - none declared; capacity comes from the node groups and pools added to the site
   */
  readonly gpuCapacity?: DeclaredGpuCapacity;
  /**
   * Kubernetes version of the cluster, for features that need a minimum version (Dynamic
   * Resource Allocation needs 1.34). `GpuCluster` sets it.
   * @default - unknown: features that need a minimum version are refused
   */
  readonly kubernetesVersion?: eks.KubernetesVersion;
}

/**
 * An EKS cluster as a site (one of this app, or one imported with
 * `eks.Cluster.fromClusterAttributes` and a kubectl provider): each chart becomes a KubernetesManifest applied by the
 * cluster's kubectl provider, in the order charts depend on each other, and is also written to
 * `cdk.out/manifests/<siteName>/` for review (values known only at deploy time appear as
 * `${LogicalId}` / `${LogicalId.Attribute}` placeholders). Workloads get AWS credentials via
 * EKS Pod Identity.
 *
 * A manifest lives in the cluster's scope unless the chart's owner gives its own
 * (`addChart(chart, { scope })`), e.g. an InferenceService whose Pod Identity association must
 * exist before its pods: then the manifest is created there, in the owner's stack, and a chart
 * that depends on it follows it into that scope (a manifest in the cluster's stack waiting for
 * one in a later stack would be a dependency cycle).
 */
export class EksSite extends KubernetesSiteBase {
  public readonly platform = SitePlatform.EKS;
  public readonly workloadCredentials = WorkloadCredentials.EKS_POD_IDENTITY;
  /** EKS workloads use Pod Identity: none of the IAM Roles Anywhere settings apply. */
  public readonly rolesAnywhereRole?: iam.IRole;
  public readonly rolesAnywhereSecretName?: string;
  public readonly rolesAnywhereHelperImage?: string;
  public readonly rolesAnywhereModelReadScope?: ModelReadScope;
  public readonly cluster: eks.ICluster;
  /** Kubernetes version of the cluster, when known. */
  public readonly kubernetesVersion?: eks.KubernetesVersion;
  private readonly manifests = new Map<Chart, eks.KubernetesManifest>();
  /** Cluster components (e.g. the KEDA Helm release) that every later chart waits for. */
  private readonly prerequisites: Construct[] = [];
  private _mountpointS3?: MountpointS3;
  private _clusterAutoscalerInstalled = false;
  private _kueuePodsReadyTimeout?: Duration;

  constructor(scope: Construct, id: string, props: EksSiteProps) {
    super(scope, id, props);
    checkPropTypes(this, 'EksSiteProps', props);
    this.cluster = props.cluster;
    this.kubernetesVersion = props.kubernetesVersion;
    if (!props.cluster.kubectlProvider) {
      throw new PropValidationError(this, 'cluster', props.cluster.node.path, 'has no kubectl provider, so charts cannot be applied',
        'Create the cluster with kubectlProviderOptions, or import it with kubectlProvider (KubectlProvider.fromKubectlProviderAttributes) or kubectlProviderOptions.');
    }
    if (props.gpuCapacity) this.declareGpuCapacity(props.gpuCapacity);
  }

  /** The KubernetesManifest that applies a chart delivered to this site. */
  public manifestOf(chart: Chart): eks.KubernetesManifest | undefined {
    return this.manifests.get(chart);
  }

  /**
   * Records that KEDA runs on the cluster, installed by `installation`; charts delivered from
   * now on (which may hold ScaledObjects) are applied after it.
   */
  public markKedaInstalled(installation: Construct): void {
    this._kedaAvailable = true;
    this.markPrerequisite(installation);
  }

  /**
   * Records that the KEDA HTTP add-on runs on the cluster, installed by `installation`; charts
   * delivered from now on (which may hold InterceptorRoutes) are applied after it.
   */
  public markKedaHttpAddOnInstalled(installation: Construct): void {
    this._kedaHttpAddOnAvailable = true;
    this.markPrerequisite(installation);
  }

  /** The Mountpoint for Amazon S3 CSI driver, once `GpuCluster.addMountpointS3()` installed it. */
  public get mountpointS3(): MountpointS3 | undefined {
    return this._mountpointS3;
  }

  /**
   * Records that the Mountpoint for Amazon S3 CSI driver runs on the cluster: models can be
   * mounted, and charts delivered from now on are applied after the add-on.
   */
  public useMountpointS3(driver: MountpointS3): void {
    this._mountpointS3 = driver;
    this.markPrerequisite(driver.addon);
  }

  /**
   * Records that Kueue runs on the cluster, installed by `installation`; charts delivered from
   * now on (which may hold queues, and whose objects pass Kueue's webhooks) are applied after it.
   */
  public markKueueInstalled(installation: Construct, podsReadyTimeout?: Duration): void {
    this._kueueAvailable = true;
    this._kueuePodsReadyTimeout = podsReadyTimeout;
    this.markPrerequisite(installation);
  }

  /** How long Kueue lets an admitted workload take to get all its pods ready, when the app installed Kueue. */
  public get kueuePodsReadyTimeout(): Duration | undefined {
    return this._kueuePodsReadyTimeout;
  }

  /** Whether the Cluster Autoscaler resizes the cluster's managed node groups (`GpuCluster.addClusterAutoscaler()`). */
  public get clusterAutoscalerInstalled(): boolean {
    return this._clusterAutoscalerInstalled;
  }

  /** Records that the Cluster Autoscaler resizes the cluster's managed node groups. */
  public markClusterAutoscalerInstalled(): void {
    this._clusterAutoscalerInstalled = true;
  }

  /**
   * Records that LeaderWorkerSet runs on the cluster, installed by `installation`; charts
   * delivered from now on (which may hold LeaderWorkerSets, whose webhooks fail closed) are
   * applied after it.
   */
  public markLeaderWorkerSetInstalled(installation: Construct): void {
    this._leaderWorkerSetAvailable = true;
    this.markPrerequisite(installation);
  }

  /**
   * Records a cluster component every chart delivered from now on waits for, e.g. a controller
   * whose admission webhooks must answer before the objects it validates are created.
   */
  public markPrerequisite(installation: Construct): void {
    this.prerequisites.push(installation);
  }

  /**
   * Records the Prometheus-compatible query API KEDA queries; `awsRegion` when it is Amazon
   * Managed Prometheus (queries are SigV4-signed).
   */
  public usePrometheusQueryUrl(url: string, awsRegion?: string): void {
    this._prometheusQueryUrl = url;
    this._prometheusAwsRegion = awsRegion;
  }

  protected deliver(chart: Chart, options: ChartDeliveryOptions): void {
    // Apply in dependency order: a chart that depends on another (namespace before workload,
    // CRDs before custom resources) waits for its manifest.
    const upstream = chart.node.dependencies
      .map((d) => (d instanceof Chart ? this.manifests.get(d) : undefined))
      .filter((m): m is eks.KubernetesManifest => m !== undefined);
    const clusterStack = Stack.of(this.cluster);
    const owned = upstream.filter((m) => Stack.of(m) !== clusterStack).pop();
    const scope = options.scope ?? owned?.node.scope as Construct | undefined ?? this.cluster;
    // The same id (and so logical id) as cluster.addCdk8sChart gives; the kubectl provider
    // writes prune labels into the objects it is given, so it gets a copy.
    const manifest = new eks.KubernetesManifest(scope, `${this.siteName}-${chart.node.id}`, {
      cluster: this.cluster,
      manifest: copyJson(this.renderedObjects(chart)),
    });
    this.manifests.set(chart, manifest);
    for (const prerequisite of this.prerequisites) manifest.node.addDependency(prerequisite);
    for (const dependency of upstream) manifest.node.addDependency(dependency);
    for (const dependency of options.dependencies ?? []) manifest.node.addDependency(dependency);
  }

  /** The review copy: CloudFormation references as placeholders named after logical ids. */
  protected fileObjects(chart: Chart): unknown[] {
    const manifest = this.manifests.get(chart)!;
    return renderPlaceholders(Stack.of(manifest).resolve(this.renderedObjects(chart))) as unknown[];
  }
}
