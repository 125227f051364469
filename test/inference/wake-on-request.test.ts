/**
 * Scale to zero that wakes on the first request (ScaleToZero.onRequest): the KEDA HTTP add-on's
 * interceptor holds the request, its external scaler wakes the service, and the request is
 * forwarded once a replica is ready. What must hold across the objects for that path to work.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, InferenceScaling, InferenceService, InferenceServiceProps, KubernetesSite, PlatformMonitoring, ScaleToZero, ServiceExposure } from '../../lib'
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, testApp } from '../harness/synth';
import { KEDA_HTTP_ADD_ON_VERSION, KEDA_HTTP_EXTERNAL_SCALER_ADDRESS } from '../../lib/inference/keda-http-add-on';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: KubernetesObject): any => o.spec as any;

function eks(addOn = true): { stack: Stack; cluster: GpuCluster } {
  const stack = new Stack(testApp(), 'Platform');
  const cluster = new GpuCluster(stack, 'Gpu');
  cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 });
  cluster.addInferenceAutoscaling({ kedaHttpAddOn: addOn });
  return { stack, cluster };
}

function llama(scope: Stack, site: GpuCluster['site'] | KubernetesSite, props: Partial<InferenceServiceProps> = {}): InferenceService {
  return new InferenceService(scope, 'Llm', {
    site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', maxReplicas: 3,
    scaling: InferenceScaling.onQueueDepth(8), scaleToZero: ScaleToZero.onRequest(Duration.minutes(20)), maxStartupTime: Duration.minutes(20), ...props,
  });
}

describe('wake on request on EKS', () => {
  let built: { stack: Stack; cluster: GpuCluster };
  let service: InferenceService;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = eks();
    service = llama(built.stack, built.cluster.site);
    objects = siteObjects(built.cluster.site);
  });

  test('the add-on is pinned, installed after KEDA, restricted, and its interceptor scraped', () => {
    const template = cleanTemplate(built.stack);
    const releases = template.findResources('Custom::AWSCDK-EKS-HelmChart');
    const [addOnId, addOn] = Object.entries(releases).find(([, r]) => r.Properties.Chart === 'keda-add-ons-http')!;
    const [kedaId] = Object.entries(releases).find(([, r]) => r.Properties.Chart === 'keda')!;
    expect(addOn.Properties).toMatchObject({ Version: KEDA_HTTP_ADD_ON_VERSION, Namespace: 'keda', Repository: 'https://kedacore.github.io/charts' });
    expect(addOn.DependsOn).toContain(kedaId);
    const values = JSON.parse(built.stack.resolve(addOn.Properties.Values));
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(values.interceptor.podAnnotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '2223', 'prometheus.io/path': '/metrics' });
    // The service's chart (with the InterceptorRoute) is applied after the release that installs its CRD.
    const site = built.cluster.site;
    const manifest = site.manifestOf(site.charts.find((c) => c.node.id === 'inference-inference-llama')!)!;
    expect(manifest.node.dependencies).toContain(built.cluster.inferenceAutoscaling!.kedaHttpAddOn);
    expect(addOnId).toBeDefined();
  });

  test('an InterceptorRoute to the model server, holding requests through a cold start', () => {
    expect(spec(findObject(objects, 'InterceptorRoute', 'llama', 'inference'))).toEqual({
      target: { service: 'llama', port: 8000 },
      rules: [{ hosts: ['llama-wake', 'llama-wake.inference', 'llama-wake.inference.svc', 'llama-wake.inference.svc.cluster.local'] }],
      scalingMetric: { concurrency: { targetValue: 1_000_000 } },
      // maxStartupTime (20 minutes) plus 10 minutes for a GPU node.
      timeouts: { readiness: '1800s', responseHeader: '600s' },
    });
  });

  test('clients call the wake Service, which resolves to the interceptor', () => {
    expect(spec(findObject(objects, 'Service', 'llama-wake', 'inference'))).toEqual({
      type: 'ExternalName', externalName: 'keda-add-ons-http-interceptor-proxy.keda.svc.cluster.local', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    });
    expect(service.url).toBe('http://llama-wake.inference.svc.cluster.local:8080');
  });

  test('the ScaledObject wakes on held requests, after the route, and keeps its serving trigger', () => {
    const scaled = findObject(objects, 'ScaledObject', 'llama', 'inference');
    expect(spec(scaled).minReplicaCount).toBe(0);
    expect(spec(scaled).cooldownPeriod).toBe(1200);
    expect(spec(scaled).triggers.map((t: any) => t.type)).toEqual(['prometheus', 'external-push']);
    expect(spec(scaled).triggers[1]).toEqual({ type: 'external-push', metadata: { scalerAddress: KEDA_HTTP_EXTERNAL_SCALER_ADDRESS, interceptorRoute: 'llama' } });
    const order = objects.map((o) => `${o.kind}/${o.metadata?.name}`);
    expect(order.indexOf('ScaledObject/llama')).toBeGreaterThan(order.indexOf('InterceptorRoute/llama'));
  });

  test('the NetworkPolicy admits the interceptor pods to the model server port', () => {
    const policy = findObject(objects, 'NetworkPolicy', 'allow-llama-clients', 'inference');
    expect(spec(policy).ingress[0].from).toContainEqual({
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'keda' } },
      podSelector: { matchLabels: { 'app.kubernetes.io/component': 'interceptor', 'app.kubernetes.io/name': 'http-add-on' } },
    });
    expect(spec(policy).ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
  });

  test('manifests validate (InterceptorRoute against its CRD) and the invariants hold', () => {
    expectSafeManifests(objects);
  });
});

describe('monitoring of a service that wakes on request', () => {
  test('InferenceNotWakingUp watches the requests the interceptor holds, a series the collector scrapes', () => {
    const { stack, cluster } = eks();
    const service = llama(stack, cluster.site);
    const monitoring = new PlatformMonitoring(stack, 'Monitoring');
    monitoring.monitorInferenceService(service);
    const rules = stack.resolve((monitoring.node.findAll().find((c) => c.node.id === 'inference-llama') as any).data) as string;
    expect(rules).toContain('expr: "(sum(interceptor_request_concurrency{route_namespace=\\"inference\\",route_name=\\"llama\\"})) > 0 unless on()');
    // The metrics-have-producers invariant finds the interceptor among the scraped exporters.
    expect(() => cleanTemplate(stack)).not.toThrow();
  });
});

test('by default a service idles 15 minutes before it scales to zero', () => {
  expect(ScaleToZero.onRequest().idleFor.toMinutes()).toBe(15);
});

describe('wake on request that cannot work fails at construction', () => {
  test('without the add-on, the error names the option', () => {
    const { stack, cluster } = eks(false);
    expect(() => llama(stack, cluster.site)).toThrow(/scaleToZero = "onRequest".*needs the KEDA HTTP add-on.*addInferenceAutoscaling\(\{ kedaHttpAddOn: true \}\)/s);
  });

  test('a load balancer or ingress would bypass the interceptor', () => {
    const { stack, cluster } = eks();
    expect(() => llama(stack, cluster.site, { exposure: ServiceExposure.internalLoadBalancer() }))
      .toThrow(/exposure = "internal-load-balancer".*bypasses the KEDA HTTP interceptor.*ServiceExposure.clusterIp\(\)/s);
  });

  test('an on-premises site declares the add-on', () => {
    const declare = (kedaHttpAddOnAvailable: boolean) => {
      const stack = new Stack(testApp(), 'OnPrem');
      const site = new KubernetesSite(stack, 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, kedaAvailable: true, prometheusQueryUrl: 'http://p.monitoring:9090', kedaHttpAddOnAvailable });
      return () => { llama(stack, site); return siteObjects(site); };
    };
    expect(declare(false)).toThrow(/declare kedaHttpAddOnAvailable: true on the site/);
    expectSafeManifests(declare(true)());
  });
});
