import * as fs from 'fs';
import * as path from 'path';
import { attachCustomSynthesis, Size, SizeRoundingBehavior, Stage } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { App as Cdk8sApp, Chart, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { IGpuCapacity, MAX_TIME_SLICING_REPLICAS } from '../compute/gpu-capacity';
import { KubernetesJson, renderChart } from './chart-rendering';
import { applyManifestPatches, checkManifestPatches, ManifestPatch } from './manifest-patch';
import { ChartDeliveryOptions, IKubernetesSite, ModelReadScope, NodeTaint, NodeTaintEffect, SitePlatform, WorkloadCredentials } from './kubernetes-site-interface';
import { PropValidationError } from '../private/errors';
import { checkDnsLabel, checkImageReference, checkInteger, checkLabelKey, checkLabels, checkLabelValue, checkMigPartitions, checkRegistryMirror } from '../private/validation';

/** Folder under the cloud assembly where every site's manifests are written. */
export const MANIFESTS_DIR = 'manifests';
/** Extension of a written chart: `<chart>.k8s.yaml`, as cdk8s names its output. */
export const MANIFEST_EXTENSION = '.k8s.yaml';

/** Label GPU nodes carry (set by node groups, and by NVIDIA GPU feature discovery elsewhere). */
export const GPU_PRESENT_LABEL = 'nvidia.com/gpu.present';
/** The extended resource and taint key of NVIDIA GPUs. */
export const NVIDIA_GPU_RESOURCE = 'nvidia.com/gpu';
/** The GPU taint every GPU node of the library carries. */
export const DEFAULT_GPU_TAINT: NodeTaint = { key: NVIDIA_GPU_RESOURCE, value: 'true', effect: NodeTaintEffect.NO_SCHEDULE };

/** AWS CLI image that copies model files from S3 into a pod (pinned; override per site). */
export const DEFAULT_MODEL_DOWNLOADER_IMAGE = 'public.ecr.aws/aws-cli/aws-cli:2.36.15';

/** GPU capacity of a site as its operators declare it (a cluster outside AWS, or a shared EKS cluster). */
export interface DeclaredGpuCapacity {
  /** Whole GPUs on the largest GPU node. */
  readonly gpusPerNode: number;
  /** Whole GPUs across all GPU nodes. */
  readonly totalGpus: number;
  /** GPU model of the nodes, as AWS names it (e.g. `L40S`, `H100`). @default - unknown: matches no model requirement */
  readonly gpuModel?: string;
  /** Memory of one GPU. @default - unknown: matches no memory requirement */
  readonly gpuMemory?: Size;
  /**
   * Labels of the GPU nodes that pin workloads to them (e.g. NVIDIA GPU feature discovery's
   * `nvidia.com/gpu.product`). @default - none: workloads with GPU requirements cannot be pinned here
   */
  readonly nodeLabels?: Record<string, string>;
  /**
   * Shares per GPU, when the operators run the NVIDIA device plugin with time-slicing and
   * `renameByDefault: true` (pods request `nvidia.com/gpu.shared`). @default - whole GPUs
   */
  readonly timeSlicing?: number;
  /**
   * MIG instances per GPU, when the nodes' GPUs are partitioned with Multi-Instance GPU under
   * the MIG single strategy (e.g. the GPU Operator's `mig.strategy=single`, which advertises
   * each instance as `nvidia.com/gpu`): `gpuMemory` is then an instance's memory, a replica
   * uses one instance, and quotas count instances.
   * @default - whole GPUs
   */
  readonly migPartitions?: number;
  /**
   * Elastic Fabric Adapter devices each GPU node advertises as `vpc.amazonaws.com/efa` (the
   * EFA device plugin runs there), for models served across nodes with `efa`. @default - none
   */
  readonly efaDevicesPerNode?: number;
  /**
   * Whether the GPUs are allocated with Dynamic Resource Allocation: the operators run the
   * NVIDIA DRA driver with GPU allocation on (its `gpu.nvidia.com` DeviceClass) and no device
   * plugin on these nodes, on Kubernetes 1.34 or later. Services claim whole GPUs with a
   * ResourceClaimTemplate instead of requesting `nvidia.com/gpu`.
   * @default false
   */
  readonly dynamicResourceAllocation?: boolean;
}

/** What every site declares about itself. */
export interface KubernetesSiteOptions {
  /**
   * DNS-1123 name of the site; manifests go to `cdk.out/manifests/<siteName>/`.
   * @default - the construct id, lowercased
   */
  readonly siteName?: string;
  /** @default - `{ 'nvidia.com/gpu.present': 'true' }` */
  readonly gpuNodeLabels?: Record<string, string>;
  /** @default - `[nvidia.com/gpu=true:NoSchedule]` */
  readonly gpuNodeTaints?: NodeTaint[];
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** @default - the cluster's default load balancer implementation */
  readonly loadBalancerClass?: string;
  /** @default - no ingress class: ingress is unavailable on the site */
  readonly ingressClassName?: string;
  /**
   * GatewayClass of a Gateway API (v1, standard channel) implementation on the cluster, for
   * `ServiceExposure.gateway` (a Secret with the certificate) or, where it provisions AWS load
   * balancers, `gatewayWithCertificate`.
   * @default - no gateway class: Gateway exposure is unavailable on the site
   */
  readonly gatewayClassName?: string;
  /**
   * Whether the site's load balancer and ingress classes provision AWS load balancers (AWS Load
   * Balancer Controller or EKS Auto Mode), so TLS comes from ACM certificates
   * (`ServiceExposure.ingressWithCertificate`, `internalLoadBalancerWithTls`), not Secrets.
   * @default false; GpuCluster sets it with Auto Mode or `awsLoadBalancerController`
   */
  readonly awsLoadBalancers?: boolean;
  /** @default - images are pulled from their own registries */
  readonly imageRegistryMirror?: string;
  /** @default false */
  readonly kedaAvailable?: boolean;
  /**
   * The KEDA HTTP add-on (>= 0.14, with InterceptorRoute) runs in namespace `keda`, installed
   * by its Helm chart `keda-add-ons-http`. @default false
   */
  readonly kedaHttpAddOnAvailable?: boolean;
  /**
   * Kueue (>= 0.15) runs on the cluster, configured with `managedJobsNamespaceSelector`
   * matching the label `cdk-scalable-ai.io/kueue-managed: "true"` and
   * `resources.quotaCheckStrategy: IgnoreUndeclared` (as `GpuCluster.addKueue()` installs it):
   * Teams then get a ClusterQueue and a LocalQueue.
   * @default false
   */
  readonly kueueAvailable?: boolean;
  /**
   * LeaderWorkerSet (>= 0.7, API `leaderworkerset.x-k8s.io/v1`) runs on the cluster, as
   * `GpuCluster.addLeaderWorkerSet()` installs it: services may then span several nodes per
   * replica (`InferenceService` `multiNode`).
   * @default false
   */
  readonly leaderWorkerSetAvailable?: boolean;
  /**
   * The Gateway API Inference Extension's InferencePool (`inference.networking.k8s.io/v1`, GAIE
   * >= 1.0) is installed and the site's `gatewayClassName` routes to InferencePools (Istio >= 1.28
   * with `ENABLE_GATEWAY_API_INFERENCE_EXTENSION`, agentgateway or kgateway with
   * `inferenceExtension.enabled`, NGINX Gateway Fabric, GKE): services may then use an endpoint
   * picker for prefix-cache-aware routing (`InferenceService` `endpointPicker`).
   * @default false
   */
  readonly inferencePoolAvailable?: boolean;
  /** @default - no Prometheus query API */
  readonly prometheusQueryUrl?: string;
  /** Region of an Amazon Managed Prometheus query API, whose queries KEDA signs. @default - unsigned queries */
  readonly prometheusAwsRegion?: string;
  /** @default false */
  readonly prometheusOperatorAvailable?: boolean;
  /** @default "public.ecr.aws/aws-cli/aws-cli:2.36.15" */
  readonly modelDownloaderImage?: string;
  /**
   * Overrides applied to every chart delivered to the site (objects of the patch's kind and
   * name, where a chart has them): they reach both the applied manifests and the written YAML.
   * @default - none
   */
  readonly patches?: ManifestPatch[];
}

/**
 * Shared behaviour of sites: charts in the site's own cdk8s app, GPU capacity bookkeeping, and
 * writing every chart to `cdk.out/manifests/<site>/<chart>.k8s.yaml` when the app synthesizes.
 */
export abstract class KubernetesSiteBase extends Construct implements IKubernetesSite {
  public readonly siteName: string;
  public abstract readonly platform: SitePlatform;
  public abstract readonly workloadCredentials: WorkloadCredentials;
  public abstract readonly rolesAnywhereRole?: iam.IRole;
  public abstract readonly rolesAnywhereSecretName?: string;
  public abstract readonly rolesAnywhereHelperImage?: string;
  public abstract readonly rolesAnywhereModelReadScope?: ModelReadScope;
  public readonly gpuNodeLabels: Readonly<Record<string, string>>;
  public readonly gpuNodeTaints: NodeTaint[];
  public readonly storageClassName?: string;
  public readonly loadBalancerClass?: string;
  public readonly ingressClassName?: string;
  public readonly gatewayClassName?: string;
  public readonly awsLoadBalancers: boolean;
  public readonly imageRegistryMirror?: string;
  public readonly prometheusOperatorAvailable: boolean;
  public readonly modelDownloaderImage: string;
  /** @internal */
  protected _kedaAvailable: boolean;
  /** @internal */
  protected _kedaHttpAddOnAvailable: boolean;
  /** @internal */
  protected _kueueAvailable: boolean;
  /** @internal */
  protected _leaderWorkerSetAvailable: boolean;
  public readonly inferencePoolAvailable: boolean;
  /** @internal */
  protected _prometheusQueryUrl?: string;
  /** @internal */
  protected _prometheusAwsRegion?: string;
  private readonly chartApp = new Cdk8sApp();
  private readonly _charts: Chart[] = [];
  private readonly _gpuCapacities: IGpuCapacity[] = [];
  /** Each chart's objects, rendered once per synth (see chart-rendering.ts). */
  private readonly rendered = new Map<Chart, KubernetesJson[]>();
  private readonly patches: ManifestPatch[] = [];

  protected constructor(scope: Construct, id: string, options: KubernetesSiteOptions) {
    super(scope, id);
    this.siteName = options.siteName ?? id.toLowerCase();
    checkDnsLabel(this, 'siteName', this.siteName);
    checkLabels(this, 'gpuNodeLabels', options.gpuNodeLabels);
    (options.gpuNodeTaints ?? []).forEach((taint, i) => {
      checkLabelKey(this, `gpuNodeTaints[${i}].key`, taint.key);
      if (taint.value !== undefined && taint.value !== '') checkLabelValue(this, `gpuNodeTaints[${i}].value`, taint.value);
    });
    checkRegistryMirror(this, 'imageRegistryMirror', options.imageRegistryMirror);
    checkImageReference(this, 'modelDownloaderImage', options.modelDownloaderImage);
    checkDnsLabel(this, 'storageClassName', options.storageClassName, 253);
    this.gpuNodeLabels = options.gpuNodeLabels ?? { [GPU_PRESENT_LABEL]: 'true' };
    this.gpuNodeTaints = options.gpuNodeTaints ?? [DEFAULT_GPU_TAINT];
    this.storageClassName = options.storageClassName;
    this.loadBalancerClass = options.loadBalancerClass;
    this.ingressClassName = options.ingressClassName;
    this.gatewayClassName = options.gatewayClassName;
    this.awsLoadBalancers = options.awsLoadBalancers ?? false;
    this.imageRegistryMirror = options.imageRegistryMirror;
    this._kedaAvailable = options.kedaAvailable ?? false;
    this._kedaHttpAddOnAvailable = options.kedaHttpAddOnAvailable ?? false;
    this._kueueAvailable = options.kueueAvailable ?? false;
    this._leaderWorkerSetAvailable = options.leaderWorkerSetAvailable ?? false;
    this.inferencePoolAvailable = options.inferencePoolAvailable ?? false;
    this._prometheusQueryUrl = options.prometheusQueryUrl;
    this._prometheusAwsRegion = options.prometheusAwsRegion;
    this.prometheusOperatorAvailable = options.prometheusOperatorAvailable ?? false;
    this.modelDownloaderImage = options.modelDownloaderImage ?? DEFAULT_MODEL_DOWNLOADER_IMAGE;
    if (this._prometheusQueryUrl !== undefined && !/^https?:\/\//.test(this._prometheusQueryUrl)) {
      throw new PropValidationError(this, 'prometheusQueryUrl', this._prometheusQueryUrl, 'is not an http(s) URL',
        'Give the query API base URL, e.g. "http://prometheus-server.monitoring:9090".');
    }
    checkManifestPatches(this, 'patches', options.patches);
    this.patches.push(...options.patches ?? []);
    this.node.addValidation({ validate: () => this.checkUniqueSiteName() });
    this.node.addValidation({ validate: () => this.checkUnchangedAfterDelivery() });
    // The only hook aws-cdk-lib offers that runs when the cloud assembly is written (the one
    // its own libraries use for extra assembly output): write this site's manifests there.
    attachCustomSynthesis(this, { onSynthesize: (session) => this.writeManifests(this.manifestRoot(session.outdir)) });
  }

  public get kedaAvailable(): boolean {
    return this._kedaAvailable;
  }

  public get kedaHttpAddOnAvailable(): boolean {
    return this._kedaHttpAddOnAvailable;
  }

  public get kueueAvailable(): boolean {
    return this._kueueAvailable;
  }

  public get leaderWorkerSetAvailable(): boolean {
    return this._leaderWorkerSetAvailable;
  }

  public get prometheusQueryUrl(): string | undefined {
    return this._prometheusQueryUrl;
  }

  public get prometheusAwsRegion(): string | undefined {
    return this._prometheusAwsRegion;
  }

  public get charts(): Chart[] {
    return [...this._charts];
  }

  public get gpuCapacities(): IGpuCapacity[] {
    return [...this._gpuCapacities];
  }

  public addGpuCapacity(capacity: IGpuCapacity): void {
    this._gpuCapacities.push(capacity);
  }
  /** Adds the GPU capacity the site's operators declare (`gpuCapacity` of the site's props). */
  protected declareGpuCapacity(capacity: DeclaredGpuCapacity): void {
    checkInteger(this, 'gpuCapacity.gpusPerNode', capacity.gpusPerNode, 1, 64);
    checkLabels(this, 'gpuCapacity.nodeLabels', capacity.nodeLabels);
    checkInteger(this, 'gpuCapacity.totalGpus', capacity.totalGpus, capacity.gpusPerNode);
    checkInteger(this, 'gpuCapacity.timeSlicing', capacity.timeSlicing, 2, MAX_TIME_SLICING_REPLICAS);
    checkInteger(this, 'gpuCapacity.efaDevicesPerNode', capacity.efaDevicesPerNode, 1, 64);
    checkMigPartitions(this, 'gpuCapacity.migPartitions', capacity.migPartitions);
    const sharing = capacity.timeSlicing !== undefined ? 'timeSlicing' : capacity.migPartitions !== undefined ? 'migPartitions' : undefined;
    if (capacity.dynamicResourceAllocation && sharing) {
      throw new PropValidationError(this, 'gpuCapacity.dynamicResourceAllocation', true, `cannot be declared with ${sharing}: the library claims whole GPUs through DRA, and counts ${sharing} as device plugin resources`,
        `Declare the capacity the nodes offer: dynamicResourceAllocation for whole GPUs claimed from gpu.nvidia.com, or ${sharing} for the device plugin's.`);
    }
    if (capacity.migPartitions !== undefined && capacity.timeSlicing !== undefined) {
      throw new PropValidationError(this, 'gpuCapacity.migPartitions', capacity.migPartitions, 'cannot be declared with timeSlicing: the library counts either shares or MIG instances',
        'Declare the capacity the nodes advertise: timeSlicing for nvidia.com/gpu.shared, migPartitions for MIG instances as nvidia.com/gpu.');
    }
    this.addGpuCapacity({
      capacityName: `${this.node.path} (declared)`,
      gpusPerNode: capacity.gpusPerNode,
      maxGpus: capacity.totalGpus,
      gpuModels: capacity.gpuModel !== undefined ? [capacity.gpuModel] : undefined,
      gpuMemoryGiB: capacity.gpuMemory?.toGibibytes({ rounding: SizeRoundingBehavior.NONE }),
      nodeSelector: capacity.nodeLabels,
      timeSlicingReplicas: capacity.timeSlicing,
      migPartitions: capacity.migPartitions,
      efaDevicesPerNode: capacity.efaDevicesPerNode,
      dynamicResourceAllocation: capacity.dynamicResourceAllocation,
    });
  }


  public newChart(id: string): Chart {
    checkDnsLabel(this, 'chart id', id);
    if (this.chartApp.node.tryFindChild(id)) {
      throw new PropValidationError(this, 'chart id', id, `is already used on site "${this.siteName}"`,
        'Give each chart of a site a distinct id: manifests would overwrite each other.');
    }
    return new Chart(this.chartApp, id, { disableResourceNameHashes: true });
  }

  public addChart(chart: Chart, options: ChartDeliveryOptions = {}): void {
    if (chart.node.scope !== this.chartApp) {
      throw new PropValidationError(this, 'chart', chart.node.id, `was not created by site "${this.siteName}"`,
        'Create charts with site.newChart(id) so they are written next to the site\'s other manifests.');
    }
    applyManifestPatches(this, 'patches', chart, this.patches, false);
    this._charts.push(chart);
    this.deliver(chart, options);
  }

  /** Adds overrides for the charts delivered from now on (see KubernetesSiteOptions.patches). */
  public addPatches(...patches: ManifestPatch[]): void {
    checkManifestPatches(this, 'patches', patches);
    this.patches.push(...patches);
  }

  /**
   * The chart's Kubernetes objects, rendered the first time they are asked for and reused for
   * the rest of the synth (delivery and the written file see the same objects).
   */
  public renderedObjects(chart: Chart): KubernetesJson[] {
    let objects = this.rendered.get(chart);
    if (!objects) {
      objects = renderChart(chart);
      this.rendered.set(chart, objects);
    }
    // A copy of the list: callers must not add or drop objects of the chart.
    return [...objects];
  }

  public resolveImage(image: string): string {
    if (!this.imageRegistryMirror) return image;
    const firstSegment = image.split('/')[0];
    const hasRegistry = image.includes('/') && (firstSegment.includes('.') || firstSegment.includes(':') || firstSegment === 'localhost');
    const qualified = hasRegistry ? image : `docker.io/${image.includes('/') ? image : `library/${image}`}`;
    return `${this.imageRegistryMirror}/${qualified}`;
  }

  /**
   * A chart changed after it was delivered (e.g. `service.chart` edited after construction, or
   * site patches added later) would be applied without the change on EKS while its YAML shows
   * it: synth fails instead. Charts are rendered again here, once each.
   */
  private checkUnchangedAfterDelivery(): string[] {
    return this._charts.flatMap((chart) => {
      const delivered = this.rendered.get(chart);
      if (delivered === undefined) return [];
      return JSON.stringify(renderChart(chart)) === JSON.stringify(delivered) ? [] : [
        `chart "${chart.node.id}" of site "${this.siteName}" changed after it was delivered; the change would not be applied. `
        + 'Give overrides as patches when the chart is created (e.g. InferenceService patches, or the site\'s patches before its charts are added).',
      ];
    });
  }

  /** Two sites with one name would write their manifests over each other. */
  private checkUniqueSiteName(): string[] {
    const other = this.node.root.node.findAll().find((c) => c !== this && c instanceof KubernetesSiteBase && c.siteName === this.siteName);
    return other
      ? [`siteName = "${this.siteName}" is also used by ${other.node.path}: both would write cdk.out/${MANIFESTS_DIR}/${this.siteName}/. Give each site of the app a distinct siteName.`]
      : [];
  }

  /** Hands a chart to the cluster (EKS: a KubernetesManifest; elsewhere nothing more than the YAML file). */
  protected abstract deliver(chart: Chart, options: ChartDeliveryOptions): void;

  /** What the written file of a chart holds: its objects, with nothing left to resolve. */
  protected abstract fileObjects(chart: Chart): unknown[];

  private manifestRoot(sessionOutdir: string): string {
    const root = this.node.root;
    const outdir = Stage.isStage(root) ? root.outdir : sessionOutdir;
    return path.join(outdir, MANIFESTS_DIR, this.siteName);
  }

  private writeManifests(directory: string): void {
    fs.mkdirSync(directory, { recursive: true });
    for (const chart of this._charts) {
      fs.writeFileSync(path.join(directory, `${chart.node.id}${MANIFEST_EXTENSION}`), Yaml.stringify(...this.fileObjects(chart)));
    }
  }
}
