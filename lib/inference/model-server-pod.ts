/**
 * The model server's pod template: one builder for the stable and the canary Deployment, so
 * both get the same security, scheduling, probes and model download.
 */
import { Duration } from 'aws-cdk-lib';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { GPU_CLAIM_NAME } from './gpu-claim';
import { ModelSource } from './model-source';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { gpuNodeAffinity, gpuTolerations } from '../k8s/scheduling';
import { IKubernetesSite, WorkloadCredentials } from '../sites/kubernetes-site-interface';
import { rolesAnywherePodCredentials } from '../sites/roles-anywhere-credentials';

/** Where model files are placed inside the pod. */
export const MODEL_MOUNT_PATH = '/models';
/** Writable scratch space (HOME, caches) under a read-only root filesystem. */
export const SCRATCH_MOUNT_PATH = '/tmp';
/** Caches of the model server under the writable scratch volume. */
export const SCRATCH_CACHE_PATH = `${SCRATCH_MOUNT_PATH}/.cache`;
/**
 * User name the model server runs under. Its UID has no passwd entry in the image, and
 * Python's getpass.getuser() (which PyTorch's inductor calls for its cache directory) fails
 * unless LOGNAME or USER is set.
 */
export const MODEL_SERVER_USER = 'model-server';
/** Probe periods: readiness every 5 s, liveness every 15 s, startup every 10 s. */
export const STARTUP_PROBE_PERIOD = Duration.seconds(10);

export interface ModelServerPodOptions {
  readonly site: IKubernetesSite;
  readonly labels: Record<string, string>;
  readonly serviceAccountName: string;
  readonly image: string;
  readonly command?: string[];
  readonly args?: string[];
  readonly env: Record<string, string>;
  readonly port: number;
  readonly gpus: number;
  /** Resource the GPUs are requested as: whole GPUs, or shares of time-sliced GPUs. */
  readonly gpuResource: string;
  /**
   * Whether the GPUs are claimed through DRA instead (the container references the pod's GPU
   * claim; the workload adds the claim itself, see gpu-claim.ts). @default false
   */
  readonly gpuClaim?: boolean;
  readonly cpu: string;
  readonly memory: string;
  readonly sharedMemory: string;
  readonly healthPath: string;
  readonly maxStartupTime: Duration;
  /** Local disk the pod's copy of the model needs (a Kubernetes quantity). @default - none requested */
  readonly ephemeralStorage?: string;
  readonly model?: ModelSource;
  readonly modelDirectory: string;
  /** With a mounted model: the PersistentVolumeClaim of its prefix. */
  readonly modelClaimName?: string;
  readonly terminationGracePeriod: Duration;
  /** Extra node requirements (where on the site the pods may run). */
  readonly nodeRequirements: k8s.NodeSelectorRequirement[];
  /** Node selectors of the GPU capacities the pods are pinned to (one must match). @default - any GPU node of the site */
  readonly capacitySelectors?: Array<Record<string, string>>;
  /**
   * Whether the pod serves HTTP (its port, probes and scrape annotations). A multi-node
   * replica's workers do not: only the leader serves. @default true
   */
  readonly serving?: boolean;
  /** Extended resources besides the GPUs, e.g. EFA devices. @default - none */
  readonly extraResources?: Record<string, number>;
  /** TCP ports the pod listens on besides the HTTP port (declared for readers). @default - none */
  readonly extraPorts?: k8s.ContainerPort[];
}

function quantity(value: string): k8s.Quantity {
  return k8s.Quantity.fromString(value);
}

function httpProbe(path: string, port: number, periodSeconds: number, failureThreshold: number, timeoutSeconds: number): k8s.Probe {
  return { httpGet: { path, port: k8s.IntOrString.fromNumber(port) }, periodSeconds, failureThreshold, timeoutSeconds };
}

/**
 * Environment of the model server: identity and every cache on the scratch volume (the root
 * filesystem is read-only). Names from the vLLM (VLLM_CACHE_ROOT, VLLM_CONFIG_ROOT), PyTorch
 * (TORCHINDUCTOR_CACHE_DIR, TORCH_HOME), Triton, Hugging Face and CUDA documentation.
 */
export function modelServerEnvironment(): Record<string, string> {
  return {
    USER: MODEL_SERVER_USER,
    LOGNAME: MODEL_SERVER_USER,
    HOME: SCRATCH_MOUNT_PATH,
    XDG_CACHE_HOME: SCRATCH_CACHE_PATH,
    XDG_CONFIG_HOME: `${SCRATCH_MOUNT_PATH}/.config`,
    HF_HOME: `${SCRATCH_CACHE_PATH}/huggingface`,
    TORCH_HOME: `${SCRATCH_CACHE_PATH}/torch`,
    TORCHINDUCTOR_CACHE_DIR: `${SCRATCH_CACHE_PATH}/torchinductor`,
    TRITON_CACHE_DIR: `${SCRATCH_CACHE_PATH}/triton`,
    VLLM_CACHE_ROOT: `${SCRATCH_CACHE_PATH}/vllm`,
    VLLM_CONFIG_ROOT: `${SCRATCH_MOUNT_PATH}/.config/vllm`,
    CUDA_CACHE_PATH: `${SCRATCH_CACHE_PATH}/nv/ComputeCache`,
  };
}

/** The bucket name as manifests must carry it: literal when the zone declares it. */
export function modelBucketName(model: ModelSource): string {
  return model.zone.literalBucketName ?? model.zone.bucket.bucketName;
}

