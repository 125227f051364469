/**
 * Deploy-time proof that a model server serves: its Deployment reports available replicas.
 * The kubectl provider's `get` handler polls until the JSON path is non-empty and fails the
 * deployment on timeout (aws-eks-v2 kubectl-handler/get), so no extra assertion is needed.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EksSite, GpuCluster, InferenceService } from '../../lib';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../../lib/k8s/pod-security';
import { eventually } from './integ-app';

/**
 * How long to wait for the first available replica: GPU node launch, image pull and model
 * load. Below the kubectl provider's 15 minute Lambda timeout.
 */
export const DEPLOYMENT_AVAILABLE_TIMEOUT = Duration.minutes(14);

/** Fails the deployment unless the service's Deployment has an available replica in time. */
export function expectDeploymentAvailable(service: InferenceService): eks.KubernetesObjectValue {
  const site = service.site;
  if (!(site instanceof EksSite)) throw new Error(`${service.name} is not on an EKS site; only EKS Deployments can be checked at deploy time`);
  const manifest = site.manifestOf(service.chart);
  if (!manifest) throw new Error(`no manifest applies the chart of ${service.name}`);
  // In the manifest's stack, after it: the Deployment exists when the probe starts.
  const value = new eks.KubernetesObjectValue(Stack.of(manifest), `${service.node.id}Available`, {
    cluster: site.cluster,
    objectType: 'deployment',
    objectName: service.name,
    objectNamespace: service.namespace,
    jsonPath: '.status.availableReplicas',
    timeout: DEPLOYMENT_AVAILABLE_TIMEOUT,
  });
  value.node.addDependency(manifest);
  new CfnOutput(Stack.of(manifest), `${service.node.id}AvailableReplicas`, { value: value.value });
  return value;
}

/**
 * Fails the deployment unless the Amazon Managed Prometheus collector that scrapes the model
 * servers (and feeds KEDA) is ACTIVE. It does not prove that samples arrived: see README.
 */
export function expectScraperActive(integ: IntegTest, cluster: GpuCluster): void {
  const scraper = cluster.inferenceAutoscaling?.scraper;
  if (!scraper) throw new Error(`${cluster.node.path} has no managed collector (addInferenceAutoscaling)`);
  eventually(integ.assertions.awsApiCall('Amp', 'describeScraper', { scraperId: scraper.attrScraperId }),
    ExpectedResult.objectLike({ scraper: { status: { statusCode: 'ACTIVE' } } }));
}

/**
 * Queries an Amazon Managed Prometheus workspace (SigV4, service `aps`) from a Lambda function:
 * the Prometheus query API is HTTP, not an SDK call, so `awsApiCall` cannot reach it. Returns
 * "series-present" when the query yields series. The Node.js runtime ships the SDK's signer.
 */
const AMP_QUERY_HANDLER = `
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@aws-crypto/sha256-js');
const { defaultProvider } = require('@aws-sdk/credential-provider-node');
exports.handler = async (event) => {
  const url = new URL(process.env.QUERY_URL);
  url.searchParams.set('query', event.query);
  const signer = new SignatureV4({ service: 'aps', region: process.env.AWS_REGION, credentials: defaultProvider(), sha256: Sha256 });
  const request = await signer.sign({
    method: 'GET', protocol: 'https:', hostname: url.hostname, path: url.pathname,
    query: Object.fromEntries(url.searchParams), headers: { host: url.hostname },
  });
  const response = await fetch(url, { headers: request.headers });
  const body = await response.json();
  const series = response.ok && body.data && Array.isArray(body.data.result) ? body.data.result.length : 0;
  return series > 0 ? 'series-present' : 'no-series (HTTP ' + response.status + ')';
};`;

/**
 * Fails the deployment unless Amazon Managed Prometheus holds the model servers' own metrics
 * (vLLM's `vllm:num_requests_running`, which the managed collector scrapes from the annotated
 * pods): the series KEDA scales on and the alerts watch.
 */
export function expectModelServerMetricsInAmp(integ: IntegTest, cluster: GpuCluster): void {
  const autoscaling = cluster.inferenceAutoscaling;
  if (!autoscaling) throw new Error(`${cluster.node.path} has no Prometheus workspace (addInferenceAutoscaling)`);
  const stack = Stack.of(autoscaling);
  const query = new lambda.Function(stack, 'IntegAmpQuery', {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline(AMP_QUERY_HANDLER),
    timeout: Duration.seconds(30),
    environment: { QUERY_URL: `${autoscaling.prometheusQueryUrl}/api/v1/query` },
  });
  query.addToRolePolicy(new iam.PolicyStatement({ actions: ['aps:QueryMetrics'], resources: [autoscaling.workspace.attrArn] }));
  // Query results of a workspace with a customer managed key are decrypted through AMP.
  autoscaling.encryptionKey.grantDecrypt(query);
  eventually(integ.assertions.invokeFunction({ functionName: query.functionName, payload: JSON.stringify({ query: 'vllm:num_requests_running' }) }),
    ExpectedResult.objectLike({ Payload: '"series-present"' }));
}

/** Image of the client Job that calls a service through the KEDA HTTP interceptor. */
export const WAKE_CLIENT_IMAGE = 'curlimages/curl:8.11.1';

/**
 * Fails the deployment unless a request to a wake-on-request service's `url` (through the KEDA
 * HTTP interceptor, the path a client takes) is answered by the model server: a Job in its own
 * namespace calls `<url>/v1/models`, retrying through a cold start, and the Job must succeed.
 * It proves the route, the ExternalName Service and the NetworkPolicy; waking from zero itself
 * needs the service to have idled for `idleFor` first (see README "Deploy verification").
 */
export function expectAnswersThroughInterceptor(service: InferenceService, after: eks.KubernetesObjectValue): eks.KubernetesObjectValue {
  const site = service.site;
  if (!(site instanceof EksSite)) throw new Error(`${service.name} is not on an EKS site`);
  const stack = Stack.of(after);
  const namespace = 'integ-wake';
  const jobName = `wake-${service.name}`;
  const job = new eks.KubernetesManifest(stack, `${service.node.id}WakeClient`, {
    cluster: site.cluster,
    manifest: [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: jobName, namespace },
        spec: {
          backoffLimit: 2,
          template: {
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(),
              containers: [{
                name: 'client',
                image: WAKE_CLIENT_IMAGE,
                args: ['-sf', '--max-time', '1800', '--retry', '30', '--retry-all-errors', '--retry-delay', '20', `${service.url}/v1/models`],
                securityContext: restrictedContainerSecurityContext(),
                resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { memory: '64Mi' } },
              }],
            },
          },
        },
      },
    ],
  });
  job.node.addDependency(after);
  const succeeded = new eks.KubernetesObjectValue(stack, `${service.node.id}WakeClientSucceeded`, {
    cluster: site.cluster,
    objectType: 'job',
    objectName: jobName,
    objectNamespace: namespace,
    jsonPath: '.status.succeeded',
    timeout: DEPLOYMENT_AVAILABLE_TIMEOUT,
  });
  succeeded.node.addDependency(job);
  new CfnOutput(stack, `${service.node.id}WakeClientSucceededCount`, { value: succeeded.value });
  return succeeded;
}
