import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { SitePlatform, WorkloadCredentials } from './kubernetes-site-interface';
import { KubernetesSiteBase, KubernetesSiteOptions } from './site-base';

export interface EksSiteProps extends KubernetesSiteOptions {
  /** The cluster; it must have a kubectl provider (`kubectlProviderOptions`). */
  readonly cluster: eks.Cluster;
}

/**
 * An EKS cluster of this app as a site: each chart becomes a KubernetesManifest applied by the
 * cluster's kubectl provider, in the order charts depend on each other, and is also written to
 * `cdk.out/manifests/<siteName>/` for review. Workloads get AWS credentials via EKS Pod Identity.
 */
export class EksSite extends KubernetesSiteBase {
  public readonly platform = SitePlatform.EKS;
  public readonly workloadCredentials = WorkloadCredentials.EKS_POD_IDENTITY;
  public readonly cluster: eks.Cluster;
  private readonly manifests = new Map<Chart, eks.KubernetesManifest>();
  /** Cluster components (e.g. the KEDA Helm release) that every later chart waits for. */
  private readonly prerequisites: Construct[] = [];

  constructor(scope: Construct, id: string, props: EksSiteProps) {
    super(scope, id, props);
    this.cluster = props.cluster;
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

  protected deliver(chart: Chart): void {
    const manifest = this.cluster.addCdk8sChart(`${this.siteName}-${chart.node.id}`, chart);
    this.manifests.set(chart, manifest);
    for (const prerequisite of this.prerequisites) manifest.node.addDependency(prerequisite);
    // Apply in dependency order: a chart that depends on another (namespace before workload,
    // CRDs before custom resources) waits for its manifest.
    for (const dependency of chart.node.dependencies) {
      const upstream = dependency instanceof Chart ? this.manifests.get(dependency) : undefined;
      if (upstream) manifest.node.addDependency(upstream);
    }
  }
}
