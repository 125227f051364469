import * as iam from 'aws-cdk-lib/aws-iam';
import { Chart } from 'cdk8s';
import { Construct, IConstruct, IDependable } from 'constructs';
import { IGpuCapacity, summarizeGpuCapacity } from '../compute/gpu-capacity';

/** Where a site runs. */
export enum SitePlatform {
  /** An EKS cluster of this app: charts are applied through the cluster's kubectl provider. */
  EKS = 'eks',
  /** Any other Kubernetes cluster: charts are written as YAML for `kubectl apply` or GitOps. */
  KUBERNETES = 'kubernetes',
}

/** How workloads on a site obtain AWS credentials. */
export enum WorkloadCredentials {
  /** EKS Pod Identity: a ServiceAccount associated with an IAM role. */
  EKS_POD_IDENTITY = 'eks-pod-identity',
  /**
   * IAM Roles Anywhere: X.509 certificates issued on the site are exchanged for an IAM role
   * session (the credential helper runs as a sidecar or on the node).
   */
  IAM_ROLES_ANYWHERE = 'iam-roles-anywhere',
  /** Workloads get no AWS credentials: anything that needs AWS access is rejected at synth. */
  NONE = 'none',
}

/** What a site's IAM Roles Anywhere role may read of a models zone. */
export enum ModelReadScope {
  /**
   * The prefix of each model the site serves: least privilege, but the role's policy grows
   * by one object ARN and one `s3:prefix` value per model (about 200 models fit IAM's default
   * quota of 10 managed policies per role).
   */
  MODEL_PREFIX = 'model-prefix',
  /** Each models zone once, whatever the number of models: for sites that serve hundreds. */
  WHOLE_ZONE = 'whole-zone',
}

/** How a chart is delivered: where its apply step lives and what it waits for. */
export interface ChartDeliveryOptions {
  /**
   * Construct that owns the chart's apply step (on EKS, the KubernetesManifest is created in
   * it, hence in its stack): give the construct that also owns the AWS resources the chart's
   * pods need, so both deploy in one stack.
   * @default - beside the chart it depends on when that one has an owner, otherwise the cluster
   */
  readonly scope?: Construct;
  /**
   * AWS resources that must exist before the chart's objects are created, e.g. the EKS Pod
   * Identity association of its ServiceAccount (EKS injects credentials only when a pod is
   * created). Sites that write YAML have no deploy order to enforce.
   * @default - none
   */
  readonly dependencies?: IDependable[];
}

/** Effect of a node taint. */
export enum NodeTaintEffect {
  NO_SCHEDULE = 'NoSchedule',
  PREFER_NO_SCHEDULE = 'PreferNoSchedule',
  NO_EXECUTE = 'NoExecute',
}

/** A taint that GPU nodes of a site carry, which GPU workloads must tolerate. */
export interface NodeTaint {
  readonly key: string;
  /** @default - the taint has no value (tolerated with operator Exists) */
  readonly value?: string;
  readonly effect: NodeTaintEffect;
}

/**
 * A Kubernetes cluster that receives charts: an EKS cluster of this app (`EksSite`) or any
 * other cluster (`KubernetesSite`). It also says what the cluster offers, so charts adapt to it
 * and missing prerequisites fail at synth.
 */
