/**
 * The site's IngressClass for internal application load balancers, on either AWS
 * implementation: the AWS Load Balancer Controller (IngressClassParams elbv2.k8s.aws/v1beta1,
 * controller ingress.k8s.aws/alb) or EKS Auto Mode (eks.amazonaws.com/v1, controller
 * eks.amazonaws.com/alb). The parameters fix what every Ingress of the class shares: an
 * internal scheme and a TLS 1.3 security policy (both implementations default to
 * ELBSecurityPolicy-2016-08, which still allows TLS 1.0).
 */
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';

/** Name of the IngressClass (and its IngressClassParams) the library creates on AWS sites. */
export const INTERNAL_ALB_INGRESS_CLASS = 'internal-alb';
/** TLS policy of the library's load balancer listeners (aws-cdk-lib's SslPolicy.RECOMMENDED_TLS). */
export const LOAD_BALANCER_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

/** Which controller provisions the application load balancers. */
export enum AlbController {
  /** The AWS Load Balancer Controller (Helm). */
  AWS_LOAD_BALANCER_CONTROLLER = 'aws-load-balancer-controller',
  /** EKS Auto Mode's built-in load balancing. */
  EKS_AUTO_MODE = 'eks-auto-mode',
}

const CONTROLLERS: Record<AlbController, { controller: string; apiGroup: string; version: string; extraParams: Record<string, unknown> }> = {
  [AlbController.AWS_LOAD_BALANCER_CONTROLLER]: { controller: 'ingress.k8s.aws/alb', apiGroup: 'elbv2.k8s.aws', version: 'v1beta1', extraParams: { targetType: 'ip' } },
  // Auto Mode's IngressClassParams has no targetType: it targets pod IPs by default.
  [AlbController.EKS_AUTO_MODE]: { controller: 'eks.amazonaws.com/alb', apiGroup: 'eks.amazonaws.com', version: 'v1', extraParams: {} },
};

/**
 * Adds the chart with the internal ALB IngressClass to the site; `dependencies` are what must
 * exist before it is applied (the controller's Helm release, which installs the CRD).
 */
export function addInternalAlbIngressClass(site: IKubernetesSite, controller: AlbController, dependencies: Construct[] = []): Chart {
  const { controller: controllerName, apiGroup, version, extraParams } = CONTROLLERS[controller];
  const chart = site.newChart('ingress-class');
  new ApiObject(chart, 'Params', {
    apiVersion: `${apiGroup}/${version}`,
    kind: 'IngressClassParams',
    metadata: { name: INTERNAL_ALB_INGRESS_CLASS },
    spec: { scheme: 'internal', sslPolicy: LOAD_BALANCER_TLS_POLICY, ...extraParams },
  });
  new ApiObject(chart, 'Class', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: INTERNAL_ALB_INGRESS_CLASS },
    spec: { controller: controllerName, parameters: { apiGroup, kind: 'IngressClassParams', name: INTERNAL_ALB_INGRESS_CLASS } },
  });
  site.addChart(chart, { dependencies });
  return chart;
}
