import { Duration } from 'aws-cdk-lib';

/** The serving signal an InferenceService scales on. */
export enum ScalingSignal {
  /** Requests waiting in the model server's queue, per replica. */
  QUEUE_DEPTH = 'queue-depth',
  /** Requests being processed, per replica. */
  CONCURRENCY = 'concurrency',
  /** Average GPU utilization (DCGM) of the replicas' GPUs, in percent. */
  GPU_UTILIZATION = 'gpu-utilization',
  /** Any Prometheus query, summed over the service, per replica. */
  PROMETHEUS_QUERY = 'prometheus-query',
  /** CPU utilization of the pods: a fallback that cannot scale to zero. */
  CPU = 'cpu',
}

/** Model servers whose metric names the built-in queries know. */
export enum ModelServerMetrics {
  /** vLLM: `vllm:num_requests_waiting`, `vllm:num_requests_running`. */
  VLLM = 'vllm',
  /** NVIDIA Triton: `nv_inference_pending_request_count`, `nv_inference_exec_count`. */
  TRITON = 'triton',
}

/** Who exports the series a built-in scaling query reads. @internal */
export enum ScalingMetricSource {
  MODEL_SERVER = 'model-server',
  ACCELERATOR = 'accelerator',
}

/** Labels a query can select the service's pods by; `{namespace}`, `{app}` and `{pod}` placeholders. */
export interface ScalingQueryContext {
  readonly namespace: string;
  readonly app: string;
  /** Anchored regex matching the stable Deployment's pod names. */
  readonly podRegex: string;
  readonly gpusPerReplica: number;
}

export interface PrometheusScalingOptions {
  /**
   * PromQL that returns one number for the whole service; `{namespace}`, `{app}` and `{pod}`
   * are replaced. The target is per replica (KEDA AverageValue: replicas = ceil(value / target)).
   * @default - a query for the signal and `modelServer`
   */
  readonly query?: string;
  /** @default ModelServerMetrics.VLLM */
  readonly modelServer?: ModelServerMetrics;
}

/** Scale-up and scale-down damping. */
export interface ScalingBehavior {
  /** Wait before removing replicas after load drops. @default Duration.minutes(5) */
  readonly scaleDownStabilization?: Duration;
  /** How often KEDA evaluates the signal. @default Duration.seconds(15) */
  readonly pollingInterval?: Duration;
}

/** Model servers load for minutes: do not give a replica back for five minutes of low load. */
export const DEFAULT_SCALE_DOWN_STABILIZATION = Duration.minutes(5);
/** KEDA polls the serving signal every 15 seconds (KEDA's default is 30). */
export const DEFAULT_POLLING_INTERVAL = Duration.seconds(15);

const QUERIES: Record<ModelServerMetrics, Partial<Record<ScalingSignal, string>>> = {
  [ModelServerMetrics.VLLM]: {
    [ScalingSignal.QUEUE_DEPTH]: 'sum(vllm:num_requests_waiting{namespace="{namespace}",app="{app}"})',
    [ScalingSignal.CONCURRENCY]: 'sum(vllm:num_requests_running{namespace="{namespace}",app="{app}"})',
  },
  [ModelServerMetrics.TRITON]: {
    [ScalingSignal.QUEUE_DEPTH]: 'sum(nv_inference_pending_request_count{namespace="{namespace}",app="{app}"})',
    [ScalingSignal.CONCURRENCY]: 'sum(rate(nv_inference_exec_count{namespace="{namespace}",app="{app}"}[1m]))',
  },
};

/**
 * How an InferenceService scales: a KEDA trigger on a serving signal. Prometheus signals
 * (queue depth, concurrency, GPU utilization, any query) need the site's Prometheus query API;
 * CPU is the fallback that needs none.
 */
export class InferenceScaling {
  /** Scale so each replica has about `waitingRequestsPerReplica` queued requests. */
  public static onQueueDepth(waitingRequestsPerReplica: number, options: PrometheusScalingOptions = {}): InferenceScaling {
    return new InferenceScaling(ScalingSignal.QUEUE_DEPTH, waitingRequestsPerReplica, options);
  }

  /** Scale so each replica processes about `requestsPerReplica` requests at once. */
  public static onConcurrency(requestsPerReplica: number, options: PrometheusScalingOptions = {}): InferenceScaling {
    return new InferenceScaling(ScalingSignal.CONCURRENCY, requestsPerReplica, options);
  }

  /** Scale so the replicas' GPUs average `percent` utilization (DCGM_FI_DEV_GPU_UTIL). */
  public static onGpuUtilization(percent: number, options: PrometheusScalingOptions = {}): InferenceScaling {
    return new InferenceScaling(ScalingSignal.GPU_UTILIZATION, percent, options);
  }

  /** Scale on any PromQL value, `targetPerReplica` per replica. */
  public static onPrometheusQuery(query: string, targetPerReplica: number): InferenceScaling {
    return new InferenceScaling(ScalingSignal.PROMETHEUS_QUERY, targetPerReplica, { query });
  }

  /** Fallback: CPU utilization of the pods in percent of their request. Cannot scale to zero. */
  public static onCpu(percent: number): InferenceScaling {
    return new InferenceScaling(ScalingSignal.CPU, percent, {});
  }

