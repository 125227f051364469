/**
 * Prefix-cache-aware routing with the Gateway API Inference Extension. What must hold on the
 * cluster: the HTTPRoute sends to an InferencePool that selects the serving pods on the port
 * they listen on, the pool names its endpoint picker's Service and port (the
 * `gateway-routes-resolve` invariant checks these on every synthesized app), the picker may
 * watch pods and pools and nothing else, the Gateway's proxies reach it, it reaches the
 * servers' metrics and the API server through the namespace's default-deny policies, and it
 * runs within Pod Security "restricted".
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, InferenceService, KubernetesSite, ServiceExposure } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { synthesizeClean, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized manifests are untyped */

const spec = (o: KubernetesObject): any => o.spec as any;
const BASE = { image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' };

describe('a model behind an Inference Extension gateway (declared site)', () => {
  let objects: KubernetesObject[];
  beforeAll(() => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Lab', { gatewayClassName: 'istio', inferencePoolAvailable: true, gpuCapacity: { gpusPerNode: 4, totalGpus: 8 } });
    new InferenceService(app, 'Chat', { ...BASE, site, name: 'chat', exposure: ServiceExposure.gateway('chat.lab.internal', 'chat-tls'), endpointPicker: {} });
    // Invariants (routes resolve, policies allow what the picker needs) run here.
    synthesizeClean(app);
    objects = siteObjects(site);
  });

  test('the route sends to the InferencePool of the serving pods, which asks the picker and fails open', () => {
    expectSafeManifests(objects);
    expect(spec(findObject(objects, 'HTTPRoute', 'chat', 'inference')).rules[0].backendRefs)
      .toEqual([{ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: 'chat' }]);
    expect(spec(findObject(objects, 'InferencePool', 'chat', 'inference'))).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'chat', 'app.kubernetes.io/part-of': 'cdk-scalable-ai', 'cdk-scalable-ai.io/track': 'stable' } },
      targetPorts: [{ number: 8000 }],
      appProtocol: 'http',
      endpointPickerRef: { name: 'chat-epp', port: { number: 9002 }, failureMode: 'FailOpen' },
    });
  });

  test('the picker: pinned image, gRPC ports, health probes, plugin configuration, restricted', () => {
    const deployment = spec(findObject(objects, 'Deployment', 'chat-epp', 'inference'));
    expect(deployment.strategy).toEqual({ type: 'Recreate' });
    const container = deployment.template.spec.containers[0];
    expect(container.image).toBe('ghcr.io/llm-d/llm-d-router-endpoint-picker:v0.10.0');
    expect(container.args).toEqual(expect.arrayContaining(['--pool-name', 'chat', '--pool-namespace', 'inference', '--config-file', '/config/plugins.yaml', '--metrics-endpoint-auth=false']));
    expect(container.readinessProbe.grpc).toEqual({ port: 9003, service: 'inference-extension' });
    expect(container.resources).toEqual({ requests: { cpu: '8', memory: '8Gi' }, limits: { memory: '16Gi' } });
    const config = JSON.parse((findObject(objects, 'ConfigMap', 'chat-epp', 'inference') as any).data['plugins.yaml']);
    expect(config.schedulingProfiles[0].plugins).toEqual([
      { pluginRef: 'queue-scorer', weight: 2 }, { pluginRef: 'kv-cache-utilization-scorer', weight: 2 }, { pluginRef: 'prefix-cache-scorer', weight: 3 },
    ]);
    expect(spec(findObject(objects, 'Service', 'chat-epp', 'inference')).ports[0]).toEqual({ name: 'grpc-ext-proc', port: 9002, targetPort: 9002, protocol: 'TCP', appProtocol: 'kubernetes.io/h2c' });
  });

  test('the picker may only watch pods and pools of its namespace', () => {
    expect((findObject(objects, 'Role', 'chat-epp', 'inference') as any).rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['inference.networking.k8s.io'], resources: ['inferencepools'], verbs: ['get', 'list', 'watch'] },
    ]);
  });

  test('NetworkPolicies: proxies to the picker, the picker to the servers\' metrics and to the API server', () => {
    expect(spec(findObject(objects, 'NetworkPolicy', 'allow-chat-epp-clients', 'inference')).ingress[0].ports.map((p: any) => p.port)).toEqual([9002, 9003, 9090]);
    expect(spec(findObject(objects, 'NetworkPolicy', 'allow-chat-metrics-to-epp', 'inference')).ingress)
      .toEqual([{ from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/name': 'chat-epp', 'app.kubernetes.io/part-of': 'cdk-scalable-ai' } } }], ports: [{ protocol: 'TCP', port: 8000 }] }]);
    expect(spec(findObject(objects, 'NetworkPolicy', 'allow-chat-epp-api-server', 'inference')).egress[0].ports.map((p: any) => p.port)).toEqual([443, 6443]);
  });
});

describe('a canary behind an Inference Extension gateway', () => {
  test('each track has its own pool and picker; the route weighs the pools and sends the header match to the canary\'s', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'Lab', { gatewayClassName: 'istio', inferencePoolAvailable: true, gpuCapacity: { gpusPerNode: 4, totalGpus: 8 } });
    new InferenceService(app, 'Chat', {
      ...BASE, site, name: 'chat', exposure: ServiceExposure.gateway('chat.lab.internal', 'chat-tls'), endpointPicker: {},
      canary: { modelVersion: 'v2', trafficPercent: 10, matchHeader: { name: 'x-canary', value: 'true' } },
    });
    // gateway-routes-resolve: each pool selects its track's pods on their port and names its picker's Service.
    synthesizeClean(app);
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    const pool = (kind: string) => ({ group: 'inference.networking.k8s.io', kind: 'InferencePool', name: kind });
    expect(spec(findObject(objects, 'HTTPRoute', 'chat', 'inference')).rules.map((r: any) => r.backendRefs)).toEqual([
      [pool('chat-canary')],
      [{ ...pool('chat'), weight: 90 }, { ...pool('chat-canary'), weight: 10 }],
    ]);
    for (const [name, track] of [['chat', 'stable'], ['chat-canary', 'canary']]) {
      const inferencePool = spec(findObject(objects, 'InferencePool', name, 'inference'));
      expect(inferencePool.selector.matchLabels['cdk-scalable-ai.io/track']).toBe(track);
      expect(inferencePool.endpointPickerRef.name).toBe(`${name}-epp`);
      expect(spec(findObject(objects, 'Deployment', `${name}-epp`, 'inference')).template.spec.containers[0].args).toEqual(expect.arrayContaining(['--pool-name', name]));
      // Each picker reads only its own track's servers.
      expect(spec(findObject(objects, 'NetworkPolicy', `allow-${name}-metrics-to-epp`, 'inference')).podSelector.matchLabels['cdk-scalable-ai.io/track']).toBe(track);
    }
  });
});

