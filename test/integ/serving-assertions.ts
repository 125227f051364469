/**
 * Deploy-time proof that a model server serves: its Deployment reports available replicas.
 * The kubectl provider's `get` handler polls until the JSON path is non-empty and fails the
 * deployment on timeout (aws-eks-v2 kubectl-handler/get), so no extra assertion is needed.
 */
import { CfnOutput, Duration, Stack } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { EksSite, GpuCluster, InferenceService } from '../../lib';
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
