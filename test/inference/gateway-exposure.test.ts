/**
 * Inference routing through Kubernetes Gateway API. What must hold at deploy time: the Gateway
 * API CRDs exist before the AWS Load Balancer Controller starts (it looks for them once), the
 * GatewayClass names the controller's ALB implementation, every HTTPRoute backend is a
 * Service that selects the pods of its track and has pod-IP targets (the controller's default,
 * instance targets, cannot serve a ClusterIP Service), the weights send the canary its share
 * and the header match wins over the split. The `gateway-routes-resolve` invariant checks the
 * references on every synthesized app.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, InferenceService, KubernetesSite, ServiceExposure } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, synthesizeClean, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation and manifests are untyped */

const CERTIFICATE = 'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901';
const spec = (o: KubernetesObject): any => o.spec as any;

function gatewayCluster(): { stack: Stack; cluster: GpuCluster } {
  const stack = new Stack(testApp(), 'Serving');
  const cluster = new GpuCluster(stack, 'Gpu', { awsLoadBalancerController: { gatewayApi: true } });
  cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 6 });
  return { stack, cluster };
}

describe('a canary behind an ALB Gateway', () => {
  let built: ReturnType<typeof gatewayCluster>;
  let template: Template;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = gatewayCluster();
    new InferenceService(built.stack, 'Llm', {
      site: built.cluster.site, name: 'llm', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', minReplicas: 2,
      exposure: ServiceExposure.gatewayWithCertificate('llm.example.com', CERTIFICATE),
      canary: { modelVersion: 'v2', trafficPercent: 20, matchHeader: { name: 'x-canary', value: 'true' } },
    });
    template = cleanTemplate(built.stack);
    objects = siteObjects(built.cluster.site);
  });

  test('the Gateway API CRDs (v1.6.0, vendored chart) are installed before the controller, which precedes the GatewayClass', () => {
    const crds = template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Release: 'gateway-api-crds' } });
    const [crdsId, crdsRelease] = Object.entries<any>(crds)[0];
    expect(crdsRelease.Properties.ChartAssetURL).toBeDefined();
    const controller = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'aws-load-balancer-controller' } }))[0];
    expect(controller.DependsOn).toEqual(expect.arrayContaining([crdsId]));
    const chart = path.join(__dirname, '../../assets/charts/gateway-api-crds');
    const kinds = fs.readdirSync(path.join(chart, 'templates'));
    expect(kinds).toEqual(expect.arrayContaining(['gateway.networking.k8s.io_httproutes.yaml', 'gateway.networking.k8s.io_gateways.yaml', 'gateway.networking.k8s.io_gatewayclasses.yaml']));
    expect(fs.readFileSync(path.join(chart, 'templates/gateway.networking.k8s.io_httproutes.yaml'), 'utf8')).toMatch(/bundle-version: v1\.6\.0\n\s+gateway\.networking\.k8s\.io\/channel: standard/);
    // The pod-identity-before-pods gate skips this release as podless: it must stay so.
    const templateKinds = kinds.flatMap((file) => [...fs.readFileSync(path.join(chart, 'templates', file), 'utf8').matchAll(/^kind: (\w+)$/gm)].map((m) => m[1]));
    expect(new Set(templateKinds)).toEqual(new Set(['CustomResourceDefinition', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']));
    expect(findObject(objects, 'GatewayClass', 'internal-alb').spec).toEqual(expect.objectContaining({ controllerName: 'gateway.k8s.aws/alb' }));
  });

  test('the Gateway is an internal ALB with the ACM certificate and the TLS 1.3 policy, for the host only', () => {
    expectSafeManifests(objects);
    const gateway = spec(findObject(objects, 'Gateway', 'llm', 'inference'));
    expect(gateway.gatewayClassName).toBe('internal-alb');
    expect(gateway.listeners).toEqual([{ name: 'https', protocol: 'HTTPS', port: 443, hostname: 'llm.example.com', allowedRoutes: { namespaces: { from: 'Same' } } }]);
    expect(gateway.infrastructure.parametersRef).toEqual({ group: 'gateway.k8s.aws', kind: 'LoadBalancerConfiguration', name: 'llm' });
    expect(spec(findObject(objects, 'LoadBalancerConfiguration', 'llm', 'inference'))).toEqual({
      scheme: 'internal',
      listenerConfigurations: [{ protocolPort: 'HTTPS:443', defaultCertificate: CERTIFICATE, sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' }],
    });
  });

  test('the route sends the header match to the canary and splits the rest 80/20; each backend selects exactly its track\'s pods', () => {
    const route = spec(findObject(objects, 'HTTPRoute', 'llm', 'inference'));
    expect(route.parentRefs).toEqual([{ name: 'llm', sectionName: 'https' }]);
    expect(route.hostnames).toEqual(['llm.example.com']);
    expect(route.rules).toEqual([
      { matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [{ type: 'Exact', name: 'x-canary', value: 'true' }] }], backendRefs: [{ name: 'llm-canary', port: 8000 }] },
      { matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'llm-stable', port: 8000, weight: 80 }, { name: 'llm-canary', port: 8000, weight: 20 }] },
    ]);
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    for (const [service, version] of [['llm-stable', 'v1'], ['llm-canary', 'v2']]) {
      const selector = spec(findObject(objects, 'Service', service, 'inference')).selector;
      const selected = deployments.filter((d) => Object.entries(selector).every(([k, v]) => spec(d).template.metadata.labels[k] === v));
      expect(selected.map((d) => spec(d).template.metadata.labels['app.kubernetes.io/version'])).toEqual([version]);
      expect(spec(findObject(objects, 'TargetGroupConfiguration', service, 'inference'))).toEqual({
        targetReference: { name: service },
        defaultConfiguration: { targetType: 'ip', healthCheckConfig: { healthCheckPath: '/health', healthCheckProtocol: 'HTTP' } },
      });
    }
  });
});

