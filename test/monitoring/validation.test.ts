import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import fc from 'fast-check';
import { FakeSageMakerEndpoint } from './fixtures';
import { GpuCluster } from '../../lib/compute/gpu-cluster';
import { InferenceScaling } from '../../lib/inference/inference-scaling';
import { InferenceService } from '../../lib/inference/inference-service';
import { PlatformMonitoring } from '../../lib/monitoring/platform-monitoring';
import { KubernetesSite } from '../../lib/sites/kubernetes-site';
import { PropValidationError } from '../../lib/private/errors';
import { findObject, siteObjects } from '../harness/manifests';
import { testApp } from '../harness/synth';

/** Runs fn and returns the PropValidationError it throws (fails when it throws nothing else). */
function rejection(fn: () => unknown): PropValidationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PropValidationError) return error;
    throw error;
  }
  throw new Error('expected a PropValidationError');
}

function cheapMonitoring(): { stack: Stack; endpoint: FakeSageMakerEndpoint; monitoring: PlatformMonitoring } {
  const stack = new Stack(testApp(), 'Cheap');
  return { stack, endpoint: new FakeSageMakerEndpoint(stack, 'Endpoint'), monitoring: new PlatformMonitoring(stack, 'Monitoring') };
}

describe('threshold validation (property)', () => {
  test('a percentage threshold is accepted exactly when it lies in 0..100, otherwise the error names prop, value and fix', () => {
    fc.assert(fc.property(fc.oneof(fc.double({ noNaN: false }), fc.integer({ min: -1000, max: 1000 })), (value) => {
      const { endpoint, monitoring } = cheapMonitoring();
      const valid = Number.isFinite(value) && value >= 0 && value <= 100;
      if (valid) {
        expect(() => monitoring.monitorSageMakerEndpoint(endpoint, { error5xxThresholdPercent: value })).not.toThrow();
      } else {
        const error = rejection(() => monitoring.monitorSageMakerEndpoint(endpoint, { error5xxThresholdPercent: value }));
        expect(error.prop).toBe('error5xxThresholdPercent');
        // NaN and Infinity are shown as such, not as JSON's null.
        expect(error.message).toContain(`error5xxThresholdPercent = ${Number.isFinite(value) ? JSON.stringify(value) : String(value)}`);
        // The runtime type check catches NaN and Infinity first; finite values get the range.
        expect(error.message).toMatch(Number.isFinite(value) ? /Set error5xxThresholdPercent to a number between 0 and 100\./ : /is not a finite number\. Pass a finite number\./);
      }
    }), { numRuns: 60 });
  });

  test('durations outside 1 ms..1 hour are rejected', () => {
    const { endpoint, monitoring } = cheapMonitoring();
    expect(rejection(() => monitoring.monitorSageMakerEndpoint(endpoint, { latencyThreshold: Duration.hours(2) })).message)
      .toMatch(/latencyThreshold = "2 hours" is outside 1 second\.\.1 hour/);
  });
});

describe('registration', () => {
  test('the same component twice is rejected', () => {
    const { endpoint, monitoring } = cheapMonitoring();
    monitoring.monitor(endpoint);
    const error = rejection(() => monitoring.monitorSageMakerEndpoint(endpoint));
    expect(error.message).toMatch(/component = "Cheap\/Endpoint" is already monitored\. Register each component once/);
  });

  test('a component of another app is rejected', () => {
    const { monitoring } = cheapMonitoring();
    const foreign = new FakeSageMakerEndpoint(new Stack(new App(), 'Other'), 'Endpoint');
    expect(rejection(() => monitoring.monitor(foreign)).message).toMatch(/component = "Other\/Endpoint" belongs to another CDK app\. Create PlatformMonitoring in the same app/);
  });

  test('an unknown component is rejected with the alternatives', () => {
    const { stack, monitoring } = cheapMonitoring();
    const bucket = new s3.Bucket(stack, 'Bucket');
    expect(rejection(() => monitoring.monitor(bucket)).message).toMatch(/is not a component PlatformMonitoring knows\. Pass a GpuCluster, InferenceService/);
  });

  test('without alarms there is no composite alarm and the summary says so', () => {
    const { monitoring } = cheapMonitoring();
    expect(monitoring.healthAlarm).toBeUndefined();
  });
});

