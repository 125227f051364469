/**
 * The Kubernetes objects that expose a model server: its Service (ClusterIP, or an internal
 * network load balancer), an Ingress where asked, and the NetworkPolicy that admits the
 * clients. On sites with AWS load balancers TLS terminates at the load balancer with an ACM
 * certificate; elsewhere the ingress controller reads it from a Secret.
 */
import { Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { IConstruct } from 'constructs';
import { addGatewayObjects } from './gateway-route';
import { ExposureType, ServiceExposure } from './service-exposure';
import { LOAD_BALANCER_TLS_POLICY } from '../k8s/ingress-class';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { PropValidationError } from '../private/errors';
import { checkPattern } from '../private/validation';

/** Port of the TLS listener of a load balancer in front of a model server. */
export const TLS_LISTENER_PORT = 443;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
/** A DNS name (RFC 1123 subdomain), optionally a wildcard's `*.` first label, as Ingress hosts allow. */
const INGRESS_HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export interface ExposureObjectsOptions {
  readonly name: string;
  readonly namespace: string;
  readonly site: IKubernetesSite;
  readonly exposure: ServiceExposure;
  readonly selector: Record<string, string>;
  /** The model server's container port (named `http`). */
  readonly port: number;
  /** Readiness path of the model server, for the load balancer's health check. */
  readonly healthPath: string;
  /** Pods admitted besides the exposure's client ranges (e.g. the KEDA HTTP interceptor). */
  readonly extraClientPeers?: k8s.NetworkPolicyPeer[];
  /** With a canary: the pods of each track, and how a Gateway's route splits requests. */
  readonly canary?: CanaryRouting;
  /**
   * Behind a Gateway: route to InferencePools (their endpoint pickers choose the pod) instead
   * of Services: the stable track's, and the canary's with a canary.
   */
  readonly inferencePools?: { readonly stable: string; readonly canary: string };
}

/** How requests reach a canary behind a Gateway. */
export interface CanaryRouting {
  readonly stableSelector: Record<string, string>;
  readonly canarySelector: Record<string, string>;
  /** Percentage of requests the canary's backend gets. */
  readonly trafficPercent: number;
  /** Requests with this header go to the canary. */
  readonly matchHeader?: { readonly name: string; readonly value: string };
}

/** An HTTP header name (RFC 7230 token) as Gateway API accepts it. */
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,256}$/;

/** Throws on a header match Gateway API would reject. */
export function checkHeaderMatch(scope: IConstruct, prop: string, match: { name: string; value: string }): void {
  checkPattern(scope, `${prop}.name`, match.name, HEADER_NAME, 'an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)', 'x-canary');
  if (match.value.length === 0 || match.value.length > 4096) {
    throw new PropValidationError(scope, `${prop}.value`, match.value, 'is not 1 to 4096 characters long', 'Give the exact header value, e.g. "true".');
  }
}

/** Throws on an exposure the site cannot provide, before any object exists. */
export function checkExposure(scope: IConstruct, site: IKubernetesSite, exposure: ServiceExposure): void {
  const siteName = site.siteName;
  if (exposure.type === ExposureType.INTERNAL_LOAD_BALANCER && !site.loadBalancerClass) {
    throw new PropValidationError(scope, 'exposure', exposure.type, `needs a load balancer class, which site "${siteName}" does not declare`,
      'Use EKS Auto Mode or GpuCluster awsLoadBalancerController, declare loadBalancerClass on the site, or use ServiceExposure.clusterIp().');
  }
  if (exposure.type === ExposureType.INGRESS && !site.ingressClassName) {
    throw new PropValidationError(scope, 'exposure', exposure.type, `needs an ingress class, which site "${siteName}" does not declare`,
      'Use EKS Auto Mode or GpuCluster awsLoadBalancerController (IngressClass internal-alb), or declare ingressClassName on the site.');
  }
  if (exposure.type === ExposureType.GATEWAY && !site.gatewayClassName) {
    throw new PropValidationError(scope, 'exposure', exposure.type, `needs a gateway class, which site "${siteName}" does not declare`,
      'Use GpuCluster awsLoadBalancerController with gatewayApi: true (GatewayClass internal-alb), or declare gatewayClassName on the site.');
  }
  if (exposure.host !== undefined) {
    checkPattern(scope, 'exposure.host', exposure.host, INGRESS_HOST, 'a lowercase DNS name (optionally starting with "*.")', 'llm.inference.example.com');
  }
  if (exposure.certificateArn !== undefined) {
    checkPattern(scope, 'exposure.certificateArn', exposure.certificateArn, ACM_CERTIFICATE_ARN, 'the ARN of an ACM certificate',
      'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901');
    if (!site.awsLoadBalancers) {
      throw new PropValidationError(scope, 'exposure.certificateArn', exposure.certificateArn,
        `needs AWS load balancers, but site "${siteName}" does not declare awsLoadBalancers (its classes may not read ACM certificates)`,
        'Use EKS Auto Mode or GpuCluster awsLoadBalancerController, or on another controller ServiceExposure.ingress(host, tlsSecretName).');
    }
  }
  if (exposure.tlsSecretName !== undefined && site.awsLoadBalancers) {
    throw new PropValidationError(scope, 'exposure.tlsSecretName', exposure.tlsSecretName,
      `is ignored by the application load balancers of site "${siteName}": its HTTPS listener would have no certificate`,
      exposure.type === ExposureType.GATEWAY ? 'Use ServiceExposure.gatewayWithCertificate(host, certificateArn) with an ACM certificate for the host.'
        : 'Use ServiceExposure.ingressWithCertificate(host, certificateArn) with an ACM certificate for the host.');
  }
}