describe('Gateway exposure on other sites, and its errors', () => {
  test('a declared gateway class with a Secret certificate: the listener terminates TLS with it, no AWS objects', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Lab', { gatewayClassName: 'envoy', gpuCapacity: { gpusPerNode: 4, totalGpus: 8 } });
    new InferenceService(app, 'Llm', { site, name: 'llm', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', exposure: ServiceExposure.gateway('llm.lab.internal', 'llm-tls') });
    synthesizeClean(app);
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    const listener = spec(findObject(objects, 'Gateway', 'llm', 'inference')).listeners[0];
    expect(listener.tls).toEqual({ mode: 'Terminate', certificateRefs: [{ kind: 'Secret', name: 'llm-tls' }] });
    expect(spec(findObject(objects, 'HTTPRoute', 'llm', 'inference')).rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'llm', port: 8000 }] }]);
    expect(objects.filter((o) => o.apiVersion.startsWith('gateway.k8s.aws'))).toEqual([]);
  });

  test('a canary without trafficPercent gets 10 % of requests behind a Gateway', () => {
    const { stack, cluster } = gatewayCluster();
    new InferenceService(stack, 'Llm', {
      site: cluster.site, name: 'llm', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1',
      exposure: ServiceExposure.gatewayWithCertificate('llm.example.com', CERTIFICATE), canary: { modelVersion: 'v2' },
    });
    const route = spec(findObject(siteObjects(cluster.site), 'HTTPRoute', 'llm', 'inference'));
    expect(route.rules).toEqual([{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'llm-stable', port: 8000, weight: 90 }, { name: 'llm-canary', port: 8000, weight: 10 }] }]);
  });

  test('no gateway class, a weight without a Gateway, an ACM certificate off AWS, a bad header name: each fails with its fix', () => {
    const { stack, cluster } = gatewayCluster();
    const plain = new GpuCluster(new Stack(testApp(), 'Plain'), 'Gpu', { awsLoadBalancerController: {} });
    const base = { image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' };
    expect(() => new InferenceService(plain, 'A', { ...base, site: plain.site, name: 'a', exposure: ServiceExposure.gatewayWithCertificate('a.example.com', CERTIFICATE) }))
      .toThrow(/exposure = "gateway" needs a gateway class, which site "gpu" does not declare\. Use GpuCluster awsLoadBalancerController with gatewayApi: true/);
    expect(() => new InferenceService(stack, 'B', { ...base, site: cluster.site, name: 'b', canary: { modelVersion: 'v2', trafficPercent: 30 } }))
      .toThrow(/canary = "trafficPercent 30" needs a Gateway exposure/);
    expect(() => new InferenceService(stack, 'C', {
      ...base, site: cluster.site, name: 'c', exposure: ServiceExposure.gatewayWithCertificate('c.example.com', CERTIFICATE),
      canary: { modelVersion: 'v2', matchHeader: { name: 'x canary', value: 'true' } },
    })).toThrow(/canary\.matchHeader\.name = "x canary" is invalid: canary.matchHeader.name must be an HTTP header name/);
    expect(() => new InferenceService(stack, 'D', {
      ...base, site: cluster.site, name: 'd', exposure: ServiceExposure.gatewayWithCertificate('d.example.com', CERTIFICATE), canary: { modelVersion: 'v2', trafficPercent: 100 },
    })).toThrow(/canary\.trafficPercent = 100/);
    const lab = new KubernetesSite(testApp(), 'Lab', { gatewayClassName: 'envoy' });
    expect(() => new InferenceService(lab, 'E', { ...base, site: lab, name: 'e', exposure: ServiceExposure.gatewayWithCertificate('e.example.com', CERTIFICATE) }))
      .toThrow(/exposure\.certificateArn = .* needs AWS load balancers/);
  });
});