describe('endpoint picker validation', () => {
  test('without a Gateway, on a site without InferencePool support, or with an ALB Gateway, it fails with the fix', () => {
    const app = testApp();
    const plain = new KubernetesSite(app, 'Plain', { gatewayClassName: 'istio', gpuCapacity: { gpusPerNode: 4, totalGpus: 8 } });
    const lab = new KubernetesSite(app, 'Lab', { gatewayClassName: 'istio', inferencePoolAvailable: true, gpuCapacity: { gpusPerNode: 4, totalGpus: 8 } });
    const gateway = ServiceExposure.gateway('chat.lab.internal', 'chat-tls');
    expect(() => new InferenceService(app, 'A', { ...BASE, site: lab, name: 'a', endpointPicker: {} }))
      .toThrow(/endpointPicker = "set" needs a Gateway exposure/);
    expect(() => new InferenceService(app, 'B', { ...BASE, site: plain, name: 'b', exposure: gateway, endpointPicker: {} }))
      .toThrow(/needs InferencePool support, which site "plain" does not declare/);
    expect(() => new InferenceService(app, 'D', { ...BASE, site: lab, name: 'd', exposure: gateway, endpointPicker: { memory: 'lots' } }))
      .toThrow(/endpointPicker\.memory = "lots"/);
    const stack = new Stack(testApp(), 'Aws');
    const cluster = new GpuCluster(stack, 'Gpu', { awsLoadBalancerController: { gatewayApi: true } });
    cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')] });
    expect(() => new InferenceService(stack, 'E', {
      ...BASE, site: cluster.site, name: 'e', endpointPicker: {},
      exposure: ServiceExposure.gatewayWithCertificate('e.example.com', 'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901'),
    })).toThrow(/which the AWS Load Balancer Controller's ALB does not/);
  });
});
