import { Annotations, Duration, Size, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { InferenceScaling, ScaleToZero, ScalingBehavior, ScalingMetricSource, WakeUpSignal } from './inference-scaling';
import { InferenceServiceMetricFactory } from './inference-service-metrics';
import { addScaledObject } from './keda-scaled-object';
import { MODEL_MOUNT_PATH, ModelServerPodOptions, modelServerPodTemplate } from './model-server-pod';
import { addClaimingWorkload, addGpuClaimTemplate, claimGpusFromTemplate, gpuClaimTemplateName } from './gpu-claim';
import { addModelMount } from './model-mount';
import { ModelSource } from './model-source';
import { addEndpointPickerObjects, EndpointPickerOptions, inferencePoolName } from './endpoint-picker';
import { addGroupNetworkPolicy, addLeaderWorkerSetObject, GROUP_ROLE_LABEL, LEADER_WORKER_SET_API_VERSION } from './leader-worker-set-objects';
import { conflictingVllmFlags, MultiNodeLaunch, MultiNodeServing, VLLM_MASTER_PORT, vllmGroupArgs, vllmParallelism } from './multi-node-serving';
import { IDataLakeZone } from '../data/zone';
import { addWakeOnRequestObjects, interceptorPeer, KEDA_HTTP_INTERCEPTOR_PORT, NODE_PROVISIONING_ALLOWANCE, WAKE_SERVICE_SUFFIX } from './keda-http-add-on';
import { ExposureType, ServiceExposure } from './service-exposure';
import { addExposureObjects, checkExposure, checkHeaderMatch } from './service-exposure-objects';
import { checkSiteGpuDemand, GpuDemand, GpuPlacement, known, placementAllows } from './site-gpu-demand';
import { gibibytes, NODE_DISK_RESERVED_GIB, startupTimeFor, USABLE_GPU_MEMORY_SHARE, WeightDelivery } from './model-size';
import { allocatesByClaim, IGpuCapacity, isMigPartitioned, offersShares, summarizeGpuCapacity, unitsPerGpu } from '../compute/gpu-capacity';
import { SHARED_GPU_RESOURCE } from '../k8s/device-plugin';
import { KUEUE_QUEUE_NAME_LABEL } from '../k8s/kueue-queues';
import { EFA_RESOURCE } from '../k8s/efa-device-plugin';
import { capacityMatches, checkGpuRequirements, describeGpuRequirements, GpuRequirements } from '../compute/gpu-requirements';
import { HYBRID_COMPUTE_TYPE, HYBRID_COMPUTE_TYPE_LABEL } from '../compute/hybrid-nodes';
import { checkQuantity, parseQuantity } from '../k8s/quantity';
import { ensureWorkloadNamespace } from '../k8s/workload-namespace';
import { EksSite } from '../sites/eks-site';
import { IKubernetesSite, ModelReadScope, SitePlatform, WorkloadCredentials } from '../sites/kubernetes-site-interface';
import { NVIDIA_GPU_RESOURCE } from '../sites/site-base';
import { applyManifestPatches, checkManifestPatches, ManifestPatch } from '../sites/manifest-patch';
import { PropValidationError } from '../private/errors';
import { acknowledgeInlinePolicies, acknowledgeWildcards, wildcardResource } from '../private/nag-acknowledgements';
import { serviceAccountRole } from '../private/pod-identity';
import {
  checkDnsLabel, checkDurationRange, checkImageReference, checkInteger, checkLabelValue, checkNumber, checkOrdered, checkWorkloadNamespace, normalizeKeyPrefix,
} from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Namespace InferenceServices go to unless told otherwise. */
export const DEFAULT_INFERENCE_NAMESPACE = 'inference';
/** Port of the OpenAI-compatible vLLM server (and of TGI's router). */
export const DEFAULT_MODEL_SERVER_PORT = 8000;
export const DEFAULT_GPUS_PER_REPLICA = 1;
/** Fits a 4-vCPU GPU node (g6e.xlarge, g6.xlarge, g5.xlarge) after the kubelet's reservation and system DaemonSets. */
export const DEFAULT_CPU_PER_REPLICA = '3';
export const DEFAULT_MEMORY_PER_REPLICA = '24Gi';
export const DEFAULT_SHARED_MEMORY = '8Gi';
export const DEFAULT_HEALTH_PATH = '/health';
/** Pulling a multi-GB image and loading weights into GPU memory can take long: 30 minutes. */
export const DEFAULT_MAX_STARTUP_TIME = Duration.minutes(30);
export const DEFAULT_MIN_REPLICAS = 1;
export const DEFAULT_MAX_REPLICAS = 2;
/** In-flight generations finish before the pod is killed. */
export const DEFAULT_TERMINATION_GRACE_PERIOD = Duration.minutes(2);
/** Share of requests a canary gets behind a Gateway when none is given. */
const DEFAULT_CANARY_TRAFFIC_PERCENT = 10;

/** A second Deployment that receives a share of traffic before it is promoted. */
export interface CanaryRelease {
  /** Version label of the canary (`app.kubernetes.io/version`). */
  readonly modelVersion: string;
  /** @default - the stable image */
  readonly image?: string;
  /** @default - the stable model source */
  readonly model?: ModelSource;
  /** @default - the stable args */
  readonly args?: string[];
  /**
   * Replicas of the canary. Without a Gateway exposure the Service spreads requests over
   * stable and canary pods, so the canary's share is replicas / (stable replicas + replicas).
   * @default 1
   */
  readonly replicas?: number;
  /**
   * With a Gateway exposure: the percentage of requests the HTTPRoute sends to the canary
   * (a backend weight), whatever the replica counts.
   * @default 10 with a Gateway exposure; other exposures cannot weight traffic
   */
  readonly trafficPercent?: number;
  /**
   * With a Gateway exposure: requests carrying this header (exact value) always go to the
   * canary, e.g. `{ name: 'x-canary', value: 'true' }` for testers.
   * @default - no header route
   */
  readonly matchHeader?: CanaryHeaderMatch;
}

/** An HTTP header (exact value) that routes a request to the canary. */
export interface CanaryHeaderMatch {
  /** Header name, e.g. `x-canary`. */
  readonly name: string;
  /** Exact value, e.g. `true`. */
  readonly value: string;
}

export interface InferenceServiceOptions {
  /** DNS-1123 name (Deployment, Service, ServiceAccount), at most 47 characters. */
  readonly name: string;
  /** @default - "inference", created with the restricted baseline if missing */
  readonly namespace?: string;
  /** Model server image, e.g. `vllm/vllm-openai:v0.11.0`. */
  readonly image: string;
  /** Version of the model being served (label `app.kubernetes.io/version`). */
  readonly modelVersion: string;
  /** @default - the image's entrypoint */
  readonly command?: string[];
  /** @default - none */
  readonly args?: string[];
  /** @default - none */
  readonly env?: Record<string, string>;
  /** @default 8000 */
  readonly port?: number;
  /**
   * Whole GPUs per replica (0 for a CPU-only server); with `multiNode`, per pod (per node), so a
   * replica holds gpusPerReplica x nodes GPUs. @default 1
   */
  readonly gpusPerReplica?: number;
  /**
   * Each replica spans several nodes, for models larger than one node: a LeaderWorkerSet whose
   * groups (a leader that serves HTTP and its workers) start, fail and roll out as one, e.g.
   * `MultiNodeServing.vllm({ nodes: 2 })` for tensor parallel within and pipeline parallel
   * across nodes. Needs LeaderWorkerSet on the site (`GpuCluster.addLeaderWorkerSet()`).
   * @default - one pod per replica (a Deployment)
   */
  readonly multiNode?: MultiNodeServing;
  /**
   * Prefix-cache-aware routing (Gateway API Inference Extension): an InferencePool of the
   * serving pods and its endpoint picker (llm-d router EPP v0.10.0), which picks, per request,
   * the pod with the best queue, KV-cache and likely prompt-prefix hit; the HTTPRoute sends to
   * the pool (with a canary, one pool and picker per track, weighted like the track Services).
   * Needs a Gateway exposure (`ServiceExposure.gateway`) on a site that declares
   * `inferencePoolAvailable`; the AWS Load Balancer Controller's ALB cannot route to pools.
   * @default - the Gateway balances over the Service's pods
   */
  readonly endpointPicker?: EndpointPickerOptions;
  /**
   * Kueue LocalQueue the service's workload is admitted through (label
   * `kueue.x-k8s.io/queue-name` on the Deployment or LeaderWorkerSet), e.g. a Team's
   * `localQueueName` ("gpu") in the team's namespace: its GPUs count against the team's queue,
   * and a multi-node replica is admitted whole or not at all. An admitted workload whose pods
   * are not all ready within Kueue's `podsReadyTimeout` is evicted and requeued, so
   * `maxStartupTime` must fit within it. Admitted workloads may be preempted when another team
   * reclaims its guaranteed GPUs.
   * @default - not queued: only the namespace's ResourceQuota applies
   */
  readonly queueName?: string;
  /**
   * Each replica gets one share of a time-sliced GPU (`nvidia.com/gpu.shared`) instead of a
   * whole GPU: for small models on node groups with `timeSlicing` (or a site's declared
   * `gpuCapacity.timeSlicing`). The pods run only where shares exist, and the capacity check
   * counts shares. Shares are not isolated: size the model server's GPU memory use (e.g.
   * vLLM's `--gpu-memory-utilization`) to its share.
   * @default false
   */
  readonly sharedGpu?: boolean;
  /** CPU request and limit; checked against what the nodes the service may use can allocate. @default "3" */
  readonly cpu?: string;
  /** Memory request and limit; checked like cpu. @default "24Gi" */
  readonly memory?: string;
  /** Size of /dev/shm (memory-backed). @default "8Gi" */
  readonly sharedMemory?: string;
  /** Model files copied into the pod before the server starts. @default - the server loads its model itself */
  readonly model?: ModelSource;
  /** @default "/health" */
  readonly healthPath?: string;
  /**
   * How long the server may take to become healthy (startup probe).
   * @default - with `modelSize`, 10 minutes for the image pull and start plus the time to read
   * the weights at 100 MiB/s once (mounted) or twice (copied, or fetched by the server; with
   * `multiNode`, each pod loads a 1/nodes shard after copying them all); else 30 minutes
   */
  readonly maxStartupTime?: Duration;
  /**
   * Size of the model's weights. Sizes the startup probe (`maxStartupTime`); weights on the
   * node's disk (copied with `ModelSource.fromDataLake`, or downloaded by the server itself to
   * its scratch volume) are requested as `ephemeral-storage`, so pods go only to nodes with
   * room for them; and synth fails when the weights cannot fit the GPU memory of a replica
   * (90 %, vLLM's default share) on capacity the pods may use, or a copy cannot fit a node's
   * volume.
   * @default - unknown: 30-minute startup window, no disk request, no fit checks
   */
  readonly modelSize?: Size;
  /** @default 1 */
  readonly minReplicas?: number;
  /** Upper bound of autoscaling (unused without `scaling`). @default - 2, raised to minReplicas when that is larger */
  readonly maxReplicas?: number;
  /** @default - no autoscaling: minReplicas replicas */
  readonly scaling?: InferenceScaling;
  /** @default - polling every 15 seconds, scale-down stabilization of 5 minutes */
  readonly scalingBehavior?: ScalingBehavior;
  /** @default - never below minReplicas */
  readonly scaleToZero?: ScaleToZero;
  /** @default ServiceExposure.clusterIp() */
  readonly exposure?: ServiceExposure;
  /** @default - no canary */
  readonly canary?: CanaryRelease;
  /** @default Duration.minutes(2) */
  readonly terminationGracePeriod?: Duration;
  /** @default GpuPlacement.ANY */
  readonly placement?: GpuPlacement;
  /**
   * The GPUs the model needs (models, memory per GPU, or named node groups / node pools): the
   * pods are pinned to the site's GPU capacities that match (create them before the service),
   * and the capacity check counts only those.
   * @default - any GPU node of the site
   */
  readonly gpuRequirements?: GpuRequirements;
  /**
   * Overrides of the chart's objects (JSON patches by kind and name), applied before delivery:
   * they reach the applied manifest and the written YAML. A patch that matches no object of
   * the chart fails. Editing `chart` after construction fails synth instead.
   * @default - none
   */
  readonly patches?: ManifestPatch[];
}

export interface InferenceServiceProps extends InferenceServiceOptions {
  /** Where the service runs. */
  readonly site: IKubernetesSite;
}

/**
 * A model server (vLLM, Triton, TGI or any HTTP server) on a site's GPUs, written as a cdk8s
 * chart: Deployment with GPU requests, tolerations and node affinity, restricted pod security,
 * probes sized for model loading, topology spread and a rollout that never drops below serving
 * capacity; Service (ClusterIP, internal load balancer or TLS ingress); PodDisruptionBudget;
 * NetworkPolicy; ServiceAccount with least-privilege read of the model prefix (EKS Pod Identity
 * or the site's Roles Anywhere role); KEDA autoscaling on a serving signal, optionally to zero;
 * an optional canary. At synth, replicas x GPUs are checked against the site's GPU capacity.
 */
export class InferenceService extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly site: IKubernetesSite;
  public readonly chart: Chart;
  public readonly gpusPerReplica: number;
  /** Whether each replica gets a share of a time-sliced GPU (`sharedGpu`) rather than whole GPUs. */
  public readonly sharedGpu: boolean;
  public readonly minReplicas: number;
  public readonly maxReplicas: number;
  /** In-cluster URL of the service. */
  public readonly url: string;
  /** The IAM role the pods use on EKS (Pod Identity). */
  public readonly role?: iam.Role;
  /** The association of the pods' ServiceAccount with `role` (EKS); the manifest waits for it. */
  public readonly podIdentityAssociation?: eks.CfnPodIdentityAssociation;
  public readonly placement: GpuPlacement;
  /** Set when the service scales to zero (the wake-up signal and idle time). */
  public readonly scaleToZero?: ScaleToZero;
  /** The scaling signal, with autoscaling. */
  public readonly scaling?: InferenceScaling;
  /** How long a replica may take to become healthy (the startup probe's budget). */
  public readonly maxStartupTime: Duration;
  /** Size of the weights, with `modelSize` (unresolved sizes are left unknown). */
  public readonly modelSize?: Size;
  private readonly weightDelivery: WeightDelivery;
  /** What the service requires of its GPUs. @default - any GPU */
  public readonly gpuRequirements?: GpuRequirements;
  /** The capacities the pods are pinned to (with gpuRequirements, or GPUs claimed through DRA); undefined: any GPU node. */
  public readonly pinnedCapacities?: IGpuCapacity[];
  /**
   * Whether the pods claim their GPUs through Dynamic Resource Allocation (a ResourceClaimTemplate
   * named `<name>-gpus`): the capacity the service may use allocates GPUs that way.
   */
  public readonly claimsGpus: boolean;
  /** How each replica spans nodes (LeaderWorkerSet); undefined: one pod per replica. */
  public readonly multiNode?: MultiNodeServing;
  /** The Kueue LocalQueue the service is admitted through. */
  public readonly queueName?: string;
  private readonly canaryReplicas: number;
  private readonly autoscaled: boolean;
  private readonly cpu: string;
  private readonly memory: string;

  constructor(scope: Construct, id: string, props: InferenceServiceProps) {
    super(scope, id);
    checkPropTypes(this, 'InferenceServiceProps', props);
    this.site = props.site;
    this.name = props.name;
    this.namespace = props.namespace ?? DEFAULT_INFERENCE_NAMESPACE;
    this.gpusPerReplica = props.gpusPerReplica ?? DEFAULT_GPUS_PER_REPLICA;
    this.sharedGpu = props.sharedGpu ?? false;
    this.multiNode = props.multiNode;
    this.queueName = props.queueName;
    if (this.sharedGpu && this.gpusPerReplica !== 1) {
      throw new PropValidationError(this, 'gpusPerReplica', this.gpusPerReplica, 'cannot go with sharedGpu, which gives each replica one share of a GPU (the device plugin fails pods that ask for more)',
        'Drop gpusPerReplica, or drop sharedGpu for whole GPUs.');
    }
    this.minReplicas = props.minReplicas ?? DEFAULT_MIN_REPLICAS;
    this.maxReplicas = props.maxReplicas ?? Math.max(DEFAULT_MAX_REPLICAS, this.minReplicas);
    this.autoscaled = props.scaling !== undefined;
    this.canaryReplicas = props.canary ? props.canary.replicas ?? 1 : 0;
    this.placement = props.placement ?? GpuPlacement.ANY;
    this.gpuRequirements = props.gpuRequirements;
    this.scaleToZero = props.scaleToZero;
    this.scaling = props.scaling;
    this.modelSize = this.checkModelSize(props.modelSize);
    this.weightDelivery = props.model === undefined ? WeightDelivery.SERVER : props.model.mounted ? WeightDelivery.MOUNTED : WeightDelivery.COPIED;
    this.maxStartupTime = props.maxStartupTime ?? (this.modelSize ? startupTimeFor(this.modelSize, this.weightDelivery, props.multiNode?.nodes) : DEFAULT_MAX_STARTUP_TIME);
    this.cpu = props.cpu ?? DEFAULT_CPU_PER_REPLICA;
    this.memory = props.memory ?? DEFAULT_MEMORY_PER_REPLICA;
    const port = props.port ?? DEFAULT_MODEL_SERVER_PORT;
    this.validate(props, port);
    const site = props.site;
    this.claimsGpus = this.resolveGpuClaims();
    this.pinnedCapacities = this.pinCapacities();

    const namespaceChart = ensureWorkloadNamespace(site, this.namespace);
    this.chart = site.newChart(`inference-${this.namespace}-${this.name}`);
    this.chart.addDependency(namespaceChart);

    const appLabels = { 'app.kubernetes.io/name': this.name, 'app.kubernetes.io/part-of': 'cdk-scalable-ai' };
    const meta = (name: string) => ({ name, namespace: this.namespace, labels: appLabels });
    new k8s.KubeServiceAccount(this.chart, 'ServiceAccount', { metadata: meta(this.name), automountServiceAccountToken: false });

    const modelDirectory = `${MODEL_MOUNT_PATH}/${this.name}`;
    const podOptions = {
      site,
      serviceAccountName: this.name,
      command: props.command,
      env: props.env ?? {},
      port,
      gpus: this.gpusPerReplica,
      gpuResource: this.sharedGpu ? SHARED_GPU_RESOURCE : NVIDIA_GPU_RESOURCE,
      gpuClaim: this.claimsGpus,
      cpu: this.cpu,
      memory: this.memory,
      sharedMemory: props.sharedMemory ?? DEFAULT_SHARED_MEMORY,
      healthPath: props.healthPath ?? DEFAULT_HEALTH_PATH,
      maxStartupTime: this.maxStartupTime,
      // Room on the node for the copy of the weights (the scheduler counts requests, not emptyDirs).
      ephemeralStorage: this.modelSize && this.weightDelivery !== WeightDelivery.MOUNTED ? `${Math.ceil(gibibytes(this.modelSize))}Gi` : undefined,
      modelDirectory,
      terminationGracePeriod: props.terminationGracePeriod ?? DEFAULT_TERMINATION_GRACE_PERIOD,
      capacitySelectors: this.pinnedCapacities?.map((c) => c.nodeSelector!),
      nodeRequirements: this.placement === GpuPlacement.ANY ? [] : [{
        key: HYBRID_COMPUTE_TYPE_LABEL,
        operator: this.placement === GpuPlacement.HYBRID ? 'In' : 'NotIn',
        values: [HYBRID_COMPUTE_TYPE],
      }],
    };
    // Each track's pods: the Deployment's selector, and the Service a Gateway sends the track's
    // share to (of a multi-node replica, only the leader serves).
    const servingLabels: Record<string, string> = this.multiNode ? { [GROUP_ROLE_LABEL]: 'leader' } : {};
    const trackSelector = (track: 'stable' | 'canary') => ({ ...appLabels, 'cdk-scalable-ai.io/track': track, ...servingLabels });
    // Claims of mounted models: the canary's own when it has a model of its own (see mountModels).
    const claims = { stable: `${this.name}-model`, canary: props.canary?.model ? `${this.name}-canary-model` : `${this.name}-model` };
    const stableLabels = { ...appLabels, 'app.kubernetes.io/version': props.modelVersion, 'cdk-scalable-ai.io/track': 'stable' };
    this.addWorkload('stable', {
      name: this.name,
      labels: stableLabels,
      selector: trackSelector('stable'),
      // KEDA owns the replica count when scaling is on; re-applying the manifest must not reset it.
      replicas: props.scaling ? undefined : this.minReplicas,
      pod: { ...podOptions, labels: stableLabels, image: props.image, args: props.args, model: props.model, modelClaimName: claims.stable },
    });

    if (props.canary) {
      const canaryLabels = { ...appLabels, 'app.kubernetes.io/version': props.canary.modelVersion, 'cdk-scalable-ai.io/track': 'canary' };
      this.addWorkload('canary', {
        name: `${this.name}-canary`,
        labels: canaryLabels,
        selector: trackSelector('canary'),
        replicas: this.canaryReplicas,
        pod: {
          ...podOptions,
          labels: canaryLabels,
          image: props.canary.image ?? props.image,
          args: props.canary.args ?? props.args,
          model: props.canary.model ?? props.model,
          modelClaimName: claims.canary,
        },
      });
    }
    if (this.multiNode) {
      addGroupNetworkPolicy(this.chart, { name: this.name, namespace: this.namespace, selector: appLabels, ports: this.multiNode.groupPorts });
    }

    this.mountModels(props, claims);
    if (this.claimsGpus) {
      // One template for both tracks: each pod gets a claim of its own from it.
      addGpuClaimTemplate(this.chart, 'GpuClaimTemplate', { ...meta(gpuClaimTemplateName(this.name)), gpus: this.gpusPerReplica });
    }
    const wakeOnRequest = props.scaleToZero?.signal === WakeUpSignal.REQUEST;
    const exposure = props.exposure ?? ServiceExposure.clusterIp();
    if (props.endpointPicker) {
      // One pool and picker per track: the route weighs the pools as it weighs Services.
      for (const track of props.canary ? ['stable', 'canary'] as const : ['stable'] as const) {
        addEndpointPickerObjects(this.chart, {
          name: inferencePoolName(this.name, track), idPrefix: track === 'stable' ? '' : 'Canary', namespace: this.namespace, site,
          poolSelector: trackSelector(track), port, clientCidrs: exposure.allowedClientCidrs, options: props.endpointPicker,
        });
      }
    }
    addExposureObjects(this.chart, {
      name: this.name, namespace: this.namespace, site, exposure, selector: { ...appLabels, ...servingLabels }, port, healthPath: props.healthPath ?? DEFAULT_HEALTH_PATH,
      // The interceptor forwards the requests it held to the model server's pods.
      extraClientPeers: wakeOnRequest ? [interceptorPeer()] : [],
      inferencePools: props.endpointPicker ? { stable: inferencePoolName(this.name), canary: inferencePoolName(this.name, 'canary') } : undefined,
      canary: props.canary ? {
        stableSelector: trackSelector('stable'),
        canarySelector: trackSelector('canary'),
        trafficPercent: props.canary.trafficPercent ?? DEFAULT_CANARY_TRAFFIC_PERCENT,
        matchHeader: props.canary.matchHeader,
      } : undefined,
    });
    const route = wakeOnRequest ? addWakeOnRequestObjects(this.chart, {
      name: this.name, namespace: this.namespace, port,
      holdFor: Duration.seconds(this.maxStartupTime.toSeconds() + NODE_PROVISIONING_ALLOWANCE.toSeconds()),
    }) : undefined;
    new k8s.KubePodDisruptionBudget(this.chart, 'DisruptionBudget', {
      metadata: meta(this.name),
      spec: { maxUnavailable: k8s.IntOrString.fromNumber(1), selector: { matchLabels: appLabels } },
    });

    if (props.scaling) {
      const scaledObject = addScaledObject(this.chart, {
        name: this.name,
        namespace: this.namespace,
        scaleTarget: this.multiNode
          ? { apiVersion: LEADER_WORKER_SET_API_VERSION, kind: 'LeaderWorkerSet', name: this.name }
          : { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
        minReplicas: this.minReplicas,
        maxReplicas: this.maxReplicas,
        scaling: props.scaling,
        scaleToZero: props.scaleToZero,
        behavior: props.scalingBehavior ?? {},
        queryContext: { namespace: this.namespace, app: this.name, podRegex: this.podNamePattern, gpusPerReplica: Math.max(1, this.gpusPerReplica) },
        prometheusQueryUrl: site.prometheusQueryUrl,
        awsPrometheusRegion: site.prometheusAwsRegion,
      });
      // KEDA reads the route's metric spec when the ScaledObject is created (the add-on's docs).
      if (route) scaledObject.addDependency(route);
    }

    this.url = wakeOnRequest
      ? `http://${this.name}${WAKE_SERVICE_SUFFIX}.${this.namespace}.svc.cluster.local:${KEDA_HTTP_INTERCEPTOR_PORT}`
      : `http://${this.name}.${this.namespace}.svc.cluster.local:${port}`;
    this.role = this.grantModelAccess(props);
    this.podIdentityAssociation = this.node.tryFindChild('PodIdentity') as eks.CfnPodIdentityAssociation | undefined;
    // EKS injects Pod Identity credentials only into pods created after the association: the
    // manifest lives here (this construct's stack) and waits for it.
    checkManifestPatches(this, 'patches', props.patches);
    applyManifestPatches(this, 'patches', this.chart, props.patches ?? [], true);
    site.addChart(this.chart, { scope: this, dependencies: this.podIdentityAssociation ? [this.podIdentityAssociation] : [] });
    this.node.addValidation({ validate: () => this.checkCapacity() });
    registerGpuDemand(site, this);
  }

  /** What the service asks of the site's GPUs (summed over the site's services at synth). */
  public get gpuDemand(): GpuDemand {
    const fixed = this.autoscaled ? this.maxReplicas : this.minReplicas;
    return {
      name: `${this.namespace}/${this.name}`,
      eligible: this.eligibleCapacities(),
      // A multi-node replica holds the GPUs of all its pods.
      gpusPerReplica: this.gpusPerReplica * this.podsPerReplica,
      guaranteedReplicas: this.minReplicas + this.canaryReplicas + 1,
      peakReplicas: fixed + this.canaryReplicas + 1,
    };
  }

  /** Pods per replica: `multiNode.nodes`, or 1. */
  public get podsPerReplica(): number {
    return this.multiNode?.nodes ?? 1;
  }

  /**
   * Regular expression of the stable track's pod names (PromQL `pod=~`): a Deployment's
   * `<name>-<hash>-<hash>`, or a LeaderWorkerSet's leaders `<name>-<group>` and workers
   * `<name>-<group>-<index>`.
   */
  public get podNamePattern(): string {
    return this.multiNode ? `${this.name}-[0-9]+(-[0-9]+)?` : `${this.name}-[a-z0-9]+-[a-z0-9]+`;
  }

  /** Replicas of the canary Deployment (0 without a canary). */
  public get canaryReplicaCount(): number {
    return this.canaryReplicas;
  }

  /** Ready replicas behind the Service, stable and canary (Container Insights service_number_of_running_pods, [ClusterName, Namespace, Service]; EKS sites only). */
  public metricRunningReplicas(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new InferenceServiceMetricFactory(this).runningReplicas(props);
  }

  /** Average GPU utilization (percent) of the service's GPUs (pod_gpu_utilization, [ClusterName, Namespace, Service]; EKS sites only). */
  public metricGpuUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new InferenceServiceMetricFactory(this).gpuUtilization(props);
  }

  /** Average GPU memory utilization (percent) of the service's GPUs (pod_gpu_memory_utilization, [ClusterName, Namespace, Service]; EKS sites only). */
  public metricGpuMemoryUtilization(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new InferenceServiceMetricFactory(this).gpuMemoryUtilization(props);
  }

  /** Container restarts of the stable Deployment's pods (pod_number_of_container_restarts, [ClusterName, Namespace, PodName], sum; EKS sites only). */
  public metricContainerRestarts(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new InferenceServiceMetricFactory(this).containerRestarts(props);
  }

  /** Stable pods bound to a node but not running yet: image pull, model download (pod_status_pending, [ClusterName, Namespace, PodName]; EKS sites only). */
  public metricPendingReplicas(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new InferenceServiceMetricFactory(this).pendingReplicas(props);
  }

  /**
   * A track's pods: a Deployment, or with `multiNode` a LeaderWorkerSet whose leader runs the
   * server and whose workers join it.
   */
  private addWorkload(track: 'stable' | 'canary', options: { name: string; labels: Record<string, string>; selector: Record<string, string>; replicas?: number; pod: ModelServerPodOptions }): void {
    const ids = track === 'stable' ? { deployment: 'Deployment', group: 'LeaderWorkerSet' } : { deployment: 'CanaryDeployment', group: 'CanaryLeaderWorkerSet' };
    // Kueue reads the queue from the workload object (it gates the pods it creates).
    const queue: Record<string, string> = this.queueName ? { [KUEUE_QUEUE_NAME_LABEL]: this.queueName } : {};
    const metadata = { name: options.name, namespace: this.namespace, labels: { ...options.labels, ...queue } };
    const multiNode = this.multiNode;
    if (!multiNode) {
      const deployment: k8s.KubeDeploymentProps = {
        metadata,
        spec: {
          replicas: options.replicas,
          revisionHistoryLimit: track === 'stable' ? 5 : undefined,
          selector: { matchLabels: options.selector },
          // A new replica must be ready before an old one goes: serving capacity never drops.
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(0), maxSurge: k8s.IntOrString.fromNumber(1) } },
          progressDeadlineSeconds: track === 'stable' ? options.pod.maxStartupTime.toSeconds() + 600 : undefined,
          template: modelServerPodTemplate(options.pod),
        },
      };
      if (this.claimsGpus) {
        addClaimingWorkload(this.chart, ids.deployment, k8s.KubeDeployment.GVK, metadata, k8s.toJson_DeploymentSpec(deployment.spec), gpuClaimTemplateName(this.name));
      }
      else new k8s.KubeDeployment(this.chart, ids.deployment, deployment);
      return;
    }
    const args = this.groupArgs(options.pod.args ?? []);
    const efa = multiNode.efa ? this.efaDevicesPerPod() : undefined;
    const groupPod = (role: 'leader' | 'worker', podArgs: string[], command?: string[]): ModelServerPodOptions => ({
      ...options.pod,
      labels: { ...options.pod.labels, [GROUP_ROLE_LABEL]: role },
      command,
      args: podArgs,
      serving: role === 'leader',
      // libfabric would back its buffers with huge pages, which the pods do not request
      // (Karpenter cannot provision for them); the cost is a few percent of bandwidth.
      env: efa ? { FI_EFA_USE_HUGE_PAGE: '0', ...options.pod.env } : options.pod.env,
      extraResources: efa ? { [EFA_RESOURCE]: efa } : undefined,
      extraPorts: multiNode.launch === MultiNodeLaunch.VLLM && role === 'leader' ? [{ name: 'rendezvous', containerPort: VLLM_MASTER_PORT, protocol: 'TCP' }] : undefined,
    });
    const group = addLeaderWorkerSetObject(this.chart, ids.group, {
      ...metadata,
      replicas: options.replicas,
      size: multiNode.nodes,
      leaderTemplate: modelServerPodTemplate(groupPod('leader', args.leader, options.pod.command)),
      workerTemplate: modelServerPodTemplate(groupPod('worker', args.worker, multiNode.workerCommand ?? options.pod.command)),
    });
    if (this.claimsGpus) {
      claimGpusFromTemplate(group, ['/spec/leaderWorkerTemplate/leaderTemplate/spec', '/spec/leaderWorkerTemplate/workerTemplate/spec'], gpuClaimTemplateName(this.name));
    }
  }

  /**
   * EFA devices each pod of a group requests: all of its node's (every pod has a node of its
   * own), the same count on every capacity the service may use.
   */
  private efaDevicesPerPod(): number {
    const eligible = this.eligibleCapacities();
    const counts = [...new Set(eligible.map((c) => c.efaDevicesPerNode!))];
    if (counts.length === 0) {
      throw new PropValidationError(this, 'multiNode', 'efa: true', `finds no EFA-enabled GPU capacity on site "${this.site.siteName}"${this.gpuRequirements ? ` matching ${describeGpuRequirements(this.gpuRequirements)}` : ''}`,
        'Add a node group with efa: true (an instance type with EFA, e.g. p5.48xlarge) before the service, or drop efa.');
    }
    if (counts.length > 1) {
      throw new PropValidationError(this, 'multiNode', 'efa: true', `may run on EFA capacities with different device counts (${eligible.map((c) => `${c.capacityName}: ${c.efaDevicesPerNode}`).join(', ')}), but its pods request one count`,
        'Pin the service to capacities of one instance type with gpuRequirements (e.g. nodeGroups).');
    }
    return counts[0];
  }

  /** Leader and worker arguments of a multi-node replica. */
  private groupArgs(args: string[]): { leader: string[]; worker: string[] } {
    const multiNode = this.multiNode!;
    if (multiNode.launch === MultiNodeLaunch.CUSTOM) return { leader: args, worker: multiNode.workerArgs ?? [] };
    return vllmGroupArgs(args, vllmParallelism(multiNode, this.gpusPerReplica), multiNode.nodes);
  }

  private validate(props: InferenceServiceProps, port: number): void {
    checkDnsLabel(this, 'name', props.name, 47);
    checkWorkloadNamespace(this, 'namespace', props.namespace);
    // The HPA caps stabilization windows at one hour; KEDA polls at least every second.
    checkDurationRange(this, 'scalingBehavior.scaleDownStabilization', props.scalingBehavior?.scaleDownStabilization, Duration.seconds(0), Duration.hours(1));
    checkDurationRange(this, 'scalingBehavior.pollingInterval', props.scalingBehavior?.pollingInterval, Duration.seconds(1), Duration.hours(1));
    if (props.model) normalizeKeyPrefix(this, 'model.prefix', props.model.prefix);
    checkInteger(this, 'port', port, 1, 65535);
    checkInteger(this, 'gpusPerReplica', this.gpusPerReplica, 0, 64);
    checkInteger(this, 'minReplicas', this.minReplicas, props.scaleToZero ? 0 : 1);
    checkInteger(this, 'maxReplicas', this.maxReplicas, 1, 1000);
    checkOrdered(this, [['minReplicas', this.minReplicas], ['maxReplicas', this.maxReplicas]]);
    checkInteger(this, 'canary.replicas', props.canary?.replicas, 1, 100);
    checkInteger(this, 'canary.trafficPercent', props.canary?.trafficPercent, 1, 99);
    if (props.canary?.matchHeader) checkHeaderMatch(this, 'canary.matchHeader', props.canary.matchHeader);
    if ((props.canary?.trafficPercent !== undefined || props.canary?.matchHeader) && (props.exposure ?? ServiceExposure.clusterIp()).type !== ExposureType.GATEWAY) {
      throw new PropValidationError(this, 'canary', props.canary.trafficPercent !== undefined ? `trafficPercent ${props.canary.trafficPercent}` : 'matchHeader',
        'needs a Gateway exposure: a Service or an Ingress spreads requests over all ready pods, so the canary\'s share is its replica share',
        'Expose the service with ServiceExposure.gatewayWithCertificate(...) or gateway(...), or drop trafficPercent and matchHeader.');
    }
    checkQuantity(this, 'cpu', props.cpu, '3');
    checkQuantity(this, 'memory', props.memory, '24Gi');
    checkQuantity(this, 'sharedMemory', props.sharedMemory, '8Gi');
    if (!props.image) throw new PropValidationError(this, 'image', props.image, 'is not an image reference', 'Give an image like "vllm/vllm-openai:v0.11.0".');
    checkImageReference(this, 'image', props.image);
    checkImageReference(this, 'canary.image', props.canary?.image);
    checkLabelValue(this, 'modelVersion', props.modelVersion);
    if (props.canary) checkLabelValue(this, 'canary.modelVersion', props.canary.modelVersion);
    const healthPath = props.healthPath ?? DEFAULT_HEALTH_PATH;
    if (!healthPath.startsWith('/')) {
      throw new PropValidationError(this, 'healthPath', healthPath, 'is not an absolute HTTP path', 'Start it with "/", e.g. "/health" (vLLM) or "/v2/health/ready" (Triton).');
    }
    for (const model of [props.model, props.canary?.model]) {
      if (model && !Token.isUnresolved(model.prefix) && (model.normalizedPrefix === '' || model.prefix.includes('..'))) {
        throw new PropValidationError(this, 'model', model.prefix, 'is not a prefix inside the lake zone', `Give the key prefix of the model's files in zone "${model.zone.zoneName}", e.g. "llama-3-8b/v3".`);
      }
    }
    this.validateScaling(props);
    if (props.multiNode) this.validateMultiNode(props, props.multiNode);
    if (props.endpointPicker) this.validateEndpointPicker(props, props.endpointPicker);
    if (props.queueName !== undefined) this.validateQueue(props, props.queueName);
    checkExposure(this, props.site, props.exposure ?? ServiceExposure.clusterIp());
  }

  private validateQueue(props: InferenceServiceProps, queueName: string): void {
    const site = props.site;
    checkDnsLabel(this, 'queueName', queueName, 63);
    if (!site.kueueAvailable) {
      throw new PropValidationError(this, 'queueName', queueName, `needs Kueue, which site "${site.siteName}" does not run`,
        site instanceof EksSite ? 'Call gpuCluster.addKueue() and create the Team whose queue the service uses first.' : 'Install Kueue on the cluster and declare kueueAvailable: true on the site.');
    }
    const timeout = site instanceof EksSite ? site.kueuePodsReadyTimeout : undefined;
    if (timeout && !Token.isUnresolved(this.maxStartupTime.toSeconds()) && this.maxStartupTime.toSeconds() > timeout.toSeconds()) {
      const derived = props.maxStartupTime === undefined && this.modelSize !== undefined;
      throw new PropValidationError(this, 'maxStartupTime', `${this.maxStartupTime.toHumanString()}${derived ? ' (from modelSize)' : ''}`,
        `is longer than Kueue's podsReadyTimeout (${timeout.toHumanString()}): Kueue would evict the queued service before its pods may become ready, over and over`,
        'Lower maxStartupTime (or mount the weights: the size-based default then reads them once, not twice), or raise podsReadyTimeout in gpuCluster.addKueue({ podsReadyTimeout }).');
    }
  }

  private validateEndpointPicker(props: InferenceServiceProps, picker: EndpointPickerOptions): void {
    const site = props.site;
    const exposure = props.exposure ?? ServiceExposure.clusterIp();
    if (exposure.type !== ExposureType.GATEWAY || exposure.certificateArn !== undefined) {
      throw new PropValidationError(this, 'endpointPicker', 'set', exposure.type !== ExposureType.GATEWAY
        ? 'needs a Gateway exposure: the Gateway asks the picker which pod serves each request'
        : 'needs a Gateway that routes to InferencePools, which the AWS Load Balancer Controller\'s ALB does not',
      'Expose the service with ServiceExposure.gateway(host, tlsSecret) on a site whose gateway class supports the Inference Extension (Istio, agentgateway, kgateway, NGINX Gateway Fabric, GKE).');
    }
    if (!site.inferencePoolAvailable) {
      throw new PropValidationError(this, 'endpointPicker', 'set', `needs InferencePool support, which site "${site.siteName}" does not declare`,
        'Install the InferencePool CRD (GAIE v1.6.0 v1-manifests.yaml) and an implementation for the site\'s gateway class, then declare inferencePoolAvailable: true on the site.');
    }
    checkImageReference(this, 'endpointPicker.image', picker.image);
    checkQuantity(this, 'endpointPicker.cpu', picker.cpu, '8');
    checkQuantity(this, 'endpointPicker.memory', picker.memory, '8Gi');
  }

  private validateMultiNode(props: InferenceServiceProps, multiNode: MultiNodeServing): void {
    const site = props.site;
    if (!site.leaderWorkerSetAvailable) {
      throw new PropValidationError(this, 'multiNode', `${multiNode.nodes} nodes`, `needs LeaderWorkerSet, which site "${site.siteName}" does not have`,
        site instanceof EksSite ? 'Call gpuCluster.addLeaderWorkerSet() before adding multi-node services.' : 'Install LeaderWorkerSet (>= 0.7) on the cluster and declare leaderWorkerSetAvailable: true on the site.');
    }
    checkInteger(this, 'multiNode.nodes', multiNode.nodes, 2, 32);
    if (this.sharedGpu || this.gpusPerReplica === 0) {
      throw new PropValidationError(this, this.sharedGpu ? 'sharedGpu' : 'gpusPerReplica', this.sharedGpu ? true : 0,
        'cannot go with multiNode, which spreads one model over the whole GPUs of several nodes',
        'Give gpusPerReplica the GPUs each node holds (e.g. 8), or serve the model from one node without multiNode.');
    }
    for (const port of multiNode.groupPorts ?? []) checkInteger(this, 'multiNode.groupPorts', port, 1, 65535);
    if (multiNode.launch === MultiNodeLaunch.CUSTOM) return;
    checkInteger(this, 'multiNode.tensorParallelSize', multiNode.tensorParallelSize, 1, 1024);
    checkInteger(this, 'multiNode.pipelineParallelSize', multiNode.pipelineParallelSize, 1, 1024);
    for (const [prop, args] of [['args', props.args], ['canary.args', props.canary?.args]] as const) {
      const conflicting = conflictingVllmFlags(args ?? []);
      if (conflicting.length > 0) {
        throw new PropValidationError(this, prop, conflicting.join(' '), 'sets flags that MultiNodeServing.vllm writes itself (parallel sizes and the multi-node launch)',
          'Drop them from args and give tensorParallelSize / pipelineParallelSize to MultiNodeServing.vllm instead.');
      }
    }
    if (!known([this.gpusPerReplica, multiNode.nodes, multiNode.tensorParallelSize ?? 1, multiNode.pipelineParallelSize ?? 1])) return;
    const gpus = this.gpusPerReplica * multiNode.nodes;
    const { tensor, pipeline } = vllmParallelism(multiNode, this.gpusPerReplica);
    if (tensor * pipeline !== gpus) {
      throw new PropValidationError(this, 'multiNode', `tensorParallelSize ${tensor} x pipelineParallelSize ${pipeline}`,
        `does not use the replica's ${gpus} GPUs (gpusPerReplica ${this.gpusPerReplica} x nodes ${multiNode.nodes}); vLLM needs one worker per GPU`,
        `Choose sizes whose product is ${gpus}, e.g. tensorParallelSize ${this.gpusPerReplica} and pipelineParallelSize ${multiNode.nodes}.`);
    }
  }

  private validateScaling(props: InferenceServiceProps): void {
    const { scaling, scaleToZero, site } = props;
    if (scaleToZero && !scaling) {
      throw new PropValidationError(this, 'scaleToZero', 'set', 'needs autoscaling', 'Set scaling, e.g. InferenceScaling.onQueueDepth(8).');
    }
    if (!scaling) return;
    checkNumber(this, 'scaling target', scaling.target, Number.MIN_VALUE, scaling.maxTarget);
    if (scaleToZero && !scaling.canScaleToZero) {
      throw new PropValidationError(this, 'scaling', scaling.signal, 'cannot scale to zero (KEDA\'s CPU scaler keeps at least one replica)',
        'Scale on a serving signal (onQueueDepth, onConcurrency, onGpuUtilization, onPrometheusQuery) or drop scaleToZero.');
    }
    if (!site.kedaAvailable) {
      throw new PropValidationError(this, 'scaling', scaling.signal, `needs KEDA, which site "${site.siteName}" does not have`,
        site instanceof EksSite ? 'Call gpuCluster.addInferenceAutoscaling() before adding autoscaled services.' : 'Install KEDA on the cluster and declare kedaAvailable: true on the site.');
    }
    if (scaleToZero?.signal === WakeUpSignal.REQUEST) this.validateWakeOnRequest(props);
    if ((scaling.needsPrometheus || scaleToZero?.signal === WakeUpSignal.PROMETHEUS_QUERY) && !site.prometheusQueryUrl) {
      throw new PropValidationError(this, 'scaling', scaling.signal, `needs a Prometheus query API, which site "${site.siteName}" does not declare`,
        site instanceof EksSite ? 'Call gpuCluster.addInferenceAutoscaling() (Amazon Managed Prometheus) first.' : 'Declare prometheusQueryUrl on the site, or scale with InferenceScaling.onCpu().');
    }
  }

  private validateWakeOnRequest(props: InferenceServiceProps): void {
    const site = props.site;
    if (!site.kedaHttpAddOnAvailable) {
      throw new PropValidationError(this, 'scaleToZero', 'onRequest', `needs the KEDA HTTP add-on, which site "${site.siteName}" does not have`,
        site instanceof EksSite ? 'Call gpuCluster.addInferenceAutoscaling({ kedaHttpAddOn: true }), or wake with ScaleToZero.whenIdle(query).'
          : 'Install the add-on (chart keda-add-ons-http >= 0.14) in namespace keda and declare kedaHttpAddOnAvailable: true on the site.');
    }
    const exposure = props.exposure ?? ServiceExposure.clusterIp();
    if (exposure.type !== ExposureType.CLUSTER_IP) {
      throw new PropValidationError(this, 'exposure', exposure.type, 'bypasses the KEDA HTTP interceptor that wakes the service on requests (a load balancer or ingress sends to the pods, which do not exist at zero)',
        'Use ServiceExposure.clusterIp() and let clients call the service url, or wake with ScaleToZero.whenIdle(query) on a signal your ingress produces.');
    }
    // `<name>-wake` stays a DNS label: names are at most 47 characters.
  }

  /** Grants read of the model prefixes to the identity the pods use on this site. */
  private grantModelAccess(props: InferenceServiceProps): iam.Role | undefined {
    // Mounted models are read by the CSI driver's role (granted in mountModels).
    const models = [props.model, props.canary?.model].filter((m): m is ModelSource => m !== undefined && !m.mounted);
    if (models.length === 0) return undefined;
    const site = props.site;
    switch (site.workloadCredentials) {
      case WorkloadCredentials.EKS_POD_IDENTITY: {
        const cluster = (site as EksSite).cluster;
        const { role } = serviceAccountRole(this, { role: 'PodRole', association: 'PodIdentity' }, {
          cluster, namespace: this.namespace, serviceAccount: this.name, description: `Model server ${this.namespace}/${this.name}: reads its model prefix`,
        });
        for (const model of models) model.zone.grantRead(role, model.normalizedPrefix);
        acknowledgeInlinePolicies(role);
        acknowledgeWildcards(role, 'Read access is limited to the objects under the model\'s prefix; the wildcard only spans the files of that model version.',
          models.map((m) => wildcardResource(role, `${m.zone.bucket.bucketArn}/${m.normalizedPrefix}/*`)));
        return role;
      }
      case WorkloadCredentials.IAM_ROLES_ANYWHERE:
        if (!site.rolesAnywhereRole) {
          throw new PropValidationError(this, 'model', models[0].prefix, `needs AWS credentials, but site "${site.siteName}" declares no rolesAnywhereRole`,
            'Give the site the IAM role its workloads assume through IAM Roles Anywhere (rolesAnywhereRole).');
        }
        if (!site.rolesAnywhereHelperImage) {
          throw new PropValidationError(this, 'model', models[0].prefix, `needs AWS credentials, but site "${site.siteName}" declares no rolesAnywhereHelperImage`,
            'Give the site an image with aws_signing_helper (rolesAnywhereHelperImage); AWS publishes the binary, not an image: see the README "On-premises setup".');
        }
        // Manifests of sites outside this app's EKS clusters are applied by hand: the bucket
        // name must be in them, not a CloudFormation reference.
        for (const model of models) {
          if (site.platform !== SitePlatform.EKS && (model.zone.literalBucketName === undefined || Token.isUnresolved(model.prefix))) {
            throw new PropValidationError(this, 'model', model.prefix,
              `is read from zone "${model.zone.zoneName}", whose bucket name is only known at deploy time, but site "${site.siteName}" applies its manifests outside CloudFormation`,
              'Give the zone a literal bucket name (DataLakeZoneProps.bucketName, or import the bucket by name) and a literal prefix.');
          }
        }
        if (site.rolesAnywhereModelReadScope === ModelReadScope.WHOLE_ZONE) {
          for (const model of models) grantZoneReadOnce(site.rolesAnywhereRole, model.zone);
          return undefined;
        }
        for (const model of models) model.zone.grantRead(site.rolesAnywhereRole, model.normalizedPrefix);
        acknowledgeWildcards(site.rolesAnywhereRole, 'Read access is limited to the objects under the model\'s prefix; the wildcard only spans the files of that model version.',
          models.map((m) => wildcardResource(site.rolesAnywhereRole!, `${m.zone.bucket.bucketArn}/${m.normalizedPrefix}/*`)));
        return undefined;
      default:
        throw new PropValidationError(this, 'model', models[0].prefix, `needs AWS credentials, but site "${site.siteName}" gives workloads none`,
          'Use a site with EKS Pod Identity or IAM Roles Anywhere (workloadCredentials), or let the server load its model itself.');
    }
  }

  /** PersistentVolumes and claims of mounted models (stable, and the canary's own), readable by the driver. */
  private mountModels(props: InferenceServiceProps, claims: { stable: string; canary: string }): void {
    const tracks: Array<[string, string, ModelSource | undefined]> = [
      ['Model', claims.stable, props.model],
      ['CanaryModel', claims.canary, props.canary?.model],
    ];
    for (const [id, claimName, model] of tracks) {
      if (!model?.mounted) continue;
      const site = props.site;
      const driver = site instanceof EksSite ? site.mountpointS3 : undefined;
      if (!driver) {
        throw new PropValidationError(this, id === 'Model' ? 'model' : 'canary.model', model.prefix, `is mounted, but site "${site.siteName}" has no Mountpoint for Amazon S3 CSI driver`,
          site instanceof EksSite ? 'Call gpuCluster.addMountpointS3() before the service, or use ModelSource.fromDataLake (copied at start).' : 'Use ModelSource.fromDataLake (copied at start) on clusters outside EKS.');
      }
      if (this.placement === GpuPlacement.HYBRID || (this.placement === GpuPlacement.ANY && site.gpuCapacities.some((c) => c.hybrid))) {
        throw new PropValidationError(this, 'placement', this.placement, 'lets the pods run on EKS Hybrid Nodes, which the Mountpoint for Amazon S3 CSI driver does not support',
          'Use placement GpuPlacement.CLOUD with a mounted model, or ModelSource.fromDataLake (copied at start).');
      }
      driver.grantZone(model.zone);
      addModelMount(this.chart, id, { claimName, namespace: this.namespace, model, region: Stack.of(site).region });
    }
  }

  /** The site's capacities this service may use: its pods ask for GPUs the way those allocate them. */
  private eligibleCapacities(): IGpuCapacity[] {
    return this.candidateCapacities().filter((c) => allocatesByClaim(c) === this.claimsGpus);
  }

  /**
   * Claimed (DRA) or requested (device plugin) GPUs: the way every capacity the service may use
   * allocates them. A pod asks one way, so the capacities must agree.
   */
  private resolveGpuClaims(): boolean {
    if (this.gpusPerReplica === 0) return false;
    if (this.gpuRequirements) checkGpuRequirements(this, 'gpuRequirements', this.gpuRequirements);
    const candidates = this.candidateCapacities();
    const claimed = candidates.filter(allocatesByClaim);
    if (claimed.length === 0) return false;
    if (claimed.length < candidates.length) {
      throw new PropValidationError(this, 'gpuRequirements', describeGpuRequirements(this.gpuRequirements ?? {}),
        `lets the pods use GPUs claimed through Dynamic Resource Allocation (${claimed.map((c) => c.capacityName).join(', ')}) and GPUs requested from a device plugin (${candidates.filter((c) => !allocatesByClaim(c)).map((c) => c.capacityName).join(', ')}), but a pod asks for its GPUs one way`,
        'Pin the service to capacities of one kind with gpuRequirements (e.g. capacities: [nodeGroup]).');
    }
    return true;
  }

  /** The site's capacities whose GPUs suit the service: its placement allows them and they meet its GPU requirements. */
  private candidateCapacities(): IGpuCapacity[] {
    // Shares and whole GPUs are different resources: a pod can use only capacity of its kind.
    return this.site.gpuCapacities.filter((c) => placementAllows(this.placement, c) && capacityMatches(c, this.gpuRequirements) && offersShares(c) === this.sharedGpu
      // Pods that request EFA devices run only where nodes advertise them.
      && (this.multiNode?.efa !== true || (c.efaDevicesPerNode ?? 0) > 0)
      // A process uses one MIG instance: a replica wanting more GPUs cannot run on them.
      && (!isMigPartitioned(c) || this.servesOnOneMigInstance));
  }

  /** Whether a replica is one pod with at most one GPU (what a MIG instance can serve). */
  private get servesOnOneMigInstance(): boolean {
    return this.gpusPerReplica <= 1 && this.multiNode === undefined;
  }

  /**
   * With GPU requirements: the capacities the pods are pinned to, known now because the pod's
   * node affinity names them (a capacity registered later is caught by checkCapacity).
   */
  private pinCapacities(): IGpuCapacity[] | undefined {
    if (this.gpusPerReplica === 0) return undefined;
    if (this.gpuRequirements === undefined) {
      // Claimed GPUs are pinned too, where the capacities have labels: Kueue then gives the
      // pods only ResourceFlavors of capacity that publishes gpu.nvidia.com devices.
      const eligible = this.eligibleCapacities();
      return this.claimsGpus && eligible.every((c) => Object.keys(c.nodeSelector ?? {}).length > 0) ? eligible : undefined;
    }
    // The requirements were checked by resolveGpuClaims.
    const pinned = this.eligibleCapacities();
    if (pinned.length === 0) {
      throw new PropValidationError(this, 'gpuRequirements', describeGpuRequirements(this.gpuRequirements),
        `matches no GPU capacity of site "${this.site.siteName}"${this.placement === GpuPlacement.ANY ? '' : ` for placement ${this.placement}`} (it has ${this.site.gpuCapacities.map((c) => `${c.capacityName}: ${c.gpuModels?.join('/') ?? 'model unknown'}`).join('; ') || 'none'})`,
        'Add a node group or node pool with those GPUs before the service, or relax gpuRequirements.');
    }
    const unlabeled = pinned.find((c) => c.nodeSelector === undefined || Object.keys(c.nodeSelector).length === 0);
    if (unlabeled) {
      throw new PropValidationError(this, 'gpuRequirements', describeGpuRequirements(this.gpuRequirements),
        `matches ${unlabeled.capacityName}, which declares no node labels to pin pods to`,
        'Declare nodeLabels on the site\'s gpuCapacity (e.g. NVIDIA GPU feature discovery\'s nvidia.com/gpu.product).');
    }
    return pinned;
  }

  /** One replica must fit a node it may use; the site-wide sum is checked by the site (site-gpu-demand.ts). */
  private checkCapacity(): string[] {
    if (this.gpusPerReplica === 0) return [];
    const eligible = this.eligibleCapacities();
    if (this.pinnedCapacities) {
      const late = eligible.filter((c) => !this.pinnedCapacities!.includes(c));
      if (late.length > 0) {
        return [`${this.gpuRequirements ? `gpuRequirements (${describeGpuRequirements(this.gpuRequirements)})` : 'The GPUs the service claims through DRA'} also match ${late.map((c) => c.capacityName).join(', ')}, registered after the service: its pods are not pinned there. Create GPU capacity before the services that select it.`];
      }
    }
    const { gpusPerNode: perNode } = summarizeGpuCapacity(eligible);
    if (perNode === 0 && this.sharedGpu) {
      return [`sharedGpu = true, but site "${this.site.siteName}" has no time-sliced GPU capacity${this.gpuRequirements ? ` matching ${describeGpuRequirements(this.gpuRequirements)}` : ''}. Add a node group with timeSlicing (or declare gpuCapacity.timeSlicing on a KubernetesSite).`];
    }
    const migOnly = this.site.gpuCapacities.filter((c) => isMigPartitioned(c) && placementAllows(this.placement, c) && capacityMatches(c, this.gpuRequirements));
    if (perNode === 0 && !this.servesOnOneMigInstance && migOnly.length > 0) {
      return [`gpusPerReplica = ${this.gpusPerReplica}${this.multiNode ? ' across nodes' : ''}, but the GPU capacity of site "${this.site.siteName}" that the service may use is MIG-partitioned (${migOnly.map((c) => c.capacityName).join(', ')}): a process sees one MIG instance only, so a replica gets one. Use one GPU per replica (a large enough instance: gpuRequirements minGpuMemory), or add capacity with whole GPUs.`];
    }
    const otherKind = perNode === 0 ? this.candidateCapacities().filter((c) => allocatesByClaim(c) !== this.claimsGpus) : [];
    if (otherKind.length > 0) {
      return [`The GPU capacity the service may use (${otherKind.map((c) => c.capacityName).join(', ')}) ${this.claimsGpus ? 'is requested from a device plugin' : 'is claimed through Dynamic Resource Allocation'}, registered after the service decided how its pods ask for GPUs. Create GPU capacity before the services that use it.`];
    }
    if (perNode === 0) {
      const where = this.placement === GpuPlacement.ANY ? '' : ` for placement ${this.placement}`;
      return [`gpusPerReplica = ${this.gpusPerReplica}, but site "${this.site.siteName}" has no GPU capacity${where}. Add a GPU node group or node pool to the site (or declare gpuCapacity on a KubernetesSite).`];
    }
    if (this.scaling?._builtInMetricSource === ScalingMetricSource.ACCELERATOR && eligible.some(isMigPartitioned)) {
      return [`scaling on GPU utilization reads DCGM_FI_DEV_GPU_UTIL, which DCGM does not report for MIG instances (NVIDIA/dcgm-exporter#216), and the service may run on MIG-partitioned ${eligible.filter(isMigPartitioned).map((c) => c.capacityName).join(', ')}: it would never scale. Scale on queue depth or concurrency, or on DCGM_FI_PROF_GR_ENGINE_ACTIVE with InferenceScaling.onPrometheusQuery.`];
    }
    if (this.scaling?._builtInMetricSource === ScalingMetricSource.ACCELERATOR && this.claimsGpus) {
      return [`scaling on GPU utilization needs DCGM to attribute each GPU to its pod, which the exporters the library deploys do not do for GPUs claimed through Dynamic Resource Allocation (the CloudWatch add-on has no DRA support; dcgm-exporter's needs a DRA mode and ResourceSlice access), and the service claims its GPUs on ${eligible.map((c) => c.capacityName).join(', ')}: it would never scale. Scale on queue depth or concurrency.`];
    }
    if (this.gpusPerReplica > perNode) {
      const which = this.gpuRequirements ? ` matching ${describeGpuRequirements(this.gpuRequirements)}` : '';
      return [`gpusPerReplica = ${this.gpusPerReplica} is more than any node${which} of site "${this.site.siteName}" offers (${perNode}); the pods would stay Pending. Lower gpusPerReplica or add capacity with ${this.gpusPerReplica}-GPU nodes.`];
    }
    return [...this.checkModelFit(eligible), ...this.checkNodeFit(eligible)];
  }

  /** A known, resolved model size within bounds; undefined otherwise. */
  private checkModelSize(size: Size | undefined): Size | undefined {
    if (size === undefined) return undefined;
    const gib = gibibytes(size);
    if (Token.isUnresolved(gib)) return undefined;
    checkNumber(this, 'modelSize (GiB)', gib, 0.001, 8192);
    return size;
  }

  /**
   * The weights must fit a replica's GPU memory on every capacity the pods may use (the share
   * vLLM may use by default), and a copy must fit a node's volume beside the system's needs.
   */
  private checkModelFit(eligible: readonly IGpuCapacity[]): string[] {
    if (!this.modelSize) return [];
    const gib = gibibytes(this.modelSize);
    const errors: string[] = [];
    const gpus = this.gpusPerReplica * this.podsPerReplica;
    const tooSmall = eligible.filter((c) => c.gpuMemoryGiB !== undefined && gib > c.gpuMemoryGiB * gpus * USABLE_GPU_MEMORY_SHARE);
    if (tooSmall.length > 0) {
      const c = tooSmall[0];
      errors.push(`modelSize = ${gib} GiB does not fit the GPU memory of a replica on ${tooSmall.map((t) => t.capacityName).join(', ')} (${gpus} x ${c.gpuMemoryGiB} GiB${isMigPartitioned(c) ? ' MIG instance' : ''}, ${USABLE_GPU_MEMORY_SHARE * 100} % usable): the server would fail loading the weights. Raise gpusPerReplica, pin larger GPUs with gpuRequirements { minGpuMemory }, or serve a quantized model.`);
    }
    // Copied weights, and weights the server downloads itself (to its scratch volume), are on the node's disk.
    if (this.weightDelivery !== WeightDelivery.MOUNTED) {
      const noRoom = eligible.filter((c) => c.nodeVolumeGiB !== undefined && gib > c.nodeVolumeGiB - NODE_DISK_RESERVED_GIB);
      if (noRoom.length > 0) {
        errors.push(`modelSize = ${gib} GiB is ${this.weightDelivery === WeightDelivery.COPIED ? 'copied' : 'downloaded by the server'} into every pod, but the nodes of ${noRoom.map((c) => `${c.capacityName} (${c.nodeVolumeGiB} GiB)`).join(', ')} keep about ${NODE_DISK_RESERVED_GIB} GiB of their volume for the system and images: the copy cannot fit and the pods stay Pending. Raise the node group's volumeSize, or mount the model (ModelSource.mountFromDataLake).`);
      }
    }
    return errors;
  }

  /**
   * cpu and memory must fit a node the pods may use (with enough GPUs): what it can allocate
   * after the kubelet and system DaemonSets (estimated). Unknown nodes (declared capacity,
   * hybrid) are not checked.
   */
  private checkNodeFit(eligible: readonly IGpuCapacity[]): string[] {
    const cpu = parseQuantity(this.cpu);
    const memoryGiB = parseQuantity(this.memory);
    if (cpu === undefined || memoryGiB === undefined) return [];
    const withGpus = eligible.filter((c) => (c.maxGpusPerNode ?? c.gpusPerNode) >= this.gpusPerReplica);
    if (withGpus.some((c) => c.nodeAllocatable === undefined)) return [];
    const nodes = withGpus.flatMap((c) => c.nodeAllocatable!);
    const gib = memoryGiB / 2 ** 30;
    if (nodes.length === 0) return [];
    if (nodes.some((n) => cpu <= n.vcpus && gib <= n.memoryGiB)) return this.sharedGpu ? this.checkSharesFit(withGpus, cpu, gib) : [];
    const best = nodes.reduce((a, b) => (b.memoryGiB > a.memoryGiB || (b.memoryGiB === a.memoryGiB && b.vcpus > a.vcpus) ? b : a));
    return [`cpu = "${this.cpu}" and memory = "${this.memory}" fit no node the service may use on site "${this.site.siteName}" (the largest, ${best.instanceType}, can allocate about ${best.vcpus.toFixed(2)} vCPU and ${best.memoryGiB.toFixed(1)} GiB after the kubelet's reservation and system DaemonSets); the pods would stay Pending. Lower cpu or memory, or add larger nodes.`];
  }

  /**
   * Shares are counted as units by the site's demand check, but a node's shares serve pods
   * only as far as its CPU and memory go: the replicas that must run (minimum, canary, one
   * surge) must fit the shares this service's pods can actually occupy, node by node (the
   * smallest instance type of each capacity).
   */
  private checkSharesFit(capacities: readonly IGpuCapacity[], cpu: number, gib: number): string[] {
    const usable = capacities.reduce((sum, c) => {
      const podsPerNode = Math.min(...c.nodeAllocatable!.map((n) => Math.floor(Math.min(n.vcpus / cpu, n.memoryGiB / gib))));
      const nodes = Math.floor(c.maxGpus / Math.max(1, c.gpusPerNode));
      return sum + nodes * Math.min(c.gpusPerNode * unitsPerGpu(c), podsPerNode);
    }, 0);
    const needed = this.gpuDemand.guaranteedReplicas;
    if (!known([needed, usable]) || needed <= usable) return [];
    return [`sharedGpu: ${needed} replicas must run (minReplicas + canary + 1 rollout surge), but with cpu = "${this.cpu}" and memory = "${this.memory}" the time-sliced nodes of site "${this.site.siteName}" hold only ${usable} of its pods (CPU and memory run out before the GPU shares). Lower cpu or memory, or add shared capacity.`];
  }
}

