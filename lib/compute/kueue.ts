import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { KUEUE_MANAGED_NAMESPACE_LABEL } from '../k8s/kueue-queues';
import { DRA_GPU_DEVICE_CLASS } from '../k8s/nvidia-dra-driver';
import { EksSite } from '../sites/eks-site';
import { NVIDIA_GPU_RESOURCE } from '../sites/site-base';
import { checkPropTypes } from '../private/prop-types';
import { checkDurationRange, checkPattern } from '../private/validation';

/** Kueue release installed on EKS (chart and image are released together). */
const KUEUE_VERSION = '0.19.2';
const KUEUE_NAMESPACE = 'kueue-system';
const KUEUE_CHART_REPOSITORY = 'oci://registry.k8s.io/kueue/charts/kueue';
const KUEUE_IMAGE = 'registry.k8s.io/kueue/kueue';

export interface KueueOptions {
  /**
   * Kueue version: the chart `oci://registry.k8s.io/kueue/charts/kueue` and the image
   * `registry.k8s.io/kueue/kueue:v<version>`. The configuration written for it uses the
   * `config.kueue.x-k8s.io/v1beta2` API (Kueue >= 0.15).
   * @default "0.19.2"
   */
  readonly version?: string;
  /**
   * How long an admitted workload may take until all its pods are ready (Kueue's
   * `waitForPodsReady`): a gang that cannot start in time (GPU nodes not launched, images
   * still pulling) is evicted and requeued, releasing its quota instead of holding it half
   * started. Size it for a GPU node launch plus the image pull.
   * @default Duration.minutes(15)
   */
  readonly podsReadyTimeout?: Duration;
}

export interface KueueProps extends KueueOptions {
  readonly site: EksSite;
}

/**
 * Kueue on EKS, for team GPU quotas and gang admission: the Helm release (CRDs, controller
 * and admission webhooks), configured so that
 *
 * - only namespaces labelled `cdk-scalable-ai.io/kueue-managed: "true"` (the namespaces of
 *   Teams) are managed: Kueue's webhooks, which fail closed, then never stand between other
 *   namespaces and the API server while the controller is down;
 * - quotas cover what ClusterQueues declare (`quotaCheckStrategy: IgnoreUndeclared`): team
 *   queues hold GPUs, and CPU or memory requests need no quota of their own;
 * - a workload is admitted whole (all pods of a Job, a pod group or a LeaderWorkerSet group
 *   at once) and evicted if it does not start within `podsReadyTimeout`.
 *
 * The release waits until the controller is ready (its webhooks answer), and every chart the
 * site receives afterwards is applied after it. Create it before the Teams that use it
 * (`GpuCluster.addKueue()`).
 */
export class Kueue extends Construct {
  /** The Helm release. */
  public readonly release: eks.HelmChart;
  /** The Kueue version installed. */
  public readonly version: string;
  /** How long an admitted workload may take until all its pods are ready. */
  public readonly podsReadyTimeout: Duration;

  constructor(scope: Construct, id: string, props: KueueProps) {
    super(scope, id);
    checkPropTypes(this, 'KueueProps', props);
    checkPattern(this, 'version', props.version, /^\d+\.\d+\.\d+$/, 'a release version without "v"', '0.19.2');
    checkDurationRange(this, 'podsReadyTimeout', props.podsReadyTimeout, Duration.minutes(1), Duration.hours(2));
    const site = props.site;
    this.version = props.version ?? KUEUE_VERSION;
    this.podsReadyTimeout = props.podsReadyTimeout ?? Duration.minutes(15);
    this.release = site.cluster.addHelmChart('Kueue', {
      chart: 'kueue',
      repository: KUEUE_CHART_REPOSITORY,
      release: 'kueue',
      version: this.version,
      namespace: KUEUE_NAMESPACE,
      createNamespace: true,
      // Kueue's webhooks fail closed: objects applied later need the controller answering.
      wait: true,
      timeout: Duration.minutes(10),
      values: {
        controllerManager: {
          manager: { image: { repository: site.resolveImage(KUEUE_IMAGE), tag: `v${this.version}`, pullPolicy: 'IfNotPresent' } },
        },
        // The chart reads its webhooks' namespace selectors from this one YAML string, so the
        // whole configuration is written (JSON is YAML).
        managerConfig: { controllerManagerConfigYaml: JSON.stringify(kueueConfiguration(this.podsReadyTimeout)) },
      },
    });
    site.markKueueInstalled(this.release, this.podsReadyTimeout);
  }
}

/** Kueue's Configuration: the chart's defaults plus what the library relies on. */
function kueueConfiguration(podsReadyTimeout: Duration): Record<string, unknown> {
  return {
    apiVersion: 'config.kueue.x-k8s.io/v1beta2',
    kind: 'Configuration',
    health: { healthProbeBindAddress: ':8081' },
    metrics: { bindAddress: ':8443' },
    webhook: { port: 9443 },
    leaderElection: { leaderElect: true, resourceName: 'c1f6bfd2.kueue.x-k8s.io' },
    controller: {
      groupKindConcurrency: {
        'Job.batch': 5,
        'Pod': 5,
        'Workload.kueue.x-k8s.io': 10,
        'LocalQueue.kueue.x-k8s.io': 5,
        'ClusterQueue.kueue.x-k8s.io': 5,
        'ResourceFlavor.kueue.x-k8s.io': 1,
      },
    },
    clientConnection: { qps: 300, burst: 500 },
    // Also the namespace selector of the chart's Job, Pod, Deployment and StatefulSet webhooks.
    managedJobsNamespaceSelector: { matchLabels: { [KUEUE_MANAGED_NAMESPACE_LABEL]: 'true' } },
    waitForPodsReady: { timeout: `${podsReadyTimeout.toSeconds()}s`, blockAdmission: false },
    resources: {
      quotaCheckStrategy: 'IgnoreUndeclared',
      // GPUs claimed through DRA count against the same nvidia.com/gpu quota as requested ones
      // (KueueDRAIntegration, beta and on since 0.18; ResourceClaimTemplates with ExactCount).
      deviceClassMappings: [{ name: NVIDIA_GPU_RESOURCE, deviceClassNames: [DRA_GPU_DEVICE_CLASS] }],
    },
    integrations: {
      frameworks: ['batch/job', 'jobset.x-k8s.io/jobset', 'pod', 'deployment', 'statefulset', 'leaderworkerset.x-k8s.io/leaderworkerset'],
    },
  };
}