export interface IKubernetesSite extends IConstruct {
  /** DNS-1123 name; manifests go to `cdk.out/manifests/<siteName>/`. */
  readonly siteName: string;
  readonly platform: SitePlatform;
  /** Labels that select the site's GPU nodes. */
  readonly gpuNodeLabels: Readonly<Record<string, string>>;
  /** Taints the site's GPU nodes carry. */
  readonly gpuNodeTaints: NodeTaint[];
  /** @default - the cluster's default StorageClass */
  readonly storageClassName?: string;
  /** `spec.loadBalancerClass` for Services of type LoadBalancer. @default - the cluster default */
  readonly loadBalancerClass?: string;
  /** `spec.ingressClassName` for Ingresses. @default - no ingress class: ingress is unavailable */
  readonly ingressClassName?: string;
  /**
   * GatewayClass for Gateways (Kubernetes Gateway API v1, standard channel) of exposed services.
   * @default - no gateway class: Gateway exposure is unavailable
   */
  readonly gatewayClassName?: string;
  /**
   * Whether the load balancer class, the ingress class and the gateway class provision AWS load
   * balancers (the AWS Load Balancer Controller or EKS Auto Mode): TLS then comes from ACM
   * certificates, as a Secret in the Ingress (or Gateway) is ignored by an ALB.
   */
  readonly awsLoadBalancers: boolean;
  /** Registry host that mirrors public images, e.g. `registry.local:5000`. @default - images are pulled from their own registries */
  readonly imageRegistryMirror?: string;
  /** Whether KEDA runs on the cluster (ScaledObjects need it). */
  readonly kedaAvailable: boolean;
  /**
   * Whether the KEDA HTTP add-on (>= 0.14, InterceptorRoute) runs in namespace `keda`: services
   * may then wake on requests (ScaleToZero.onRequest).
   */
  readonly kedaHttpAddOnAvailable: boolean;
  /**
   * Whether Kueue (>= 0.15, API `kueue.x-k8s.io/v1beta2`) runs on the cluster, managing the
   * namespaces labelled `cdk-scalable-ai.io/kueue-managed: "true"` with
   * `resources.quotaCheckStrategy: IgnoreUndeclared`: Teams then get GPU queues.
   */
  readonly kueueAvailable: boolean;
  /**
   * Whether LeaderWorkerSet (>= 0.7, API `leaderworkerset.x-k8s.io/v1`) runs on the cluster:
   * services may then span several nodes per replica.
   */
  readonly leaderWorkerSetAvailable: boolean;
  /**
   * Whether the InferencePool CRD (`inference.networking.k8s.io/v1`) is installed and the
   * site's gateway class routes to InferencePools: services may use an endpoint picker.
   */
  readonly inferencePoolAvailable: boolean;
  /** HTTP(S) URL of a Prometheus-compatible query API. @default - none: Prometheus-based scaling is unavailable */
  readonly prometheusQueryUrl?: string;
  /**
   * When the query API is Amazon Managed Prometheus: the region KEDA signs queries for (SigV4,
   * with the KEDA operator's AWS identity). @default - queries are not signed
   */
  readonly prometheusAwsRegion?: string;
  /** Whether the Prometheus operator CRDs (ServiceMonitor, PrometheusRule) exist. */
  readonly prometheusOperatorAvailable: boolean;
  readonly workloadCredentials: WorkloadCredentials;
  /**
   * With IAM Roles Anywhere: the role workloads of the site assume; constructs grant it what
   * their workloads need (e.g. reading a model prefix). @default - none
   */
  readonly rolesAnywhereRole?: iam.IRole;
  /**
   * With IAM Roles Anywhere: the Secret (in each workload namespace) with the site's
   * certificate and key and the Roles Anywhere ARNs (keys `certificate.pem`, `private-key.pem`,
   * `trust-anchor-arn`, `profile-arn`, `role-arn` and `region`).
   * @default - none
   */
  readonly rolesAnywhereSecretName?: string;
  /**
   * With IAM Roles Anywhere: image with `aws_signing_helper`, run as a native sidecar
   * (`aws_signing_helper serve`) that serves the role's credentials on an IMDSv2-compatible
   * endpoint in the pod. @default - none: workloads that need AWS credentials are rejected
   */
  readonly rolesAnywhereHelperImage?: string;
  /** With IAM Roles Anywhere: what the role may read of a models zone. @default ModelReadScope.MODEL_PREFIX */
  readonly rolesAnywhereModelReadScope?: ModelReadScope;
  /** Image with the AWS CLI that copies models from S3 (and publishes the site's heartbeat). */
  readonly modelDownloaderImage: string;
  /** GPU capacity registered with the site so far. */
  readonly gpuCapacities: IGpuCapacity[];

  /** Registers GPU capacity that workloads of this site can be checked against. */
  addGpuCapacity(capacity: IGpuCapacity): void;
  /**
   * A new, empty chart that belongs to this site; `addChart` delivers it. Objects set their
   * namespace themselves (a chart-wide namespace would also stamp cluster-scoped objects).
   */
  newChart(id: string): Chart;
  /** Delivers a chart to the site (applied to EKS, or written as YAML). */
  addChart(chart: Chart, options?: ChartDeliveryOptions): void;
  /** Charts delivered to the site, in order. */
  readonly charts: Chart[];
  /** Rewrites an image reference to the site's registry mirror, if any. */
  resolveImage(image: string): string;
}

/** Most whole GPUs one pod can get on the site: the largest guaranteed node (0 without capacity). */
export function maxGpusPerNode(site: IKubernetesSite): number {
  return summarizeGpuCapacity(site.gpuCapacities).gpusPerNode;
}

/** Whole GPUs the site can offer in total. */
export function maxGpus(site: IKubernetesSite): number {
  return summarizeGpuCapacity(site.gpuCapacities).totalGpus;
}
