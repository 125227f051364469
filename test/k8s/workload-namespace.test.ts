import { Stack } from 'aws-cdk-lib';
import { Testing } from 'cdk8s';
import { GpuCluster, KubernetesSite, WorkloadNamespace } from '../../lib';
import { ensureWorkloadNamespace } from '../../lib/k8s/workload-namespace';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { testApp } from '../harness/synth';

function render(props: ConstructorParameters<typeof WorkloadNamespace>[2]): KubernetesObject[] {
  const chart = Testing.chart();
  new WorkloadNamespace(chart, 'Ns', props);
  return Testing.synth(chart) as KubernetesObject[];
}

describe('WorkloadNamespace', () => {
  const objects = render({ name: 'inference', maxGpus: 16, allowIngressFromNamespaces: ['ingress-nginx'] });

  test('validates against the Kubernetes schemas', () => {
    expectSafeManifests(objects);
  });

  test('enforces, audits and warns on the restricted Pod Security level', () => {
    expect(findObject(objects, 'Namespace', 'inference').metadata?.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('denies all ingress and egress by default, then allows DNS, the namespace itself, listed namespaces and HTTPS out', () => {
    expect(findObject(objects, 'NetworkPolicy', 'default-deny', 'inference').spec).toEqual({ podSelector: {}, policyTypes: ['Ingress', 'Egress'] });
    expect(findObject(objects, 'NetworkPolicy', 'allow-dns', 'inference').spec).toMatchObject({
      egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    expect(findObject(objects, 'NetworkPolicy', 'allow-ingress-from-namespaces', 'inference').spec).toMatchObject({
      ingress: [{ from: [
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'inference' } } },
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
      ] }],
    });
    expect(findObject(objects, 'NetworkPolicy', 'allow-https-egress', 'inference').spec).toMatchObject({ egress: [{ ports: [{ protocol: 'TCP', port: 443 }] }] });
  });

  test('DNS servers outside kube-system and the Pod Identity agent when asked', () => {
    const objects2 = render({ name: 'serving', dnsServerCidrs: ['172.20.0.10/32'], allowPodIdentityAgent: true });
    expectSafeManifests(objects2);
    expect((findObject(objects2, 'NetworkPolicy', 'allow-dns', 'serving').spec as any).egress[0].to).toEqual([ // eslint-disable-line @typescript-eslint/no-explicit-any
      { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } },
      { ipBlock: { cidr: '172.20.0.10/32' } },
    ]);
    expect(findObject(objects2, 'NetworkPolicy', 'allow-pod-identity-agent', 'serving').spec).toEqual({
      podSelector: {},
      policyTypes: ['Egress'],
      egress: [{ to: [{ ipBlock: { cidr: '169.254.170.23/32' } }, { ipBlock: { cidr: 'fd00:ec2::23/128' } }], ports: [{ protocol: 'TCP', port: 80 }] }],
    });
    expect(objects.find((o) => o.metadata?.name === 'allow-pod-identity-agent')).toBeUndefined();
    expect(() => render({ name: 'bad', dnsServerCidrs: ['172.20.0.10'] })).toThrow(/dnsServerCidrs = "172.20.0.10" is not an IPv4 CIDR/);
  });

  test('on EKS sites the namespace admits the cluster DNS address and the Pod Identity agent; elsewhere neither', () => {
    const eks = new GpuCluster(new Stack(testApp(), 'Eks'), 'Gpu', { gpuEnablement: false });
    ensureWorkloadNamespace(eks.site, 'serving');
    const eksObjects = siteObjects(eks.site);
    expect((findObject(eksObjects, 'NetworkPolicy', 'allow-dns', 'serving').spec as any).egress[0].to).toEqual(expect.arrayContaining([ // eslint-disable-line @typescript-eslint/no-explicit-any
      { ipBlock: { cidr: '10.100.0.10/32' } }, { ipBlock: { cidr: '172.20.0.10/32' } },
    ]));
    findObject(eksObjects, 'NetworkPolicy', 'allow-pod-identity-agent', 'serving');
    const lab = new KubernetesSite(new Stack(testApp(), 'Lab'), 'Lab');
    ensureWorkloadNamespace(lab, 'serving');
    const labObjects = siteObjects(lab);
    expect((findObject(labObjects, 'NetworkPolicy', 'allow-dns', 'serving').spec as any).egress[0].to).toHaveLength(1); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(labObjects.find((o) => o.metadata?.name === 'allow-pod-identity-agent')).toBeUndefined();
  });

  test('caps GPU requests and gives containers default requests', () => {
    expect(findObject(objects, 'ResourceQuota', 'gpu-quota', 'inference').spec).toEqual({ hard: { 'requests.nvidia.com/gpu': 16, 'gpu.nvidia.com.deviceclass.resource.k8s.io/devices': 16 } });
    expect(findObject(objects, 'LimitRange', 'container-defaults', 'inference').spec).toEqual({
      limits: [{ type: 'Container', defaultRequest: { cpu: '250m', memory: '512Mi' }, default: { memory: '512Mi' } }],
    });
  });

  test('no GPU quota object and no HTTPS egress when not asked for', () => {
    const minimal = render({ name: 'batch', allowHttpsEgress: false });
    expect(minimal.filter((o) => o.kind === 'ResourceQuota')).toHaveLength(0);
    expect(minimal.find((o) => o.metadata?.name === 'allow-https-egress')).toBeUndefined();
  });

  test('bad input', () => {
    expect(() => render({ name: 'Inference' })).toThrow(/name = "Inference" is not a DNS-1123 label/);
    expect(() => render({ name: 'ok', maxGpus: 1.5 })).toThrow(/maxGpus = 1.5 is not an integer >= 0/);
  });
});
