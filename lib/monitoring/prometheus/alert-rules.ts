/**
 * Prometheus alerting rules of a model server, written once and rendered twice: as the YAML
 * of an Amazon Managed Prometheus rule groups namespace and as a PrometheusRule for sites with
 * the Prometheus operator. Series carry `namespace` and `app` labels (the managed collector's
 * relabelling, and the PodMonitor's), DCGM series the `namespace` and `pod` of the GPU's user.
 */
import { Duration } from 'aws-cdk-lib';
import { ModelServerMetrics } from '../../inference/inference-scaling';

/** One alerting rule. */
export interface PrometheusAlertRule {
  /** Alert name (CamelCase). */
  readonly alert: string;
  /** PromQL that returns series while the condition holds. */
  readonly expr: string;
  /** How long the condition must hold before the alert fires. */
  readonly pendingFor: Duration;
  /** `warning` or `critical`. */
  readonly severity: string;
  readonly summary: string;
  readonly description: string;
  /** Labels added to the alert. */
  readonly labels: Record<string, string>;
}

/** Thresholds of the model server rules. */
export interface ModelServerAlertThresholds {
  /** p95 (vLLM) or mean (Triton) end-to-end request latency, seconds. */
  readonly latencySeconds: number;
  /** Failed or aborted requests, percent of finished requests. */
  readonly errorRatioPercent: number;
  /** Requests waiting, average per replica. */
  readonly queueDepthPerReplica: number;
  /** GPU utilization of the service's GPUs (DCGM), percent. */
  readonly gpuUtilizationPercent: number;
}

/** What the rules select. */
export interface ModelServerAlertTarget {
  readonly namespace: string;
  readonly app: string;
  /** Anchored regex of the stable Deployment's pod names (DCGM series carry `pod`). */
  readonly podRegex: string;
  /** Whether the pods use GPUs (adds the GPU saturation rule). */
  readonly usesGpus: boolean;
  readonly modelServer: ModelServerMetrics;
  /**
   * For a service that scales to zero: its wake-up signal and how long a cold start may take.
   * Adds InferenceNotWakingUp (clients wait, yet no replica serves), the alert that replaces
   * "no ready replica" for such services. @default - the service does not scale to zero
   */
  readonly wakeUp?: WakeUpAlert;
}

/** The wake-up signal of a service that scales to zero. */
export interface WakeUpAlert {
  /** PromQL above `threshold` while clients wait (ScaleToZero.wakeUpQuery). */
  readonly query: string;
  readonly threshold: number;
  /** A cold start (scheduling, image pull, model load) may take this long before it serves. */
  readonly coldStart: Duration;
}

/** Latency, errors and queue must hold this long before alerting (past a scale-up). */
export const SERVING_ALERT_FOR = Duration.minutes(10);
/** GPU saturation must hold this long before alerting. */
export const GPU_SATURATION_ALERT_FOR = Duration.minutes(15);
/** Window of the rate() in the rules. */
export const ALERT_RATE_WINDOW = '5m';

/** A Prometheus duration: whole minutes as "<n>m", anything else in seconds. */
function minutes(d: Duration): string {
  const seconds = d.toSeconds();
  return seconds % 60 === 0 ? `${seconds / 60}m` : `${seconds}s`;
}

