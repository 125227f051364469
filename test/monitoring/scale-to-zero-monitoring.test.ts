/**
 * A service that scales to zero has no ready replica on purpose while idle: no "no ready
 * replica" alarm for it; instead an alert when clients wait and no replica serves for longer
 * than a cold start.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, InferenceScaling, InferenceService, PlatformMonitoring, ScaleToZero } from '../../lib';
import { testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- rule data is untyped */

const WAKE_UP = 'sum(rate(envoy_cluster_upstream_rq_total{envoy_cluster_name="llama"}[1m]))';

function monitored(scaleToZero: boolean) {
  const stack = new Stack(testApp(), 'Platform');
  const cluster = new GpuCluster(stack, 'Gpu', { gpuEnablement: false });
  cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: 4 });
  cluster.addInferenceAutoscaling();
  const service = new InferenceService(stack, 'Llm', {
    site: cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', maxReplicas: 2,
    scaling: InferenceScaling.onQueueDepth(8), maxStartupTime: Duration.minutes(20),
    scaleToZero: scaleToZero ? ScaleToZero.whenIdle(WAKE_UP) : undefined,
  });
  const monitoring = new PlatformMonitoring(stack, 'Monitoring');
  const section = monitoring.monitorInferenceService(service);
  const rules = stack.resolve((monitoring.node.findAll().find((c) => c.node.id === 'inference-llama') as any).data) as string;
  return { section, rules };
}

describe('monitoring of a service that scales to zero', () => {
  test('no NoReadyReplicas alarm, and InferenceNotWakingUp after a cold start plus 5 minutes', () => {
    const { section, rules } = monitored(true);
    expect(section.alarms.map((a) => a.node.id)).not.toContain('NoReadyReplicas');
    expect(rules).toContain('- alert: "InferenceNotWakingUp"');
    expect(rules).toContain(`expr: "(${WAKE_UP.replace(/"/g, '\\"')}) > 0 unless on() (count(vllm:num_requests_running{namespace=\\"inference\\",app=\\"llama\\"}) > 0)"`);
    expect(rules).toMatch(/alert: "InferenceNotWakingUp"\n {8}expr: .*\n {8}for: "25m"\n {8}labels:\n {10}severity: "critical"/);
  });

  test('a service that never scales to zero keeps NoReadyReplicas and gets no wake-up alert', () => {
    const { section, rules } = monitored(false);
    expect(section.alarms.map((a) => a.node.id)).toContain('NoReadyReplicas');
    expect(rules).not.toContain('InferenceNotWakingUp');
  });
});