  private constructor(
    public readonly signal: ScalingSignal,
    /** The target per replica (percent for GPU and CPU). */
    public readonly target: number,
    private readonly options: PrometheusScalingOptions,
  ) {}

  /** Whether the signal comes from Prometheus. */
  public get needsPrometheus(): boolean {
    return this.signal !== ScalingSignal.CPU;
  }

  /** Whether KEDA can scale this signal's target to zero (CPU and memory scalers cannot). */
  public get canScaleToZero(): boolean {
    return this.signal !== ScalingSignal.CPU;
  }

  /** Upper bound of the target, for validation. */
  public get maxTarget(): number {
    return this.signal === ScalingSignal.CPU || this.signal === ScalingSignal.GPU_UTILIZATION ? 100 : Number.MAX_SAFE_INTEGER;
  }

  /**
   * What produces the series of the built-in query: the model servers (queue depth,
   * concurrency) or the DCGM exporters (GPU utilization); undefined for a query of your own and CPU.
   * @internal
   */
  public get _builtInMetricSource(): ScalingMetricSource | undefined {
    if (this.options.query !== undefined) return undefined;
    if (this.signal === ScalingSignal.GPU_UTILIZATION) return ScalingMetricSource.ACCELERATOR;
    return this.signal === ScalingSignal.QUEUE_DEPTH || this.signal === ScalingSignal.CONCURRENCY ? ScalingMetricSource.MODEL_SERVER : undefined;
  }

  /** The PromQL for a service, placeholders filled in; undefined for CPU. */
  public queryFor(context: ScalingQueryContext): string | undefined {
    if (!this.needsPrometheus) return undefined;
    let template = this.options.query;
    if (template === undefined && this.signal === ScalingSignal.GPU_UTILIZATION) {
      // DCGM reports per GPU and labels it with the pod using it (DCGM_EXPORTER_KUBERNETES);
      // dividing by GPUs per replica makes the sum count replicas' worth of utilization.
      template = `sum(DCGM_FI_DEV_GPU_UTIL{namespace="{namespace}",pod=~"{pod}"}) / ${context.gpusPerReplica}`;
    }
    template ??= QUERIES[this.options.modelServer ?? ModelServerMetrics.VLLM][this.signal];
    if (template === undefined) return undefined;
    return template.split('{namespace}').join(context.namespace).split('{app}').join(context.app).split('{pod}').join(context.podRegex);
  }
}

/** What wakes a service that scaled to zero. */
export enum WakeUpSignal {
  /** A PromQL query measured in front of the service (ScaleToZero.whenIdle). */
  PROMETHEUS_QUERY = 'prometheus-query',
  /** Requests held by the KEDA HTTP add-on's interceptor (ScaleToZero.onRequest). */
  REQUEST = 'request',
}

/**
 * Scale to zero when idle. The built-in signals come from the model server's own pods and
 * vanish at zero replicas, so waking up needs a signal measured in front of the service:
 * requests held by the KEDA HTTP add-on's interceptor (`onRequest`), or a query of your own
 * (`whenIdle`: an ingress or gateway request rate, a queue).
 */
export class ScaleToZero {
  /**
   * @param wakeUpQuery PromQL whose value is above `activationThreshold` when clients are waiting,
   *   also when no replica runs (e.g. `sum(rate(nginx_ingress_controller_requests{service="llm"}[1m]))`)
   * @param idleFor replicas go to zero after the service was inactive this long (KEDA cooldownPeriod)
   */
  public static whenIdle(wakeUpQuery: string, idleFor: Duration = Duration.minutes(15), activationThreshold: number = 0): ScaleToZero {
    return new ScaleToZero(WakeUpSignal.PROMETHEUS_QUERY, wakeUpQuery, idleFor, activationThreshold);
  }

  /**
   * Wakes on the first request: clients call `<name>-wake.<namespace>:8080` (the service's
   * `url`), the KEDA HTTP add-on's interceptor holds the request while a replica starts (up to
   * the service's maxStartupTime plus 10 minutes for a node) and forwards it. Needs the add-on
   * on the site (`addInferenceAutoscaling({ kedaHttpAddOn: true })` on EKS, or
   * `kedaHttpAddOnAvailable` on a KubernetesSite) and ClusterIP exposure.
   * @param idleFor replicas go to zero after the service was inactive this long (KEDA cooldownPeriod); 15 minutes by default
   */
  public static onRequest(idleFor: Duration = Duration.minutes(15)): ScaleToZero {
    return new ScaleToZero(WakeUpSignal.REQUEST, 'sum(interceptor_request_concurrency{route_namespace="{namespace}",route_name="{app}"})', idleFor, 0);
  }

  private constructor(
    public readonly signal: WakeUpSignal,
    /** The wake-up query; `{namespace}` and `{app}` stand for the service's (see queryFor). */
    public readonly wakeUpQuery: string,
    public readonly idleFor: Duration,
    public readonly activationThreshold: number,
  ) {}

  /** The wake-up query of one service (clients waiting while no replica serves). */
  public queryFor(context: ScalingQueryContext): string {
    return this.wakeUpQuery.split('{namespace}').join(context.namespace).split('{app}').join(context.app);
  }
}
