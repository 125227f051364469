import * as fs from 'fs';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { ApiObject, Yaml } from 'cdk8s';
import { GpuEnablement, KubernetesSite, SitePlatform, WorkloadCredentials, WorkloadNamespace } from '../../lib';
import { maxGpus, maxGpusPerNode } from '../../lib/sites/kubernetes-site-interface';
import { synthesizeClean, testApp } from '../harness/synth';

describe('KubernetesSite', () => {
  test('defaults: GPU label and taint, no KEDA, no Prometheus, no credentials', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab');
    expect(site).toMatchObject({
      siteName: 'lab',
      platform: SitePlatform.KUBERNETES,
      gpuNodeLabels: { 'nvidia.com/gpu.present': 'true' },
      gpuNodeTaints: [{ key: 'nvidia.com/gpu', value: 'true', effect: 'NoSchedule' }],
      kedaAvailable: false,
      prometheusQueryUrl: undefined,
      prometheusOperatorAvailable: false,
      workloadCredentials: WorkloadCredentials.NONE,
      nvidiaDevicePluginInstalled: false,
    });
    expect(site.gpuCapacities).toEqual([]);
  });

  test('declared GPU capacity is what workloads are checked against', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { gpuCapacity: { gpusPerNode: 8, totalGpus: 24 } });
    expect([maxGpusPerNode(site), maxGpus(site)]).toEqual([8, 24]);
  });

  test('writes each chart to cdk.out/manifests/<site>/<chart>.k8s.yaml at synthesis', () => {
    const app = testApp();
    const site = new KubernetesSite(app, 'OnPrem', { siteName: 'on-prem' });
    GpuEnablement.addToSite({ site });
    const chart = site.newChart('team-a');
    new WorkloadNamespace(chart, 'Ns', { name: 'team-a' });
    site.addChart(chart);
    const assembly = synthesizeClean(app);
    const dir = path.join(assembly.directory, 'manifests', 'on-prem');
    expect(fs.readdirSync(dir).sort()).toEqual(['gpu-system.k8s.yaml', 'team-a.k8s.yaml']);
    const docs = Yaml.load(path.join(dir, 'team-a.k8s.yaml'));
    expect(docs.map((d: { kind: string }) => d.kind)).toEqual(['Namespace', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'NetworkPolicy', 'LimitRange']);
  });

  test('image mirror rewrites every registry under the mirror host', () => {
    const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', { imageRegistryMirror: 'registry.lab:5000' });
    expect(site.resolveImage('nvcr.io/nvidia/k8s-device-plugin:v0.20.0')).toBe('registry.lab:5000/nvcr.io/nvidia/k8s-device-plugin:v0.20.0');
    expect(site.resolveImage('vllm/vllm-openai:v0.11.0')).toBe('registry.lab:5000/docker.io/vllm/vllm-openai:v0.11.0');
    expect(site.resolveImage('busybox')).toBe('registry.lab:5000/docker.io/library/busybox');
    const plain = new KubernetesSite(new Stack(testApp(), 'T'), 'Plain');
    expect(plain.resolveImage('busybox')).toBe('busybox');
  });

  test('bad input', () => {
    const stack = new Stack(testApp(), 'S');
    expect(() => new KubernetesSite(stack, 'A', { siteName: 'On Prem' })).toThrow(/siteName = "On Prem" is not a DNS-1123 label/);
    expect(() => new KubernetesSite(stack, 'B', { prometheusQueryUrl: 'prometheus:9090' })).toThrow(/prometheusQueryUrl = "prometheus:9090" is not an http\(s\) URL/);
    expect(() => new KubernetesSite(stack, 'C', { gpuCapacity: { gpusPerNode: 8, totalGpus: 4 } })).toThrow(/gpuCapacity.totalGpus = 4 is not an integer >= 8/);
    const site = new KubernetesSite(stack, 'D');
    site.newChart('apps');
    expect(() => site.newChart('apps')).toThrow(/chart id = "apps" is already used on site "d"/);
    const other = new KubernetesSite(stack, 'E');
    const foreign = other.newChart('x');
    new ApiObject(foreign, 'o', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(() => site.addChart(foreign)).toThrow(/chart = "x" was not created by site "d"/);
  });
});