/** The Service, the Ingress (if any) and the client NetworkPolicy, in the chart. */
export function addExposureObjects(chart: Chart, options: ExposureObjectsOptions): void {
  const { name, namespace, site, exposure, selector, port } = options;
  const loadBalancer = exposure.type === ExposureType.INTERNAL_LOAD_BALANCER;
  const tlsAtLoadBalancer = loadBalancer && exposure.certificateArn !== undefined;
  new k8s.KubeService(chart, 'Service', {
    metadata: {
      name,
      namespace,
      labels: selector,
      annotations: loadBalancer ? {
        'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal',
        'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
        ...(tlsAtLoadBalancer ? {
          'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': exposure.certificateArn!,
          'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': 'https',
          'service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy': LOAD_BALANCER_TLS_POLICY,
        } : {}),
      } : undefined,
    },
    spec: {
      type: loadBalancer ? 'LoadBalancer' : 'ClusterIP',
      loadBalancerClass: loadBalancer ? site.loadBalancerClass : undefined,
      selector,
      // With TLS the load balancer listens on 443 only: no plaintext listener beside it.
      ports: [tlsAtLoadBalancer
        ? { name: 'https', port: TLS_LISTENER_PORT, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }
        : { name: 'http', port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
    },
  });
  if (exposure.type === ExposureType.INGRESS) addIngress(chart, options);
  if (exposure.type === ExposureType.GATEWAY) addGatewayObjects(chart, options);
  new k8s.KubeNetworkPolicy(chart, 'AllowClients', {
    metadata: { name: `allow-${name}-clients`, namespace },
    spec: {
      podSelector: { matchLabels: selector },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [...exposure.allowedClientCidrs.map((cidr) => ({ ipBlock: { cidr } })), ...(options.extraClientPeers ?? [])],
        ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) }],
      }],
    },
  });
}

function addIngress(chart: Chart, options: ExposureObjectsOptions): void {
  const { name, namespace, site, exposure, selector, port, healthPath } = options;
  const rules = [{ host: exposure.host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name, port: { number: port } } } }] } }];
  if (exposure.certificateArn === undefined) {
    new k8s.KubeIngress(chart, 'Ingress', {
      metadata: { name, namespace, labels: selector },
      spec: { ingressClassName: site.ingressClassName, tls: [{ hosts: [exposure.host!], secretName: exposure.tlsSecretName }], rules },
    });
    return;
  }
  // An ALB: scheme and TLS policy come from the class's IngressClassParams; the listener,
  // certificate, targets and health check from the Ingress (both AWS implementations read these).
  new k8s.KubeIngress(chart, 'Ingress', {
    metadata: {
      name,
      namespace,
      labels: selector,
      annotations: {
        'alb.ingress.kubernetes.io/listen-ports': JSON.stringify([{ HTTPS: TLS_LISTENER_PORT }]),
        'alb.ingress.kubernetes.io/certificate-arn': exposure.certificateArn,
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/healthcheck-path': healthPath,
      },
    },
    spec: { ingressClassName: site.ingressClassName, rules },
  });
}
