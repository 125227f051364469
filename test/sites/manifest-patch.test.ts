/**
 * Overrides reach both paths: what the kubectl provider applies on EKS (the KubernetesManifest
 * resource) and the YAML under cdk.out/manifests/. Changes made after delivery fail synth.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ApiObject, Yaml } from 'cdk8s';
import { GpuCluster, InferenceService, KubernetesSite, ManifestPatch } from '../../lib';
import { synthFindings, synthesizeClean, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are untyped JSON */

function eksApp() {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'patch-'));
  const app = testApp({ outdir });
  const stack = new Stack(app, 'Compute');
  const cluster = new GpuCluster(stack, 'Gpu', { gpuEnablement: false });
  cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.xlarge')], maxSize: 4 });
  return { app, stack, cluster, outdir };
}

const PRIORITY = ManifestPatch.add({ kind: 'Deployment', name: 'llama' }, '/spec/template/spec/priorityClassName', 'inference-critical');

/** The Deployment as the kubectl provider would apply it, and as the written YAML holds it. */
function bothPaths(app: ReturnType<typeof eksApp>, stackName = 'Compute') {
  const assembly = synthesizeClean(app.app);
  const manifests = Object.values<any>(assembly.getStackByName(stackName).template.Resources)
    .filter((r) => r.Type === 'Custom::AWSCDK-EKS-KubernetesResource')
    .flatMap((r) => JSON.parse(typeof r.Properties.Manifest === 'string' ? r.Properties.Manifest : JSON.stringify(r.Properties.Manifest)));
  const applied = manifests.find((o: any) => o.kind === 'Deployment' && o.metadata.name === 'llama');
  const written = Yaml.load(path.join(app.outdir, 'manifests', 'gpu', 'inference-inference-llama.k8s.yaml')).find((o: any) => o.kind === 'Deployment');
  return { applied, written };
}

describe('ManifestPatch', () => {
  test('an InferenceService patch reaches the applied manifest and the written YAML', () => {
    const app = eksApp();
    new InferenceService(app.stack, 'Llm', { site: app.cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', patches: [PRIORITY] });
    const { applied, written } = bothPaths(app);
    expect(applied.spec.template.spec.priorityClassName).toBe('inference-critical');
    expect(written.spec.template.spec.priorityClassName).toBe('inference-critical');
  });

  test('site patches apply to every chart delivered after them, wherever the kind occurs', () => {
    const app = eksApp();
    app.cluster.site.addPatches(ManifestPatch.add({ kind: 'Deployment' }, '/metadata/labels/team', 'ml-platform'));
    new InferenceService(app.stack, 'Llm', { site: app.cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });
    const { applied, written } = bothPaths(app);
    expect([applied.metadata.labels.team, written.metadata.labels.team]).toEqual(['ml-platform', 'ml-platform']);
  });

  test('replace and remove; a patch that matches nothing in the service\'s chart fails with the objects it has', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16 } });
    new InferenceService(site, 'Llm', {
      site, name: 'llama', image: 'img:1', modelVersion: 'v1',
      patches: [
        ManifestPatch.replace({ kind: 'Service', name: 'llama' }, '/spec/type', 'NodePort'),
        ManifestPatch.remove({ kind: 'Deployment', name: 'llama' }, '/spec/template/spec/topologySpreadConstraints'),
      ],
    });
    const objects = site.charts.flatMap((c) => site.renderedObjects(c)) as any[];
    expect(objects.find((o) => o.kind === 'Service').spec.type).toBe('NodePort');
    expect(objects.find((o) => o.kind === 'Deployment').spec.template.spec.topologySpreadConstraints).toBeUndefined();
    expect(() => new InferenceService(site, 'Other', { site, name: 'other', image: 'img:1', modelVersion: 'v1', patches: [ManifestPatch.add({ kind: 'StatefulSet' }, '/spec/x', 1)] }))
      .toThrow(/patches = "add StatefulSet \/spec\/x" matches no object of chart "inference-inference-other" \(it has .*Deployment\/other.*\)/);
  });

  test('a path that is not a JSON pointer fails with the fix', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 16 } });
    expect(() => site.addPatches(ManifestPatch.add({ kind: 'Deployment' }, 'spec.replicas', 2)))
      .toThrow(/patches = "add Deployment spec\.replicas" has a path that is not a JSON pointer\. Start the path with "\/"/);
  });

  test('editing a delivered chart (service.chart) fails synth instead of being silently left out on EKS', () => {
    const app = eksApp();
    const service = new InferenceService(app.stack, 'Llm', { site: app.cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });
    new ApiObject(service.chart, 'Extra', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'extra', namespace: 'inference' } });
    expect(() => synthFindings(app.app)).toThrow(/chart "inference-inference-llama" of site "gpu" changed after it was delivered; the change would not be applied/);
  });
});