describe('inference services outside EKS', () => {
  function labSite(prometheusOperatorAvailable: boolean) {
    const stack = new Stack(testApp(), 'Lab');
    const site = new KubernetesSite(stack, 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, prometheusOperatorAvailable });
    const service = new InferenceService(stack, 'Llm', { site, name: 'mistral', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });
    return { stack, site, service };
  }

  test('a site without the Prometheus operator cannot be monitored', () => {
    const { stack, service } = labSite(false);
    const monitoring = new PlatformMonitoring(stack, 'Monitoring');
    expect(rejection(() => monitoring.monitor(service)).message)
      .toMatch(/service\.site = "lab" has neither CloudWatch Container Insights \(EKS\) nor the Prometheus operator.*Declare prometheusOperatorAvailable: true/);
  });

  test('metric methods explain that Container Insights exists only on EKS', () => {
    const { service } = labSite(true);
    expect(rejection(() => service.metricGpuUtilization()).message).toMatch(/site = "lab" is not an EKS site, so the service has no CloudWatch Container Insights metrics/);
  });

  test('default selector labels: only part-of; no DCGM ServiceMonitor without the GPU enablement chart', () => {
    const { stack, site, service } = labSite(true);
    new PlatformMonitoring(stack, 'Monitoring').monitor(service);
    const objects = siteObjects(site);
    expect(findObject(objects, 'PodMonitor', 'mistral', 'inference').metadata?.labels).toEqual({ 'app.kubernetes.io/part-of': 'cdk-scalable-ai', 'app.kubernetes.io/name': 'mistral' });
    expect(objects.filter((o) => o.kind === 'ServiceMonitor')).toEqual([]);
  });
});

describe('GPU cluster and EKS service thresholds', () => {
  let stack: Stack;
  let cluster: GpuCluster;
  let service: InferenceService;
  let count = 0;
  const monitoring = (target: Stack = stack) => new PlatformMonitoring(target, `Monitoring${count++}`);

  beforeAll(() => {
    const app = testApp();
    stack = new Stack(app, 'Platform');
    cluster = new GpuCluster(stack, 'Gpu');
    cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: 4 });
    cluster.addInferenceAutoscaling();
    service = new InferenceService(stack, 'Llm', {
      site: cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v3', scaling: InferenceScaling.onQueueDepth(8), maxReplicas: 3,
    });
  });

  test.each([
    ['gpuUtilizationThresholdPercent', 101, /is outside 0\.\.100/],
    ['gpuMemoryUtilizationThresholdPercent', -1, /is outside 0\.\.100/],
    ['failedNodesThreshold', 0.5, /is not an integer >= 0/],
    ['minimumNodeCount', 0, /is not an integer >= 1/],
  ])('GpuCluster %s = %p is rejected', (prop, value, problem) => {
    const error = rejection(() => monitoring().monitorGpuCluster(cluster, { [prop]: value }));
    expect(error.prop).toBe(prop);
    expect(error.message).toMatch(problem);
  });

  test.each([
    ['gpuUtilizationThresholdPercent', 150, /is outside 0\.\.100/],
    ['containerRestartsThreshold', -2, /is not an integer >= 0/],
    ['latencyThreshold', Duration.hours(2), /is outside 1 milli\.\.1 hour/],
    ['errorRatioThresholdPercent', 100.5, /is outside 0\.\.100/],
    ['queueDepthPerReplicaThreshold', -5, /is not a number above 0/],
  ])('InferenceService %s = %p is rejected', (prop, value, problem) => {
    const error = rejection(() => monitoring().monitorInferenceService(service, { [prop]: value }));
    expect(error.prop).toBe(prop);
    expect(error.message).toMatch(problem);
  });

  test('a GPU memory alarm when asked for', () => {
    const section = monitoring().monitorGpuCluster(cluster, { gpuMemoryUtilizationThresholdPercent: 97 });
    expect(section.alarms.map((a) => a.node.id)).toEqual(['GpuUtilization', 'FailedNodes', 'NodeCount', 'GpuMemoryUtilization']);
  });

  test('a cluster can be monitored from another stack of the app (no Prometheus alerting involved)', () => {
    const section = monitoring(new Stack(stack.node.root as App, 'NoAmp')).monitorGpuCluster(cluster);
    expect(section.alarms).toHaveLength(3);
  });

  test('the alarm topic must live in the Prometheus workspace\'s stack', () => {
    const other = new Stack(stack.node.root as App, 'Elsewhere');
    expect(rejection(() => monitoring(other).monitorInferenceService(service)).message)
      .toMatch(/alarmTopic = "Elsewhere\/Monitoring\d+\/AlarmTopic" is in stack Elsewhere, not in the stack of the Prometheus workspace \(Platform\)/);
  });

  test('only one monitoring can own the workspace\'s alert manager', () => {
    const first = monitoring().monitorInferenceService(service, { alarmAtMaxReplicas: false });
    expect(first.alarms.map((a) => a.node.id)).toEqual(['NoReadyReplicas', 'ContainerRestarts', 'GpuUtilization']);
    expect(rejection(() => monitoring().monitorInferenceService(service)).message)
      .toMatch(/workspace\.alertManagerDefinition = "set" is already set on Platform\/Gpu\/InferenceAutoscaling\/Workspace/);
  });
});
