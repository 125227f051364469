/**
 * A model server behind a Gateway (Kubernetes Gateway API v1): the Gateway with its HTTPS
 * listener for the host, and an HTTPRoute to the model server. With a canary each track gets
 * its own Service, the route sends the canary's header match to the canary and splits the rest
 * by weight. On the AWS Load Balancer Controller's implementation the listener's certificate,
 * scheme and TLS policy come from a LoadBalancerConfiguration, and each backend Service gets a
 * TargetGroupConfiguration for pod-IP targets with the server's health check (the controller
 * defaults to instance targets, which a ClusterIP Service cannot have). With an endpoint picker
 * the route's backend is the service's InferencePool instead of its Service.
 */
import { ApiObject, Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import type { ExposureObjectsOptions } from './service-exposure-objects';
import { LOAD_BALANCER_TLS_POLICY } from '../k8s/ingress-class';

const GATEWAY_API = 'gateway.networking.k8s.io/v1';
const LBC_GATEWAY_API = 'gateway.k8s.aws/v1';
/** HTTPS port of the Gateway's listener. */
const GATEWAY_HTTPS_PORT = 443;

interface Backend {
  readonly service: string;
  /** The track's InferencePool, when the route sends to pools. */
  readonly pool?: string;
  readonly weight?: number;
}

export function addGatewayObjects(chart: Chart, options: ExposureObjectsOptions): void {
  const { name, namespace, exposure, site, port, canary } = options;
  const awsLoadBalancer = exposure.certificateArn !== undefined;
  const pools = options.inferencePools;
  const backends: Backend[] = canary
    ? [{ service: `${name}-stable`, pool: pools?.stable, weight: 100 - canary.trafficPercent }, { service: `${name}-canary`, pool: pools?.canary, weight: canary.trafficPercent }]
    : [{ service: name, pool: pools?.stable }];
  if (canary) {
    addTrackService(chart, 'StableService', `${name}-stable`, namespace, canary.stableSelector, port);
    addTrackService(chart, 'CanaryService', `${name}-canary`, namespace, canary.canarySelector, port);
  }

  if (awsLoadBalancer) {
    new ApiObject(chart, 'LoadBalancerConfiguration', {
      apiVersion: LBC_GATEWAY_API,
      kind: 'LoadBalancerConfiguration',
      metadata: { name, namespace },
      spec: {
        scheme: 'internal',
        listenerConfigurations: [{ protocolPort: `HTTPS:${GATEWAY_HTTPS_PORT}`, defaultCertificate: exposure.certificateArn, sslPolicy: LOAD_BALANCER_TLS_POLICY }],
      },
    });
    for (const backend of backends) {
      new ApiObject(chart, `TargetGroupConfiguration-${backend.service}`, {
        apiVersion: LBC_GATEWAY_API,
        kind: 'TargetGroupConfiguration',
        metadata: { name: backend.service, namespace },
        spec: {
          targetReference: { name: backend.service },
          defaultConfiguration: { targetType: 'ip', healthCheckConfig: { healthCheckPath: options.healthPath, healthCheckProtocol: 'HTTP' } },
        },
      });
    }
  }

  new ApiObject(chart, 'Gateway', {
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: { name, namespace },
    spec: {
      gatewayClassName: site.gatewayClassName,
      listeners: [{
        name: 'https',
        protocol: 'HTTPS',
        port: GATEWAY_HTTPS_PORT,
        hostname: exposure.host,
        // The ALB takes its certificate from the LoadBalancerConfiguration, not from a Secret.
        tls: awsLoadBalancer ? undefined : { mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: exposure.tlsSecretName }] },
        allowedRoutes: { namespaces: { from: 'Same' } },
      }],
      infrastructure: awsLoadBalancer ? { parametersRef: { group: 'gateway.k8s.aws', kind: 'LoadBalancerConfiguration', name } } : undefined,
    },
  });

  const weight = (backend: Backend) => (backend.weight !== undefined ? { weight: backend.weight } : {});
  const backendRef = (backend: Backend) => (backend.pool
    // An InferencePool backend has no port: the pool's target port applies.
    ? { group: 'inference.networking.k8s.io', kind: 'InferencePool', name: backend.pool, ...weight(backend) }
    : { name: backend.service, port, ...weight(backend) });
  const everything = { path: { type: 'PathPrefix', value: '/' } };
  new ApiObject(chart, 'HTTPRoute', {
    apiVersion: GATEWAY_API,
    kind: 'HTTPRoute',
    metadata: { name, namespace },
    spec: {
      parentRefs: [{ name, sectionName: 'https' }],
      hostnames: [exposure.host],
      rules: [
        // The more specific match (a header) wins over the weighted split.
        ...(canary?.matchHeader ? [{
          matches: [{ ...everything, headers: [{ type: 'Exact', name: canary.matchHeader.name, value: canary.matchHeader.value }] }],
          backendRefs: [backendRef({ service: `${name}-canary`, pool: pools?.canary })],
        }] : []),
        { matches: [everything], backendRefs: backends.map(backendRef) },
      ],
    },
  });
}

function addTrackService(chart: Chart, id: string, name: string, namespace: string, selector: Record<string, string>, port: number): void {
  new k8s.KubeService(chart, id, {
    metadata: { name, namespace, labels: selector },
    spec: { type: 'ClusterIP', selector, ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }] },
  });
}
