/** The KEDA ScaledObject of an InferenceService. */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { DEFAULT_POLLING_INTERVAL, DEFAULT_SCALE_DOWN_STABILIZATION, InferenceScaling, ScaleToZero, ScalingBehavior, ScalingQueryContext, WakeUpSignal } from './inference-scaling';
import { wakeOnRequestTrigger } from './keda-http-add-on';

/** KEDA ClusterTriggerAuthentication the library creates where Prometheus needs AWS SigV4 (Amazon Managed Prometheus). */
export const AWS_PROMETHEUS_TRIGGER_AUTHENTICATION = 'aws-managed-prometheus';

export interface ScaledObjectOptions {
  readonly name: string;
  readonly namespace: string;
  /** The workload KEDA scales (through its scale subresource): a Deployment or a LeaderWorkerSet. */
  readonly scaleTarget: { readonly apiVersion: string; readonly kind: string; readonly name: string };
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly scaling: InferenceScaling;
  readonly scaleToZero?: ScaleToZero;
  readonly behavior: ScalingBehavior;
  readonly queryContext: ScalingQueryContext;
  readonly prometheusQueryUrl?: string;
  /** Region of an Amazon Managed Prometheus workspace: queries are SigV4-signed by KEDA. */
  readonly awsPrometheusRegion?: string;
}

function prometheusTrigger(options: ScaledObjectOptions, query: string, threshold: number, activationThreshold?: number): Record<string, unknown> {
  return {
    type: 'prometheus',
    metadata: {
      serverAddress: options.prometheusQueryUrl,
      query,
      threshold: String(threshold),
      ...(activationThreshold !== undefined ? { activationThreshold: String(activationThreshold) } : {}),
      // A lost metric must not look like zero load and shrink the service.
      ignoreNullValues: 'false',
      ...(options.awsPrometheusRegion ? { awsRegion: options.awsPrometheusRegion } : {}),
    },
    ...(options.awsPrometheusRegion ? { authenticationRef: { name: AWS_PROMETHEUS_TRIGGER_AUTHENTICATION, kind: 'ClusterTriggerAuthentication' } } : {}),
  };
}

/**
 * Label of the ScaledObjects whose trigger reads a built-in query on series the service always
 * has (it never scales to zero): `model-server` or `accelerator`. KEDA marks a trigger's health
 * Happy only when its query returned a value, so these are the live evidence that the
 * monitoring system discovers and collects those metrics.
 */
export const METRICS_EVIDENCE_LABEL = 'cdk-scalable-ai.io/metrics-evidence';

/** Adds the ScaledObject (KEDA manages the workload's replicas through an HPA). */
export function addScaledObject(scope: Construct, options: ScaledObjectOptions): ApiObject {
  const { scaling, scaleToZero } = options;
  const triggers: Record<string, unknown>[] = [];
  const query = scaling.queryFor(options.queryContext);
  if (query !== undefined) {
    triggers.push(prometheusTrigger(options, query, scaling.target));
  } else {
    triggers.push({ type: 'cpu', metricType: 'Utilization', metadata: { value: String(scaling.target) } });
  }
  if (scaleToZero?.signal === WakeUpSignal.REQUEST) {
    // The interceptor reports held requests; its route's huge concurrency target only wakes.
    triggers.push(wakeOnRequestTrigger(options.name));
  } else if (scaleToZero) {
    // Wakes the service from zero; its huge per-replica target never asks for more than one replica.
    triggers.push(prometheusTrigger(options, scaleToZero.queryFor(options.queryContext), 1e9, scaleToZero.activationThreshold));
  }
  // A service at zero replicas has no series: its query failing then is no evidence of anything.
  const evidenceSource = scaleToZero ? undefined : scaling._builtInMetricSource;
  const pollingInterval = (options.behavior.pollingInterval ?? DEFAULT_POLLING_INTERVAL).toSeconds();
  return new ApiObject(scope, 'ScaledObject', {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name: options.name,
      namespace: options.namespace,
      ...(evidenceSource ? { labels: { [METRICS_EVIDENCE_LABEL]: evidenceSource } } : {}),
    },
    spec: {
      scaleTargetRef: options.scaleTarget,
      minReplicaCount: scaleToZero ? 0 : options.minReplicas,
      maxReplicaCount: options.maxReplicas,
      pollingInterval,
      ...(scaleToZero ? { cooldownPeriod: scaleToZero.idleFor.toSeconds() } : {}),
      // Without the signal, keep serving at the minimum rather than guessing (KEDA supports
      // fallback only for AverageValue metrics, not for the CPU scaler).
      ...(query !== undefined ? { fallback: { failureThreshold: 3, replicas: Math.max(1, options.minReplicas) } } : {}),
      advanced: {
        horizontalPodAutoscalerConfig: {
          behavior: {
            scaleDown: {
              stabilizationWindowSeconds: (options.behavior.scaleDownStabilization ?? DEFAULT_SCALE_DOWN_STABILIZATION).toSeconds(),
              policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
            },
            scaleUp: {
              stabilizationWindowSeconds: 0,
              policies: [{ type: 'Pods', value: 2, periodSeconds: pollingInterval }],
            },
          },
        },
      },
      triggers,
    },
  });
}
