/**
 * Prefix-cache-aware routing with the Gateway API Inference Extension: an InferencePool of the
 * model server's pods and its endpoint picker (EPP), which the Gateway asks, per request, which
 * pod to send it to. The picker scores pods on their queue, KV-cache use and the prompt prefix
 * they have likely cached, from the servers' own `/metrics`.
 *
 * Sources: kubernetes-sigs/gateway-api-inference-extension v1.6.0 (InferencePool v1 CRD) and
 * llm-d/llm-d-router v0.10.0 (where the EPP moved; chart `llm-d-router-gateway` templates:
 * Deployment args, ports 9002/9003/9090, gRPC health probes, RBAC, plugin configuration).
 */
import { ApiObject, Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';

export const INFERENCE_POOL_API_VERSION = 'inference.networking.k8s.io/v1';
/** Ports of the picker: ext-proc gRPC (the gateway calls it), gRPC health, metrics. */
const EXT_PROC_PORT = 9002;
const HEALTH_PORT = 9003;
const METRICS_PORT = 9090;
/** Ports of the Kubernetes API the picker watches pods and pools on. */
const API_SERVER_PORTS = [443, 6443];

/** The endpoint picker of a service (prefix-cache-aware routing). */
export interface EndpointPickerOptions {
  /** @default "ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0" */
  readonly image?: string;
  /** CPU request of the picker (the upstream chart's default, sized for high request rates). @default "8" */
  readonly cpu?: string;
  /** Memory request; the limit is twice as much (as upstream). @default "8Gi" */
  readonly memory?: string;
  /**
   * When the picker does not answer, the Gateway picks a pod itself (FailOpen) rather than
   * failing the request (FailClose).
   * @default true
   */
  readonly failOpen?: boolean;
}

export const DEFAULT_ENDPOINT_PICKER_IMAGE = 'ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0';

/** The picker's scoring: queue depth, KV-cache use and the approximate prefix cache (the chart's defaults for vLLM). */
function pluginConfiguration(): Record<string, unknown> {
  return {
    apiVersion: 'llm-d.ai/v1alpha1',
    kind: 'EndpointPickerConfig',
    plugins: [
      { type: 'queue-scorer' },
      { type: 'kv-cache-utilization-scorer' },
      { type: 'prefix-cache-scorer' },
      { type: 'metrics-data-source', parameters: { scheme: 'http', path: '/metrics', insecureSkipVerify: true } },
      { type: 'core-metrics-extractor' },
    ],
    schedulingProfiles: [{
      name: 'default',
      plugins: [{ pluginRef: 'queue-scorer', weight: 2 }, { pluginRef: 'kv-cache-utilization-scorer', weight: 2 }, { pluginRef: 'prefix-cache-scorer', weight: 3 }],
    }],
  };
}

export interface EndpointPickerObjectsOptions {
  /** The pool's name (`<service>`, or `<service>-canary` for a canary's pool); the picker is `<name>-epp`. */
  readonly name: string;
  /** Prefix of the construct ids, so two pools fit one chart (`''` for the stable pool). */
  readonly idPrefix: string;
  readonly namespace: string;
  readonly site: IKubernetesSite;
  /** Labels of the serving pods (the pool's selector). */
  readonly poolSelector: Record<string, string>;
  readonly port: number;
  /** Where the Gateway's proxies connect from (they call the picker). */
  readonly clientCidrs: string[];
  readonly options: EndpointPickerOptions;
}

/** Name of a service's InferencePool (the HTTPRoute's backend): one per track. */
export function inferencePoolName(service: string, track: 'stable' | 'canary' = 'stable'): string {
  return track === 'stable' ? service : `${service}-canary`;
}

/** The InferencePool, the picker (ServiceAccount, Role, ConfigMap, Deployment, Service) and its NetworkPolicies. */
export function addEndpointPickerObjects(chart: Chart, o: EndpointPickerObjectsOptions): void {
  const eppName = `${o.name}-epp`;
  const labels = { 'app.kubernetes.io/name': eppName, 'app.kubernetes.io/part-of': 'cdk-scalable-ai' };
  const metadata = { name: eppName, namespace: o.namespace, labels };
  const quantity = (value: string) => k8s.Quantity.fromString(value);

  new ApiObject(chart, `${o.idPrefix}InferencePool`, {
    apiVersion: INFERENCE_POOL_API_VERSION,
    kind: 'InferencePool',
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      selector: { matchLabels: o.poolSelector },
      targetPorts: [{ number: o.port }],
      appProtocol: 'http',
      endpointPickerRef: { name: eppName, port: { number: EXT_PROC_PORT }, failureMode: (o.options.failOpen ?? true) ? 'FailOpen' : 'FailClose' },
    },
  });
  new k8s.KubeServiceAccount(chart, `${o.idPrefix}EndpointPickerServiceAccount`, { metadata, automountServiceAccountToken: true });
  new k8s.KubeRole(chart, `${o.idPrefix}EndpointPickerRole`, {
    metadata,
    rules: [
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'list', 'watch'] },
    ],
  });
  new k8s.KubeRoleBinding(chart, `${o.idPrefix}EndpointPickerRoleBinding`, {
    metadata,
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: eppName },
    subjects: [{ kind: 'ServiceAccount', name: eppName, namespace: o.namespace }],
  });
  new k8s.KubeConfigMap(chart, `${o.idPrefix}EndpointPickerConfig`, { metadata, data: { 'plugins.yaml': JSON.stringify(pluginConfiguration()) } });
  const memory = o.options.memory ?? '8Gi';
  const grpcProbe = (periodSeconds: number): k8s.Probe => ({ grpc: { port: HEALTH_PORT, service: 'inference-extension' }, periodSeconds });
  new k8s.KubeDeployment(chart, `${o.idPrefix}EndpointPicker`, {
    metadata,
    spec: {
      replicas: 1,
      // One active picker: its prefix-cache index lives in memory (the upstream chart's choice).
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: {
        // Scraped like the model servers (its scheduling and pool metrics).
        metadata: { labels, annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(METRICS_PORT), 'prometheus.io/path': '/metrics' } },
        spec: {
          serviceAccountName: eppName,
          securityContext: restrictedPodSecurityContext(),
          terminationGracePeriodSeconds: 130,
          containers: [{
            name: 'epp',
            image: o.site.resolveImage(o.options.image ?? DEFAULT_ENDPOINT_PICKER_IMAGE),
            args: [
              '--pool-name', o.name, '--pool-namespace', o.namespace, '--pool-group', 'inference.networking.k8s.io',
              '--config-file', '/config/plugins.yaml', '--grpc-port', String(EXT_PROC_PORT), '--grpc-health-port', String(HEALTH_PORT),
              '--metrics-port', String(METRICS_PORT), '--zap-encoder', 'json', '--tracing=false', '--metrics-endpoint-auth=false',
            ],
            env: [
              { name: 'NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            ],
            ports: [
              { name: 'grpc', containerPort: EXT_PROC_PORT, protocol: 'TCP' },
              { name: 'grpc-health', containerPort: HEALTH_PORT, protocol: 'TCP' },
              { name: 'metrics', containerPort: METRICS_PORT, protocol: 'TCP' },
            ],
            livenessProbe: { ...grpcProbe(10), initialDelaySeconds: 5 },
            readinessProbe: grpcProbe(2),
            resources: { requests: { cpu: quantity(o.options.cpu ?? '8'), memory: quantity(memory) }, limits: { memory: quantity(doubled(memory)) } },
            securityContext: restrictedContainerSecurityContext(),
            volumeMounts: [{ name: 'config', mountPath: '/config', readOnly: true }, { name: 'tmp', mountPath: '/tmp' }],
          }],
          volumes: [{ name: 'config', configMap: { name: eppName } }, { name: 'tmp', emptyDir: {} }],
        },
      },
    },
  });
  new k8s.KubeService(chart, `${o.idPrefix}EndpointPickerService`, {
    metadata,
    spec: {
      type: 'ClusterIP',
      selector: labels,
      ports: [
        { name: 'grpc-ext-proc', port: EXT_PROC_PORT, targetPort: k8s.IntOrString.fromNumber(EXT_PROC_PORT), protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' },
        { name: 'http-metrics', port: METRICS_PORT, targetPort: k8s.IntOrString.fromNumber(METRICS_PORT), protocol: 'TCP' },
      ],
    },
  });

  const tcp = (port: number) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) });
  // The Gateway's proxies call the picker, the kubelet probes it, the metrics scraper reads it.
  new k8s.KubeNetworkPolicy(chart, `${o.idPrefix}AllowEndpointPickerClients`, {
    metadata: { name: `allow-${eppName}-clients`, namespace: o.namespace },
    spec: {
      podSelector: { matchLabels: labels },
      policyTypes: ['Ingress'],
      ingress: [{ from: o.clientCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(EXT_PROC_PORT), tcp(HEALTH_PORT), tcp(METRICS_PORT)] }],
    },
  });
  // The picker reads the servers' metrics on their serving port, whatever the clients' ranges.
  new k8s.KubeNetworkPolicy(chart, `${o.idPrefix}AllowEndpointPickerScrape`, {
    metadata: { name: `allow-${o.name}-metrics-to-epp`, namespace: o.namespace },
    spec: {
      podSelector: { matchLabels: o.poolSelector },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: labels } }], ports: [tcp(o.port)] }],
    },
  });
  // It watches pods and pools on the API server.
  new k8s.KubeNetworkPolicy(chart, `${o.idPrefix}AllowEndpointPickerApiServer`, {
    metadata: { name: `allow-${eppName}-api-server`, namespace: o.namespace },
    spec: { podSelector: { matchLabels: labels }, policyTypes: ['Egress'], egress: [{ ports: API_SERVER_PORTS.map(tcp) }] },
  });
}

/** Twice a memory quantity written as `<number><suffix>`. */
function doubled(memory: string): string {
  const match = /^(\d+(?:\.\d+)?)(.*)$/.exec(memory);
  return match ? `${Number(match[1]) * 2}${match[2]}` : memory;
}