/** The pod template of a model server Deployment. */
export function modelServerPodTemplate(options: ModelServerPodOptions): k8s.PodTemplateSpec {
  const site = options.site;
  const scratch: k8s.VolumeMount = { name: 'scratch', mountPath: SCRATCH_MOUNT_PATH };
  const models: k8s.VolumeMount = { name: 'models', mountPath: MODEL_MOUNT_PATH };
  // A mounted model is read by the CSI driver with its own credentials: the pod needs none.
  const mounted = options.model?.mounted === true;
  const copied = options.model !== undefined && !mounted;
  const credentials = copied ? rolesAnywherePodCredentials(site) : { sidecars: [], env: [], volumes: [] };
  const volumes: k8s.Volume[] = [
    { name: 'scratch', emptyDir: {} },
    // Tensor-parallel serving exchanges tensors through /dev/shm; the container default is 64 MiB.
    { name: 'shm', emptyDir: { medium: 'Memory', sizeLimit: quantity(options.sharedMemory) } },
    ...(options.model ? [mounted
      ? { name: 'models', persistentVolumeClaim: { claimName: options.modelClaimName!, readOnly: true } }
      : { name: 'models', emptyDir: {} }] : []),
    ...credentials.volumes,
  ];

  // With Roles Anywhere, the credential sidecar starts first and serves the downloader.
  const initContainers: k8s.Container[] = copied ? [...credentials.sidecars, {
    name: 'model-download',
    image: site.resolveImage(site.modelDownloaderImage),
    command: ['aws', 's3', 'sync', '--only-show-errors', `s3://${modelBucketName(options.model!)}/${options.model!.normalizedPrefix}/`, options.modelDirectory],
    env: [{ name: 'HOME', value: SCRATCH_MOUNT_PATH }, ...credentials.env],
    resources: { requests: { cpu: quantity('500m'), memory: quantity('512Mi') }, limits: { memory: quantity('1Gi') } },
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [models, scratch],
  }] : [];

  // The user's env overrides the defaults (one entry per name).
  const envMap: Record<string, string> = {
    ...modelServerEnvironment(),
    ...(options.model ? { MODEL_PATH: options.modelDirectory } : {}),
    ...options.env,
  };
  const env: k8s.EnvVar[] = Object.entries(envMap).map(([name, value]) => ({ name, value }));

  const startupFailures = Math.max(1, Math.ceil(options.maxStartupTime.toSeconds() / STARTUP_PROBE_PERIOD.toSeconds()));
  const serving = options.serving ?? true;
  const ports: k8s.ContainerPort[] = [...(serving ? [{ name: 'http', containerPort: options.port, protocol: 'TCP' }] : []), ...(options.extraPorts ?? [])];
  const deviceRequests: Record<string, k8s.Quantity> = {
    ...(options.gpus > 0 && !options.gpuClaim ? { [options.gpuResource]: k8s.Quantity.fromNumber(options.gpus) } : {}),
    ...Object.fromEntries(Object.entries(options.extraResources ?? {}).map(([name, count]) => [name, k8s.Quantity.fromNumber(count)])),
  };
  return {
    metadata: {
      labels: options.labels,
      annotations: serving ? { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(options.port), 'prometheus.io/path': '/metrics' } : undefined,
    },
    spec: {
      serviceAccountName: options.serviceAccountName,
      // Service links would put e.g. VLLM_PORT=tcp://... into the pod for a Service named
      // "vllm", which vLLM rejects at start; the server finds nothing through them.
      enableServiceLinks: false,
      automountServiceAccountToken: site.workloadCredentials === WorkloadCredentials.EKS_POD_IDENTITY && copied,
      securityContext: restrictedPodSecurityContext(),
      terminationGracePeriodSeconds: options.terminationGracePeriod.toSeconds(),
      tolerations: options.gpus > 0 ? gpuTolerations(site.gpuNodeTaints) : undefined,
      affinity: options.gpus > 0 ? gpuNodeAffinity(site, {}, options.nodeRequirements, options.capacitySelectors)
        : (options.nodeRequirements.length > 0 ? { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: options.nodeRequirements }] } } } : undefined),
      topologySpreadConstraints: [
        { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: options.labels } },
        { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: options.labels } },
      ],
      initContainers: initContainers.length > 0 ? initContainers : undefined,
      containers: [{
        name: 'model-server',
        image: site.resolveImage(options.image),
        command: options.command,
        args: options.args,
        env,
        ports: ports.length > 0 ? ports : undefined,
        resources: {
          requests: {
            cpu: quantity(options.cpu),
            memory: quantity(options.memory),
            ...(options.ephemeralStorage ? { 'ephemeral-storage': quantity(options.ephemeralStorage) } : {}),
            ...deviceRequests,
          },
          limits: { memory: quantity(options.memory), ...deviceRequests },
          ...(options.gpus > 0 && options.gpuClaim ? { claims: [{ name: GPU_CLAIM_NAME }] } : {}),
        },
        // Workers of a multi-node replica serve nothing to probe: the leader's probes cover the
        // group, and LeaderWorkerSet recreates the whole group when any pod fails.
        startupProbe: serving ? httpProbe(options.healthPath, options.port, STARTUP_PROBE_PERIOD.toSeconds(), startupFailures, 5) : undefined,
        readinessProbe: serving ? httpProbe(options.healthPath, options.port, 5, 3, 5) : undefined,
        livenessProbe: serving ? httpProbe(options.healthPath, options.port, 15, 4, 10) : undefined,
        securityContext: restrictedContainerSecurityContext(),
        volumeMounts: [scratch, { name: 'shm', mountPath: '/dev/shm' }, ...(options.model
          ? [mounted ? { name: 'models', mountPath: options.modelDirectory, readOnly: true } : { ...models, readOnly: true }] : [])],
      }],
      volumes,
    },
  };
}