/** The alerting rules of one model server. */
export function modelServerAlertRules(target: ModelServerAlertTarget, thresholds: ModelServerAlertThresholds): PrometheusAlertRule[] {
  const sel = `namespace="${target.namespace}",app="${target.app}"`;
  const w = ALERT_RATE_WINDOW;
  const labels = { namespace: target.namespace, app: target.app };
  const what = `${target.namespace}/${target.app}`;
  const serving = target.modelServer === ModelServerMetrics.TRITON ? {
    latency: `(sum(rate(nv_inference_request_duration_us{${sel}}[${w}])) / 1000000) / (sum(rate(nv_inference_request_success{${sel}}[${w}])) + sum(rate(nv_inference_request_failure{${sel}}[${w}]))) > ${thresholds.latencySeconds}`,
    latencyText: 'mean request latency',
    errors: `100 * sum(rate(nv_inference_request_failure{${sel}}[${w}])) / (sum(rate(nv_inference_request_success{${sel}}[${w}])) + sum(rate(nv_inference_request_failure{${sel}}[${w}]))) > ${thresholds.errorRatioPercent}`,
    queue: `avg(nv_inference_pending_request_count{${sel}}) > ${thresholds.queueDepthPerReplica}`,
  } : {
    latency: `histogram_quantile(0.95, sum by (le) (rate(vllm:e2e_request_latency_seconds_bucket{${sel}}[${w}]))) > ${thresholds.latencySeconds}`,
    latencyText: 'p95 end-to-end request latency',
    errors: `100 * sum(rate(vllm:request_success_total{${sel},finished_reason=~"error|abort"}[${w}])) / sum(rate(vllm:request_success_total{${sel}}[${w}])) > ${thresholds.errorRatioPercent}`,
    queue: `avg(vllm:num_requests_waiting{${sel}}) > ${thresholds.queueDepthPerReplica}`,
  };
  const rules: PrometheusAlertRule[] = [
    {
      alert: 'InferenceLatencyHigh',
      expr: serving.latency,
      pendingFor: SERVING_ALERT_FOR,
      severity: 'warning',
      summary: `${what}: ${serving.latencyText} above ${thresholds.latencySeconds} s`,
      description: `The ${serving.latencyText} of ${what} stayed above ${thresholds.latencySeconds} s for ${minutes(SERVING_ALERT_FOR)}. Check queue depth and GPU saturation; raise maxReplicas or add GPU capacity.`,
      labels,
    },
    {
      alert: 'InferenceErrorRatioHigh',
      expr: serving.errors,
      pendingFor: SERVING_ALERT_FOR,
      severity: 'critical',
      summary: `${what}: more than ${thresholds.errorRatioPercent}% of requests fail`,
      description: `More than ${thresholds.errorRatioPercent}% of the requests ${what} finished failed or aborted for ${minutes(SERVING_ALERT_FOR)}. Check the model server logs.`,
      labels,
    },
    {
      alert: 'InferenceQueueDepthHigh',
      expr: serving.queue,
      pendingFor: SERVING_ALERT_FOR,
      severity: 'warning',
      summary: `${what}: more than ${thresholds.queueDepthPerReplica} requests waiting per replica`,
      description: `Requests queue at ${what} (more than ${thresholds.queueDepthPerReplica} waiting per replica for ${minutes(SERVING_ALERT_FOR)}): autoscaling is at maxReplicas or cannot get GPUs.`,
      labels,
    },
  ];
  if (target.wakeUp) {
    // Any series of the model server exists only while a replica runs and exposes metrics.
    const serving = target.modelServer === ModelServerMetrics.TRITON ? `nv_inference_pending_request_count{${sel}}` : `vllm:num_requests_running{${sel}}`;
    const within = Duration.seconds(target.wakeUp.coldStart.toSeconds() + 300);
    rules.push({
      alert: 'InferenceNotWakingUp',
      expr: `(${target.wakeUp.query}) > ${target.wakeUp.threshold} unless on() (count(${serving}) > 0)`,
      pendingFor: within,
      severity: 'critical',
      summary: `${what}: clients wait but no replica serves`,
      description: `The wake-up signal of ${what} shows demand, yet no replica has served for ${minutes(within)} (longer than a cold start). Scaled to zero on purpose is fine; this is not: check KEDA, pod events (GPU capacity, image pull, model download) and logs.`,
      labels,
    });
  }
  if (target.usesGpus) {
    rules.push({
      alert: 'InferenceGpuSaturated',
      expr: `avg(DCGM_FI_DEV_GPU_UTIL{namespace="${target.namespace}",pod=~"${target.podRegex}"}) > ${thresholds.gpuUtilizationPercent}`,
      pendingFor: GPU_SATURATION_ALERT_FOR,
      severity: 'warning',
      summary: `${what}: GPUs above ${thresholds.gpuUtilizationPercent}% utilization`,
      description: `The GPUs of ${what} averaged more than ${thresholds.gpuUtilizationPercent}% utilization (DCGM_FI_DEV_GPU_UTIL) for ${minutes(GPU_SATURATION_ALERT_FOR)}: the service is GPU-bound.`,
      labels,
    });
  }
  return rules;
}

/** The rule group as the Prometheus rule file format (and the PrometheusRule CRD) has it. */
export function ruleGroup(name: string, rules: PrometheusAlertRule[]): Record<string, unknown> {
  return {
    name,
    rules: rules.map((r) => ({
      alert: r.alert,
      expr: r.expr,
      for: minutes(r.pendingFor),
      labels: { severity: r.severity, ...r.labels },
      annotations: { summary: r.summary, description: r.description },
    })),
  };
}

/** YAML of a rule file with the groups; scalars are JSON strings (valid YAML), so nothing needs escaping. */
export function ruleFileYaml(groups: Record<string, unknown>[]): string {
  return toYaml({ groups });
}

/** Minimal, deterministic YAML for maps, lists and scalars (strings JSON-quoted). */
export function toYaml(value: unknown, indent = ''): string {
  const lines: string[] = [];
  render(value, indent, lines);
  return lines.join('\n') + '\n';
}

function scalar(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function isCollection(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function render(value: unknown, indent: string, lines: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !Array.isArray(item)) {
        const nested: string[] = [];
        render(item, `${indent}  `, nested);
        lines.push(`${indent}- ${nested[0].trimStart()}`, ...nested.slice(1));
      } else {
        lines.push(`${indent}- ${scalar(item)}`);
      }
    }
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined) continue;
    if (isCollection(item)) {
      lines.push(`${indent}${key}:`);
      render(item, `${indent}  `, lines);
    } else {
      lines.push(`${indent}${key}: ${scalar(item)}`);
    }
  }
}
