import { Stack } from 'aws-cdk-lib';
import { GpuEnablement, KubernetesSite, NodeTaintEffect } from '../../lib'
import { inferenceScrapeConfig } from '../../lib/inference/scrape-config';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { testApp } from '../harness/synth';
import { DCGM_EXPORTER_IMAGE, NVIDIA_DEVICE_PLUGIN_IMAGE } from '../../lib/k8s/gpu-enablement';

/* eslint-disable @typescript-eslint/no-explicit-any */
const podSpec = (o: KubernetesObject): any => (o.spec as any).template.spec;

function enable(siteProps: ConstructorParameters<typeof KubernetesSite>[2], props: Partial<Parameters<typeof GpuEnablement.addToSite>[0]> = {}): KubernetesObject[] {
  const site = new KubernetesSite(new Stack(testApp(), 'S'), 'Lab', siteProps);
  GpuEnablement.addToSite({ site, ...props });
  return siteObjects(site);
}

describe('GpuEnablement', () => {
  test('without device plugin labels: namespace, deny-all, DCGM exporter, its Service and scrape policy only', () => {
    const objects = enable({});
    expectSafeManifests(objects);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Namespace/gpu-system', 'NetworkPolicy/default-deny', 'DaemonSet/dcgm-exporter', 'Service/dcgm-exporter', 'NetworkPolicy/allow-dcgm-metrics-scrape',
    ]);
  });

  test('DCGM exporter: GPU nodes only, tolerates the GPU taint, root with SYS_ADMIN, pod-resources read-only', () => {
    const dcgm = podSpec(findObject(enable({}), 'DaemonSet', 'dcgm-exporter', 'gpu-system'));
    expect(dcgm.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }]);
    expect(dcgm.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] },
    ]);
    expect(dcgm.containers[0]).toMatchObject({
      image: DCGM_EXPORTER_IMAGE,
      ports: [{ name: 'metrics', containerPort: 9400, protocol: 'TCP' }],
      securityContext: { runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } },
      volumeMounts: [{ name: 'pod-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true }],
    });
    expect(dcgm.priorityClassName).toBe('system-node-critical');
  });

  test('device plugin only on the labelled nodes, with the site taints and mirror', () => {
    const objects = enable(
      { imageRegistryMirror: 'mirror.lab', gpuNodeTaints: [{ key: 'gpu', effect: NodeTaintEffect.NO_EXECUTE }] },
      { devicePluginNodeLabels: { 'needs-plugin': 'yes' } },
    );
    expectSafeManifests(objects);
    const plugin = podSpec(findObject(objects, 'DaemonSet', 'nvidia-device-plugin', 'gpu-system'));
    expect(plugin.containers[0].image).toBe(`mirror.lab/${NVIDIA_DEVICE_PLUGIN_IMAGE}`);
    expect(plugin.tolerations).toEqual([{ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }]);
    expect(plugin.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
      { key: 'needs-plugin', operator: 'In', values: ['yes'] },
    ]);
    expect(plugin.containers[0].securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    expect(plugin.volumes).toEqual([{ name: 'device-plugins', hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' } }]);
  });

  test('the DCGM exporter can keep off instance types where another exporter runs; nodes without the label keep it', () => {
    const dcgm = podSpec(findObject(enable({}, { dcgmExporterExcludedInstanceTypes: ['g6e.xlarge'] }), 'DaemonSet', 'dcgm-exporter', 'gpu-system'));
    expect(dcgm.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toEqual([
      { key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] },
      // NotIn matches nodes without the label too (hybrid and on-premises servers).
      { key: 'node.kubernetes.io/instance-type', operator: 'NotIn', values: ['g6e.xlarge'] },
    ]);
  });

  test('the managed collector scrapes both DCGM exporters: ours over HTTP, the CloudWatch add-on\'s over HTTPS', () => {
    const config = inferenceScrapeConfig();
    expect(config).toContain(['  - job_name: dcgm-exporter', '    honor_labels: true', '    kubernetes_sd_configs:', '      - role: endpoints',
      '        namespaces:', '          names: [gpu-system]'].join('\n'));
    expect(config).toContain(['  - job_name: cloudwatch-dcgm-exporter', '    honor_labels: true', '    scheme: https', '    tls_config:',
      '      insecure_skip_verify: true', '    kubernetes_sd_configs:', '      - role: endpoints', '        namespaces:',
      '          names: [amazon-cloudwatch]', '    relabel_configs:', '      - source_labels: [__meta_kubernetes_service_name]',
      '        action: keep', '        regex: dcgm-exporter-service', ''].join('\n'));
  });

  test('scrapers can be limited to given namespaces; DCGM can be left out', () => {
    const limited = findObject(enable({}, { metricsScraperNamespaces: ['monitoring'] }), 'NetworkPolicy', 'allow-dcgm-metrics-scrape', 'gpu-system');
    expect((limited.spec as any).ingress).toEqual([{
      from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } },
        // Amazon Managed Prometheus' collector scrapes from network interfaces in the VPC.
        { ipBlock: { cidr: '10.0.0.0/8' } }, { ipBlock: { cidr: '172.16.0.0/12' } }, { ipBlock: { cidr: '192.168.0.0/16' } },
      ],
      ports: [{ protocol: 'TCP', port: 9400 }],
    }]);
    const custom = findObject(enable({}, { metricsScraperCidrs: ['10.1.0.0/16'] }), 'NetworkPolicy', 'allow-dcgm-metrics-scrape', 'gpu-system');
    expect((custom.spec as any).ingress[0].from).toEqual([{ namespaceSelector: {} }, { ipBlock: { cidr: '10.1.0.0/16' } }]);
    expect(enable({}, { dcgmExporter: false }).map((o) => o.kind)).toEqual(['Namespace', 'NetworkPolicy']);
    expect(() => enable({}, { metricsScraperNamespaces: ['Monitoring'] })).toThrow(/metricsScraperNamespaces = "Monitoring" is not a DNS-1123 label/);
  });
});
