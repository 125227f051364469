import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import fc from 'fast-check';
import {
  DataLake, GpuCluster, InferenceScaling, InferenceService, InferenceServiceProps, KubernetesSite, ModelServerMetrics, ModelSource,
  ModelReadScope, ScaleToZero, ServiceExposure, WorkloadCredentials,
} from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { expectNagClean } from '../harness/nag';
import { cleanTemplate, synthFindings, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any */
const spec = (o: KubernetesObject): any => o.spec as any;

interface EksFixture { stack: Stack; cluster: GpuCluster; lake: DataLake }

/** A GPU cluster (4 x 1-GPU nodes at most) with autoscaling, and a lake in one stack. */
function eksFixture(autoscaling = true): EksFixture {
  const app = testApp();
  const stack = new Stack(app, 'Platform');
  const cluster = new GpuCluster(stack, 'Gpu');
  cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g6.2xlarge')], maxSize: 4 });
  if (autoscaling) cluster.addInferenceAutoscaling();
  const lake = new DataLake(stack, 'Lake');
  return { stack, cluster, lake };
}

function onPremSite(props: ConstructorParameters<typeof KubernetesSite>[2] = {}): KubernetesSite {
  return new KubernetesSite(new Stack(testApp(), 'OnPrem'), 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, ...props });
}

/** An on-premises site whose workloads use the Roles Anywhere role `OnPremRole`, and a lake with a named models bucket. */
function rolesAnywhereFixture(readScope?: ModelReadScope): { stack: Stack; lake: DataLake; site: KubernetesSite } {
  const stack = new Stack(testApp(), 'Cloud');
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'models', bucketName: 'lab-models-test' }] });
  const role = new iam.Role(stack, 'OnPremRole', { assumedBy: new iam.ServicePrincipal('rolesanywhere.amazonaws.com') });
  const site = new KubernetesSite(stack, 'Lab', {
    gpuCapacity: { gpusPerNode: 4, totalGpus: 8 }, workloadCredentials: WorkloadCredentials.IAM_ROLES_ANYWHERE, rolesAnywhereRole: role,
    rolesAnywhereHelperImage: 'registry.lab/aws-signing-helper:1.8.1', rolesAnywhereModelReadScope: readScope,
  });
  return { stack, lake, site };
}

