/**
 * Waking a service from zero on its first request, with the KEDA HTTP add-on (kedacore/http-add-on
 * v0.15.0): its interceptor proxy receives the service's requests, holds them while no replica
 * is ready and forwards them once one is, and its external scaler tells KEDA there is demand,
 * so the ScaledObject leaves zero. The signal exists at zero replicas because the interceptor,
 * not the model server, measures it.
 *
 * Per service: an InterceptorRoute (http.keda.sh/v1beta1; HTTPScaledObject is deprecated since
 * v0.14) naming the model server's Service, an ExternalName Service `<name>-wake` that points
 * at the interceptor (clients call it; the interceptor routes by the Host header, port
 * stripped), an `external-push` trigger in the service's own ScaledObject (applied after the
 * route, as the add-on's docs require), and a NetworkPolicy rule admitting the interceptor.
 */
import { Duration } from 'aws-cdk-lib';
import { ApiObject, Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

/** Chart `keda-add-ons-http` (kedacore/charts) installed on EKS; chart and add-on share the version. */
export const KEDA_HTTP_ADD_ON_VERSION = '0.15.0';
/** The add-on runs beside KEDA, in its namespace (the add-on's install guide). */
export const KEDA_HTTP_ADD_ON_NAMESPACE = 'keda';
/** The interceptor's proxy Service and port (the chart names Services after itself, not the release). */
export const KEDA_HTTP_INTERCEPTOR_SERVICE = 'keda-add-ons-http-interceptor-proxy';
export const KEDA_HTTP_INTERCEPTOR_PORT = 8080;
/** Address of the add-on's external scaler, for `external-push` triggers. */
export const KEDA_HTTP_EXTERNAL_SCALER_ADDRESS = `keda-add-ons-http-external-scaler.${KEDA_HTTP_ADD_ON_NAMESPACE}:9090`;
/** Labels of the interceptor pods that do not change between releases (NetworkPolicy peers). */
export const KEDA_HTTP_INTERCEPTOR_POD_LABELS = { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' };
/** Port of the interceptor's Prometheus metrics (OpenTelemetry Prometheus exporter, on by default). */
export const KEDA_HTTP_INTERCEPTOR_METRICS_PORT = 2223;
/** Suffix of the ExternalName Service clients of a wake-on-request service call. */
export const WAKE_SERVICE_SUFFIX = '-wake';
/**
 * Concurrency per replica the route reports to KEDA: so large that the HTTP trigger only ever
 * wakes the service (0 -> 1); the serving signal (queue depth, ...) decides beyond one replica.
 */
export const WAKE_ONLY_CONCURRENCY_TARGET = 1_000_000;
/** The longest the model server may take to answer headers once the request reached it (long non-streamed generations). */
export const WAKE_RESPONSE_HEADER_TIMEOUT = Duration.minutes(10);
/** Time for a GPU node to join before the model server starts loading (added to maxStartupTime for the hold time). */
export const NODE_PROVISIONING_ALLOWANCE = Duration.minutes(10);

/** Helm values of the add-on on EKS: Pod Security "restricted" and the interceptor scraped. */
export function kedaHttpAddOnValues(): Record<string, unknown> {
  return {
    // The chart sets fsGroup and dropped capabilities but neither runAsNonRoot nor seccomp.
    podSecurityContext: { fsGroup: 1000, supplementalGroups: [1000], runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    interceptor: {
      podAnnotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(KEDA_HTTP_INTERCEPTOR_METRICS_PORT), 'prometheus.io/path': '/metrics' },
    },
  };
}

export interface WakeOnRequestOptions {
  readonly name: string;
  readonly namespace: string;
  /** The model server's Service port. */
  readonly port: number;
  /** How long the interceptor holds a request while the service wakes. */
  readonly holdFor: Duration;
}

/** The route and the Service clients call; returns the route, which the ScaledObject must follow. */
export function addWakeOnRequestObjects(chart: Chart, options: WakeOnRequestOptions): ApiObject {
  const { name, namespace, port } = options;
  const wakeService = `${name}${WAKE_SERVICE_SUFFIX}`;
  const route = new ApiObject(chart, 'InterceptorRoute', {
    apiVersion: 'http.keda.sh/v1beta1',
    kind: 'InterceptorRoute',
    metadata: { name, namespace },
    spec: {
      target: { service: name, port },
      rules: [{ hosts: [wakeService, `${wakeService}.${namespace}`, `${wakeService}.${namespace}.svc`, `${wakeService}.${namespace}.svc.cluster.local`] }],
      scalingMetric: { concurrency: { targetValue: WAKE_ONLY_CONCURRENCY_TARGET } },
      timeouts: { readiness: `${options.holdFor.toSeconds()}s`, responseHeader: `${WAKE_RESPONSE_HEADER_TIMEOUT.toSeconds()}s` },
    },
  });
  new k8s.KubeService(chart, 'WakeService', {
    metadata: { name: wakeService, namespace },
    spec: {
      type: 'ExternalName',
      externalName: `${KEDA_HTTP_INTERCEPTOR_SERVICE}.${KEDA_HTTP_ADD_ON_NAMESPACE}.svc.cluster.local`,
      ports: [{ name: 'http', port: KEDA_HTTP_INTERCEPTOR_PORT, protocol: 'TCP' }],
    },
  });
  return route;
}

/** The ScaledObject trigger that wakes the service when the interceptor holds requests for it. */
export function wakeOnRequestTrigger(name: string): Record<string, unknown> {
  return { type: 'external-push', metadata: { scalerAddress: KEDA_HTTP_EXTERNAL_SCALER_ADDRESS, interceptorRoute: name } };
}

/** NetworkPolicy peer of the interceptor pods. */
export function interceptorPeer(): k8s.NetworkPolicyPeer {
  return {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': KEDA_HTTP_ADD_ON_NAMESPACE } },
    podSelector: { matchLabels: KEDA_HTTP_INTERCEPTOR_POD_LABELS },
  };
}
