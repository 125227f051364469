/**
 * What a model's size means for its pods. What must hold at deploy time: the startup probe
 * waits long enough for the weights to be copied and loaded (a probe that gives up too early
 * restarts the pod into the same copy, forever); a copy of the weights is requested as local
 * disk, so the scheduler puts pods only where it fits (an emptyDir alone is invisible to it and
 * ends in eviction); and weights that cannot fit the GPU memory of a replica, or a copy that
 * cannot fit a node's volume, fail at synth rather than as a crash loop.
 */
import { Duration, Size, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import fc from 'fast-check';
import { DataLake, GpuCluster, GpuNodeOperatingSystem, InferenceService, InferenceServiceProps, ModelSource } from '../../lib';
import { startupTimeFor, WeightDelivery } from '../../lib/inference/model-size';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { synthesizeClean, synthFindings, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized manifests are untyped */

const IMAGE = 'vllm/vllm-openai:v0.11.0';

function platform(groups: (cluster: GpuCluster) => void = (c) => c.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.12xlarge')], maxSize: 6 })) {
  const stack = new Stack(testApp(), 'Serving');
  const lake = new DataLake(stack, 'Lake');
  const cluster = new GpuCluster(stack, 'Gpu', {});
  groups(cluster);
  const service = (name: string, props: Partial<InferenceServiceProps>) => new InferenceService(stack, name, {
    site: cluster.site, name, image: IMAGE, modelVersion: 'v1', cpu: '8', memory: '64Gi', ...props,
  });
  return { stack, lake, cluster, service };
}

const server = (objects: any[], name: string) => findObject(objects, 'Deployment', name, 'inference').spec as any;
const startupWindow = (pod: any) => pod.template.spec.containers[0].startupProbe.periodSeconds * pod.template.spec.containers[0].startupProbe.failureThreshold;

describe('model size', () => {
  test('sizes the startup window: one pass over the weights when mounted, two when copied or fetched by the server', () => {
    const { stack, lake, cluster, service } = platform();
    cluster.addMountpointS3();
    const models = lake.zone('models');
    service('copied', { gpusPerReplica: 4, modelSize: Size.gibibytes(140), model: ModelSource.fromDataLake(models, 'llama-70b/v1') });
    service('mounted', { gpusPerReplica: 4, modelSize: Size.gibibytes(140), model: ModelSource.mountFromDataLake(models, 'llama-70b/v1') });
    service('fetched', { modelSize: Size.gibibytes(16) });
    service('unknown', {});
    service('explicit', { modelSize: Size.gibibytes(16), maxStartupTime: Duration.minutes(5) });
    synthesizeClean(stack.node.root as any);
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    // 10 minutes for the image; 140 GiB at 100 MiB/s is 23.9 minutes per pass.
    expect(startupWindow(server(objects, 'copied'))).toBe(58 * 60);
    expect(startupWindow(server(objects, 'mounted'))).toBe(34 * 60);
    expect(startupWindow(server(objects, 'fetched'))).toBe(16 * 60);
    expect(startupWindow(server(objects, 'unknown'))).toBe(30 * 60);
    expect(startupWindow(server(objects, 'explicit'))).toBe(5 * 60);
    // The rollout waits as long as a new pod may take to start.
    expect(server(objects, 'copied').progressDeadlineSeconds).toBe(58 * 60 + 600);
  });

  test('weights on the node\'s disk (copied, or downloaded by the server) are requested as local disk; mounted ones are not', () => {
    const { stack, lake, cluster, service } = platform();
    cluster.addMountpointS3();
    service('copied', { gpusPerReplica: 4, modelSize: Size.gibibytes(139.5), model: ModelSource.fromDataLake(lake.zone('models'), 'llama-70b/v1') });
    service('mounted', { gpusPerReplica: 4, modelSize: Size.gibibytes(140), model: ModelSource.mountFromDataLake(lake.zone('models'), 'llama-70b/v1') });
    service('fetched', { modelSize: Size.gibibytes(16) });
    const objects = siteObjects(cluster.site);
    const requests = (name: string) => server(objects, name).template.spec.containers[0].resources.requests;
    expect(requests('copied')['ephemeral-storage']).toBe('140Gi');
    expect(requests('mounted')['ephemeral-storage']).toBeUndefined();
    expect(requests('fetched')['ephemeral-storage']).toBe('16Gi');
    synthesizeClean(stack.node.root as any);
  });

  test('weights larger than a replica\'s usable GPU memory fail at synth, MIG instances included', () => {
    const one = platform();
    one.service('big', { modelSize: Size.gibibytes(140) });
    expect(() => synthFindings(one.stack.node.root as any)).toThrow(/modelSize = 140 GiB does not fit the GPU memory of a replica on .*L40s \(1 x 44 GiB, 90 % usable\): the server would fail loading the weights/);
    const four = platform();
    four.service('big', { modelSize: Size.gibibytes(140), gpusPerReplica: 4 });
    expect(() => synthesizeClean(four.stack.node.root as any)).not.toThrow();
    const mig = platform((c) => c.addGpuNodeGroup('Mig', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 1, migPartitions: 7, operatingSystem: GpuNodeOperatingSystem.BOTTLEROCKET }));
    mig.service('small', { modelSize: Size.gibibytes(16), cpu: '2', memory: '16Gi' });
    expect(() => synthFindings(mig.stack.node.root as any)).toThrow(/1 x 10 GiB MIG instance/);
  });

  test('a copy that cannot fit a node\'s volume fails at synth; a larger volume or a mount fixes it', () => {
    const small = platform((c) => c.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 2 }));
    small.service('big', { gpusPerReplica: 8, cpu: '96', memory: '1000Gi', modelSize: Size.gibibytes(400), model: ModelSource.fromDataLake(small.lake.zone('models'), 'big/v1') });
    expect(() => synthFindings(small.stack.node.root as any)).toThrow(/modelSize = 400 GiB is copied into every pod, but the nodes of .*H100 \(200 GiB\) keep about 50 GiB .*Raise the node group's volumeSize, or mount the model/);
    const large = platform((c) => c.addGpuNodeGroup('H100', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')], maxSize: 2, volumeSize: Size.gibibytes(1000) }));
    large.service('big', { gpusPerReplica: 8, cpu: '96', memory: '1000Gi', modelSize: Size.gibibytes(400), model: ModelSource.fromDataLake(large.lake.zone('models'), 'big/v1') });
    expect(() => synthesizeClean(large.stack.node.root as any)).not.toThrow();
  });

  test('bad sizes fail with the prop and the fix', () => {
    const { service } = platform();
    expect(() => service('zero', { modelSize: Size.gibibytes(0) })).toThrow(/modelSize \(GiB\) = 0 is outside 0.001..8192/);
  });

  test('a multi-node replica loads a shard per pod: 756 GiB mounted over two nodes is 10 + 65 minutes', () => {
    expect(startupTimeFor(Size.gibibytes(756), WeightDelivery.MOUNTED, 2).toMinutes()).toBe(75);
    // Copied, each pod copies every file first.
    expect(startupTimeFor(Size.gibibytes(756), WeightDelivery.COPIED, 2).toMinutes()).toBe(10 + 194);
  });

  test('the startup window never shrinks as the weights grow or the nodes shrink, and mounting never takes longer than copying', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4096 }), fc.integer({ min: 0, max: 4096 }), fc.integer({ min: 1, max: 32 }), (gib, extra, nodes) => {
      for (const delivery of [WeightDelivery.COPIED, WeightDelivery.MOUNTED, WeightDelivery.SERVER]) {
        const base = startupTimeFor(Size.gibibytes(gib), delivery, nodes).toSeconds();
        if (startupTimeFor(Size.gibibytes(gib + extra), delivery, nodes).toSeconds() < base) return false;
        if (startupTimeFor(Size.gibibytes(gib), delivery, Math.max(1, nodes - 1)).toSeconds() < base) return false;
        if (base < 10 * 60) return false;
      }
      return startupTimeFor(Size.gibibytes(gib), WeightDelivery.MOUNTED).toSeconds() <= startupTimeFor(Size.gibibytes(gib), WeightDelivery.COPIED).toSeconds();
    }));
  });
});