describe('InferenceService on EKS with defaults', () => {
  let fixture: EksFixture;
  let objects: KubernetesObject[];
  let template: Template;
  beforeAll(() => {
    fixture = eksFixture();
    new InferenceService(fixture.stack, 'Llm', {
      site: fixture.cluster.site,
      name: 'llama',
      image: 'vllm/vllm-openai:v0.11.0',
      modelVersion: 'v3',
      args: ['--model', '/models/llama', '--served-model-name', 'llama'],
      model: ModelSource.fromDataLake(fixture.lake.zone('models'), 'llama-3-8b/v3'),
      scaling: InferenceScaling.onQueueDepth(8),
      maxReplicas: 3,
    });
    objects = siteObjects(fixture.cluster.site);
    template = cleanTemplate(fixture.stack);
  });

  test('every manifest is schema-valid and workloads are restricted', () => {
    expectSafeManifests(objects);
  });

  test('the namespace baseline is created once, before the service', () => {
    expect(fixture.cluster.site.charts.map((c) => c.node.id)).toEqual(['gpu-system', 'keda-aws-auth', 'namespace-inference', 'inference-inference-llama']);
    expect(findObject(objects, 'Namespace', 'inference').metadata?.labels?.['pod-security.kubernetes.io/enforce']).toBe('restricted');
  });

  test('Deployment: GPU request and limit, tolerations, GPU node affinity, zone and node spread', () => {
    const deployment = findObject(objects, 'Deployment', 'llama', 'inference');
    const pod = spec(deployment).template.spec;
    const server = pod.containers[0];
    expect(server.resources).toEqual({ requests: { 'cpu': '3', 'memory': '24Gi', 'nvidia.com/gpu': 1 }, limits: { 'memory': '24Gi', 'nvidia.com/gpu': 1 } });
    expect(pod.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions)
      .toEqual([{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }]);
    expect(pod.topologySpreadConstraints.map((t: any) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
    expect(pod.terminationGracePeriodSeconds).toBe(120);
  });

  test('rollout never drops below serving capacity; KEDA owns the replica count', () => {
    const deployment = spec(findObject(objects, 'Deployment', 'llama', 'inference'));
    expect(deployment.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    expect(deployment.replicas).toBeUndefined();
  });

  test('probes are sized for model loading: 30 minutes of startup, then readiness and liveness', () => {
    const server = spec(findObject(objects, 'Deployment', 'llama', 'inference')).template.spec.containers[0];
    expect(server.startupProbe).toEqual({ httpGet: { path: '/health', port: 8000 }, periodSeconds: 10, failureThreshold: 180, timeoutSeconds: 5 });
    expect(server.readinessProbe).toEqual({ httpGet: { path: '/health', port: 8000 }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 });
    expect(server.livenessProbe).toEqual({ httpGet: { path: '/health', port: 8000 }, periodSeconds: 15, failureThreshold: 4, timeoutSeconds: 10 });
  });

  test('the model is copied from the lake prefix by an init container before the server starts', () => {
    const pod = spec(findObject(objects, 'Deployment', 'llama', 'inference')).template.spec;
    expect(pod.initContainers[0].command.slice(0, 4)).toEqual(['aws', 's3', 'sync', '--only-show-errors']);
    expect(pod.initContainers[0].command[4]).toMatch(/^s3:\/\/.*\/llama-3-8b\/v3\/$/);
    expect(pod.initContainers[0].command[5]).toBe('/models/llama');
    expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'models', mountPath: '/models', readOnly: true });
    expect(pod.serviceAccountName).toBe('llama');
  });

  test('the server has a user name (no passwd entry for its UID: getpass.getuser()) and every cache on the writable scratch volume', () => {
    const container = spec(findObject(objects, 'Deployment', 'llama')).template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toMatchObject({
      USER: 'model-server', LOGNAME: 'model-server', HOME: '/tmp', XDG_CACHE_HOME: '/tmp/.cache', XDG_CONFIG_HOME: '/tmp/.config',
      HF_HOME: '/tmp/.cache/huggingface', TORCH_HOME: '/tmp/.cache/torch', TORCHINDUCTOR_CACHE_DIR: '/tmp/.cache/torchinductor',
      TRITON_CACHE_DIR: '/tmp/.cache/triton', VLLM_CACHE_ROOT: '/tmp/.cache/vllm', VLLM_CONFIG_ROOT: '/tmp/.config/vllm',
      CUDA_CACHE_PATH: '/tmp/.cache/nv/ComputeCache', MODEL_PATH: '/models/llama',
    });
    expect(container.volumeMounts).toContainEqual({ name: 'scratch', mountPath: '/tmp' });
  });

  test('Service, PodDisruptionBudget and client NetworkPolicy', () => {
    expect(spec(findObject(objects, 'Service', 'llama', 'inference'))).toEqual({
      type: 'ClusterIP',
      selector: { 'app.kubernetes.io/name': 'llama', 'app.kubernetes.io/part-of': 'cdk-scalable-ai' },
      ports: [{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }],
    });
    expect(spec(findObject(objects, 'PodDisruptionBudget', 'llama', 'inference')).maxUnavailable).toBe(1);
    expect(spec(findObject(objects, 'NetworkPolicy', 'allow-llama-clients', 'inference')).ingress[0].ports).toEqual([{ protocol: 'TCP', port: 8000 }]);
  });

  test('KEDA ScaledObject: vLLM queue depth from Amazon Managed Prometheus, signed with SigV4', () => {
    const scaled = spec(findObject(objects, 'ScaledObject', 'llama', 'inference'));
    expect(scaled).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
      minReplicaCount: 1,
      maxReplicaCount: 3,
      pollingInterval: 15,
      fallback: { failureThreshold: 3, replicas: 1 },
      advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 300 } } } },
    });
    expect(scaled.triggers).toHaveLength(1);
    expect(scaled.triggers[0]).toMatchObject({
      type: 'prometheus',
      metadata: { query: 'sum(vllm:num_requests_waiting{namespace="inference",app="llama"})', threshold: '8', ignoreNullValues: 'false' },
      authenticationRef: { name: 'aws-managed-prometheus', kind: 'ClusterTriggerAuthentication' },
    });
    expect(scaled.triggers[0].metadata.serverAddress).toContain('aps-workspaces.');
  });

  test('AWS side: a Pod Identity role that reads only the model prefix', () => {
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'inference', ServiceAccount: 'llama' });
    const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^LlmPodRole') }] } });
    const statements = JSON.stringify(Object.values(policies)[0].Properties.PolicyDocument.Statement);
    expect(statements).toContain('/llama-3-8b/v3/*');
    expect(statements).not.toMatch(/"Action":"\*"|"s3:\*"/);
  });

  test('autoscaling stack: encrypted workspace, managed collector, KEDA with Pod Identity', () => {
    template.hasResourceProperties('AWS::APS::Workspace', { KmsKeyArn: Match.anyValue() });
    template.hasResource('AWS::APS::Workspace', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::APS::Scraper', {
      Source: { EksConfiguration: Match.objectLike({ ClusterArn: Match.anyValue() }) },
      ScrapeConfiguration: { ConfigurationBlob: Match.stringLikeRegexp('job_name: model-servers') },
    });
    template.hasResourceProperties('Custom::AWSCDK-EKS-HelmChart', { Chart: 'keda', Repository: 'https://kedacore.github.io/charts', Version: '2.19.0', Namespace: 'keda' });
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'keda', ServiceAccount: 'keda-operator' });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['aps:GetLabels', 'aps:GetMetricMetadata', 'aps:GetSeries', 'aps:QueryMetrics'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } }]) },
    });
  });

  test('the inference manifest waits for KEDA and its namespace', () => {
    const manifests = template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    const inference = Object.entries(manifests).find(([, r]) => JSON.stringify(r.Properties.Manifest).includes('ScaledObject'))!;
    const dependsOn: string[] = inference[1].DependsOn;
    expect(dependsOn.some((d) => d.includes('Keda'))).toBe(true);
    expect(dependsOn.some((d) => d.includes('namespaceinference'))).toBe(true);
  });
});