/** Services per site, so the site's whole demand is checked once (see site-gpu-demand.ts). */
const servicesOfSite = new WeakMap<IKubernetesSite, InferenceService[]>();

function registerGpuDemand(site: IKubernetesSite, service: InferenceService): void {
  const services = servicesOfSite.get(site);
  if (services) {
    services.push(service);
    return;
  }
  const first = [service];
  servicesOfSite.set(site, first);
  site.node.addValidation({
    validate: () => {
      const { errors, warnings } = checkSiteGpuDemand(site.siteName, site.gpuCapacities, first.map((s) => s.gpuDemand));
      for (const warning of warnings) Annotations.of(site).addWarningV2('cdk-scalable-ai:gpuPeakDemand', warning);
      return errors;
    },
  });
}

/** Zones each role was granted whole (ModelReadScope.WHOLE_ZONE): one grant per role and zone. */
const zoneReadGrants = new WeakMap<iam.IRole, Set<IDataLakeZone>>();

function grantZoneReadOnce(role: iam.IRole, zone: IDataLakeZone): void {
  const granted = zoneReadGrants.get(role) ?? new Set<IDataLakeZone>();
  zoneReadGrants.set(role, granted);
  if (granted.has(zone)) return;
  granted.add(zone);
  zone.grantRead(role);
  acknowledgeWildcards(role, 'The site reads every model of its models zone (rolesAnywhereModelReadScope WHOLE_ZONE, chosen for sites serving hundreds of models); the zone holds model files only.',
    [wildcardResource(role, `${zone.bucket.bucketArn}/*`)]);
}
