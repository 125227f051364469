/**
 * Kubernetes Gateway API on a managed-node-group cluster: the standard-channel CRDs (vendored,
 * installed with Helm) and the GatewayClass of the AWS Load Balancer Controller's ALB
 * implementation (`gateway.k8s.aws/alb`, GA since controller v3.0.0).
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { ApiObject, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { acknowledgeWildcards, wildcardAction, wildcardResource } from '../private/nag-acknowledgements';
import { packageAssetPath } from '../private/package-assets';

/** Gateway API release whose standard channel is vendored (the one controller v3.5.0 is built for). */
export const GATEWAY_API_VERSION = 'v1.6.0';
/** Name of the GatewayClass (internal application load balancers) on sites with the controller. */
export const INTERNAL_ALB_GATEWAY_CLASS = 'internal-alb';
/** Release name of the CRD chart (the crds-before-objects gate knows it). */
export const GATEWAY_API_CRDS_RELEASE = 'gateway-api-crds';
const ALB_GATEWAY_CONTROLLER = 'gateway.k8s.aws/alb';

/**
 * The CRDs as a Helm release from the package's vendored chart: Helm applies them server-side
 * without `kubectl.kubernetes.io/last-applied-configuration` (the HTTPRoute CRD alone nearly
 * fills that annotation's 256 KiB), and the 1.2 MB of YAML stays out of the template.
 */
export function installGatewayApiCrds(scope: Construct, cluster: eks.ICluster): eks.HelmChart {
  const chartAsset = new Asset(scope, 'GatewayApiCrdsChart', { path: packageAssetPath('charts/gateway-api-crds') });
  const provider = cluster.kubectlProvider;
  if (provider) {
    // HelmChart grants the kubectl handler read of the asset with aws-s3's grantRead.
    acknowledgeWildcards(provider, 'The kubectl handler reads the chart asset from the bootstrap assets bucket with aws-s3 grantRead (its GetObject*/GetBucket*/List* actions); the bucket holds deployment assets only.',
      [wildcardAction('s3:GetObject*'), wildcardAction('s3:GetBucket*'), wildcardAction('s3:List*'), wildcardResource(provider, `${chartAsset.bucket.bucketArn}/*`)]);
  }
  return new eks.HelmChart(scope, 'GatewayApiCrds', {
    cluster,
    chartAsset,
    release: GATEWAY_API_CRDS_RELEASE,
    namespace: 'kube-system',
    createNamespace: false,
  });
}

/**
 * The site's GatewayClass for the controller's application load balancers; `dependencies` are
 * what must exist before it is applied (the controller, after the CRDs).
 */
export function addAlbGatewayClass(site: IKubernetesSite, dependencies: Construct[]): Chart {
  const chart = site.newChart('gateway-class');
  new ApiObject(chart, 'Class', {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GatewayClass',
    metadata: { name: INTERNAL_ALB_GATEWAY_CLASS },
    spec: { controllerName: ALB_GATEWAY_CONTROLLER, description: 'Application load balancers of the AWS Load Balancer Controller' },
  });
  site.addChart(chart, { dependencies });
  return chart;
}