describe('InferenceService options', () => {
  test('env overrides a default environment variable instead of repeating it', () => {
    const { cluster, stack } = eksFixture(false);
    new InferenceService(stack, 'Llm', { site: cluster.site, name: 'llama', image: 'img:1', modelVersion: 'v1', env: { HF_HOME: '/data/hf', VLLM_LOGGING_LEVEL: 'DEBUG' } });
    const env: { name: string; value: string }[] = spec(findObject(siteObjects(cluster.site), 'Deployment', 'llama')).template.spec.containers[0].env;
    expect(env.filter((e) => e.name === 'HF_HOME')).toEqual([{ name: 'HF_HOME', value: '/data/hf' }]);
    expect(env).toContainEqual({ name: 'VLLM_LOGGING_LEVEL', value: 'DEBUG' });
  });

  test('scale to zero wakes on a query from in front of the service', () => {
    const { cluster, stack } = eksFixture();
    new InferenceService(stack, 'Llm', {
      site: cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1',
      scaling: InferenceScaling.onConcurrency(4),
      scaleToZero: ScaleToZero.whenIdle('sum(rate(nginx_ingress_controller_requests{service="llama"}[1m]))', Duration.minutes(20)),
    });
    const scaled = spec(findObject(siteObjects(cluster.site), 'ScaledObject', 'llama', 'inference'));
    expect(scaled.minReplicaCount).toBe(0);
    expect(scaled.cooldownPeriod).toBe(1200);
    expect(scaled.triggers.map((t: any) => t.metadata.query)).toEqual([
      'sum(vllm:num_requests_running{namespace="inference",app="llama"})',
      'sum(rate(nginx_ingress_controller_requests{service="llama"}[1m]))',
    ]);
    expect(scaled.triggers[1].metadata.activationThreshold).toBe('0');
  });

  test('GPU utilization and Triton queries, CPU fallback without Prometheus', () => {
    const site = onPremSite({ kedaAvailable: true, prometheusQueryUrl: 'http://prometheus.monitoring:9090' });
    new InferenceService(site, 'Gpu', { site, name: 'gpu-util', image: 'img:1', modelVersion: 'v1', gpusPerReplica: 2, scaling: InferenceScaling.onGpuUtilization(70) });
    new InferenceService(site, 'Triton', { site, name: 'triton', image: 'nvcr.io/nvidia/tritonserver:25.09-py3', modelVersion: 'v1', healthPath: '/v2/health/ready', scaling: InferenceScaling.onQueueDepth(4, { modelServer: ModelServerMetrics.TRITON }) });
    new InferenceService(site, 'Cpu', { site, name: 'cpu', image: 'img:1', modelVersion: 'v1', gpusPerReplica: 0, scaling: InferenceScaling.onCpu(60) });
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    expect(spec(findObject(objects, 'ScaledObject', 'gpu-util')).triggers[0].metadata).toMatchObject({
      serverAddress: 'http://prometheus.monitoring:9090',
      query: 'sum(DCGM_FI_DEV_GPU_UTIL{namespace="inference",pod=~"gpu-util-[a-z0-9]+-[a-z0-9]+"}) / 2',
      threshold: '70',
    });
    expect(spec(findObject(objects, 'ScaledObject', 'triton')).triggers[0].metadata.query).toBe('sum(nv_inference_pending_request_count{namespace="inference",app="triton"})');
    const cpu = spec(findObject(objects, 'ScaledObject', 'cpu'));
    expect(cpu.triggers).toEqual([{ type: 'cpu', metricType: 'Utilization', metadata: { value: '60' } }]);
    expect(cpu.fallback).toBeUndefined();
    const cpuPod = spec(findObject(objects, 'Deployment', 'cpu')).template.spec;
    expect(cpuPod.tolerations).toBeUndefined();
    expect(cpuPod.containers[0].resources.requests['nvidia.com/gpu']).toBeUndefined();
  });

  test('internal load balancer and TLS ingress on the site classes', () => {
    const site = onPremSite({ loadBalancerClass: 'metallb', ingressClassName: 'nginx' });
    new InferenceService(site, 'Lb', { site, name: 'lb', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.internalLoadBalancer(['10.20.0.0/16']) });
    new InferenceService(site, 'Ing', { site, name: 'ing', image: 'img:1', modelVersion: 'v1', exposure: ServiceExposure.ingress('llm.lab.example', 'llm-tls') });
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    const lb = findObject(objects, 'Service', 'lb');
    expect(spec(lb)).toMatchObject({ type: 'LoadBalancer', loadBalancerClass: 'metallb' });
    expect(lb.metadata).toMatchObject({ annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' } });
    expect(spec(findObject(objects, 'NetworkPolicy', 'allow-lb-clients')).ingress[0].from).toEqual([{ ipBlock: { cidr: '10.20.0.0/16' } }]);
    expect(spec(findObject(objects, 'Ingress', 'ing'))).toMatchObject({ ingressClassName: 'nginx', tls: [{ hosts: ['llm.lab.example'], secretName: 'llm-tls' }] });
  });

  test('a canary gets its own Deployment behind the same Service', () => {
    const site = onPremSite();
    new InferenceService(site, 'Llm', { site, name: 'llama', image: 'img:1', modelVersion: 'v3', minReplicas: 3, maxReplicas: 3, canary: { modelVersion: 'v4', image: 'img:2' } });
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    const canary = findObject(objects, 'Deployment', 'llama-canary');
    expect(spec(canary).replicas).toBe(1);
    expect(spec(canary).template.metadata.labels).toMatchObject({ 'app.kubernetes.io/version': 'v4', 'cdk-scalable-ai.io/track': 'canary', 'app.kubernetes.io/name': 'llama' });
    expect(spec(canary).template.spec.containers[0].image).toBe('img:2');
    expect(spec(findObject(objects, 'Deployment', 'llama')).replicas).toBe(3);
    expect(spec(findObject(objects, 'Service', 'llama')).selector).not.toHaveProperty('cdk-scalable-ai.io/track');
  });

  test('on an on-premises site, the model is read with the site\'s Roles Anywhere role and secret', () => {
    const { stack, lake, site } = rolesAnywhereFixture();
    new InferenceService(stack, 'Llm', { site, name: 'llama', image: 'img:1', modelVersion: 'v1', model: ModelSource.fromDataLake(lake.zone('models'), 'llama/v1') });
    const objects = siteObjects(site);
    expectSafeManifests(objects);
    const pod = spec(findObject(objects, 'Deployment', 'llama')).template.spec;
    expect(pod.initContainers[1].env).toContainEqual({ name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: 'http://127.0.0.1:9911' });
    expect(pod.volumes).toContainEqual({ name: 'aws-roles-anywhere', secret: { secretName: 'aws-roles-anywhere', defaultMode: 0o440 } });
    const policies = cleanTemplate(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^OnPremRole') }] } });
    expect(JSON.stringify(policies)).toContain('/llama/v1/*');
  });

  test('with rolesAnywhereModelReadScope WHOLE_ZONE the site role reads the zone once, acknowledged for cdk-nag', () => {
    const { stack, lake, site } = rolesAnywhereFixture(ModelReadScope.WHOLE_ZONE);
    for (const name of ['llama', 'mistral']) {
      new InferenceService(stack, name, { site, name, image: 'img:1', modelVersion: 'v1', model: ModelSource.fromDataLake(lake.zone('models'), `${name}/v1`) });
    }
    const policies = JSON.stringify(cleanTemplate(stack).findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^OnPremRole') }] } }));
    expect(policies).not.toContain('/llama/v1');
    expect(policies).not.toContain('s3:prefix');
    expect(policies.match(/"s3:GetObject"/g)).toHaveLength(1);
    expect(() => expectNagClean(stack.node.root as any)).not.toThrow();
  });

  test('cdk-nag AwsSolutions is clean for a served model with autoscaling', () => {
    const { stack, cluster, lake } = eksFixture();
    new InferenceService(stack, 'Llm', {
      site: cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1',
      model: ModelSource.fromDataLake(lake.zone('models'), 'llama/v1'), scaling: InferenceScaling.onQueueDepth(8),
    });
    expect(() => expectNagClean(stack.node.root as any)).not.toThrow();
  });
});

describe('capacity check at synth', () => {
  function errorsOf(props: Partial<InferenceServiceProps>): string {
    const { stack, cluster } = eksFixture(false);
    new InferenceService(stack, 'Llm', { site: cluster.site, name: 'llama', image: 'img:1', modelVersion: 'v1', ...props });
    try {
      synthFindings(stack.node.root as any);
      return '';
    } catch (error) {
      return (error as Error).message;
    }
  }

  test('a GPU request larger than any node fails', () => {
    expect(errorsOf({ gpusPerReplica: 2 })).toMatch(/gpusPerReplica = 2 is more than any node of site "gpu" offers \(1\); the pods would stay Pending/);
  });

  test('fixed replicas x GPUs beyond the node groups fails', () => {
    expect(errorsOf({ maxReplicas: 4, minReplicas: 4 })).toMatch(/site "gpu": 1 service\(s\) need 5 GPUs to run their minimum replicas \(.*inference\/llama 5\), but its GPU capacity offers 4/);
  });

  test('autoscaled: max replicas x GPUs (plus canary and surge) beyond the site is a warning naming the service', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { gpuCapacity: { gpusPerNode: 2, totalGpus: 8 }, kedaAvailable: true, prometheusQueryUrl: 'http://p:9090' });
    new InferenceService(site, 'Llm', { site, name: 'llama', image: 'img:1', modelVersion: 'v1', gpusPerReplica: 2, maxReplicas: 3, canary: { modelVersion: 'v2' }, scaling: InferenceScaling.onQueueDepth(4) });
    const { findings } = synthFindings(site.node.root as any);
    expect(findings).toContainEqual(expect.objectContaining({
      severity: 'warning',
      message: expect.stringMatching(/site "lab": at maxReplicas, 1 service\(s\) would need 10 GPUs \(inference\/llama 10\), but its GPU capacity offers 8: autoscaling of inference\/llama 10 stops short/),
    }));
  });

  test('services that each fit but together exceed the site fail, naming the largest', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { gpuCapacity: { gpusPerNode: 4, totalGpus: 4 } });
    for (let i = 0; i < 100; i++) new InferenceService(site, `Llm${i}`, { site, name: `llama-${i}`, image: 'img:1', modelVersion: 'v1', gpusPerReplica: 4 });
    expect(() => synthFindings(site.node.root as any)).toThrow(/site "lab": 100 service\(s\) need 800 GPUs to run their minimum replicas \(.*inference\/llama-0 8, inference\/llama-1 8, .* and 95 more\), but its GPU capacity offers 4/);
  });

  test('a default service fits a default GPU node group (2 nodes: one replica and its rollout surge)', () => {
    const stack = new Stack(testApp(), 'Defaults');
    const cluster = new GpuCluster(stack, 'Gpu', { gpuEnablement: false });
    cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g6.2xlarge')] });
    new InferenceService(stack, 'Llm', { site: cluster.site, name: 'llama', image: 'img:1', modelVersion: 'v1' });
    expect(synthFindings(stack.node.root as any).findings).toEqual([]);
  });

  test('fitting services pass', () => {
    expect(errorsOf({ maxReplicas: 3 })).toBe('');
  });

  test('a site without GPU capacity fails', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Empty');
    new InferenceService(site, 'Llm', { site, name: 'llama', image: 'img:1', modelVersion: 'v1' });
    expect(() => synthFindings(site.node.root as any)).toThrow(/site "empty" has no GPU capacity/);
  });
});

describe('bad input fails at construction with the prop, the value and the fix', () => {
  const base = (site: KubernetesSite): InferenceServiceProps => ({ site, name: 'llama', image: 'img:1', modelVersion: 'v1' });
  test.each<[string, (s: KubernetesSite) => Partial<InferenceServiceProps>, RegExp]>([
    ['min > max replicas', () => ({ minReplicas: 3, maxReplicas: 2 }), /maxReplicas = 2 is less than minReplicas \(3\)/],
    ['fractional GPUs', () => ({ gpusPerReplica: 1.5 }), /gpusPerReplica = 1.5 is not an integer between 0 and 64/],
    ['bad memory', () => ({ memory: '24GB' }), /memory = "24GB" is not a positive Kubernetes quantity. Write it like "24Gi"/],
    ['bad cpu', () => ({ cpu: '-1' }), /cpu = "-1" is not a positive Kubernetes quantity/],
    ['not DNS-1123', () => ({ name: 'Llama_3' }), /name = "Llama_3" is not a DNS-1123 label/],
    ['port out of range', () => ({ port: 70000 }), /port = 70000 is not an integer between 1 and 65535/],
    ['scale to zero with CPU', () => ({ scaling: InferenceScaling.onCpu(50), scaleToZero: ScaleToZero.whenIdle('x') }), /scaling = "cpu" cannot scale to zero/],
    ['scale to zero without scaling', () => ({ scaleToZero: ScaleToZero.whenIdle('x') }), /scaleToZero = "set" needs autoscaling/],
    ['scaling without KEDA', () => ({ scaling: InferenceScaling.onQueueDepth(4) }), /needs KEDA, which site "lab" does not have.*kedaAvailable/],
    ['load balancer without class', () => ({ exposure: ServiceExposure.internalLoadBalancer() }), /exposure = "internal-load-balancer" needs a load balancer class/],
    ['model without credentials', (s) => ({ model: ModelSource.fromDataLake(new DataLake(Stack.of(s), 'L').zone('models'), 'm/v1') }), /model = "m\/v1" needs AWS credentials, but site "lab" gives workloads none/],
    ['model prefix outside the lake', (s) => ({ model: ModelSource.fromDataLake(new DataLake(Stack.of(s), 'L2').zone('models'), '../raw') }), /model = "..\/raw" is not a prefix inside the lake zone/],
    ['bad version label', () => ({ modelVersion: 'v 1' }), /modelVersion = "v 1" is not a valid label value/],
    ['GPU utilization above 100', () => ({ scaling: InferenceScaling.onGpuUtilization(150) }), /scaling target = 150 is outside/],
  ])('%s', (_name, override, message) => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab');
    expect(() => new InferenceService(site, 'Svc', { ...base(site), ...override(site) })).toThrow(message);
  });

  test('property: random replica, GPU and resource settings render schema-valid manifests or throw a ValidationError', () => {
    fc.assert(fc.property(
      fc.integer({ min: -1, max: 5 }), fc.integer({ min: -1, max: 6 }), fc.integer({ min: -1, max: 9 }),
      fc.constantFrom('4', '500m', '0.5', '4 cores', '', '2Gi'), fc.constantFrom('24Gi', '512Mi', '1e3', 'lots'),
      fc.constantFrom('llama', 'Llama', 'a'.repeat(48), 'x-1'),
      (minReplicas, maxReplicas, gpusPerReplica, cpu, memory, name) => {
        const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 64 }, kedaAvailable: true, prometheusQueryUrl: 'http://p:9090' });
        try {
          new InferenceService(site, 'Svc', { site, name, image: 'img:1', modelVersion: 'v1', minReplicas, maxReplicas, gpusPerReplica, cpu, memory, scaling: InferenceScaling.onConcurrency(4) });
        } catch (error) {
          expect((error as Error).name).toBe('ValidationError');
          expect((error as Error).message).toMatch(/(minReplicas|maxReplicas|gpusPerReplica|cpu|memory|name) = /);
          return;
        }
        expectSafeManifests(siteObjects(site));
      },
    ), { numRuns: 80 });
  });
});
