import { ApiObjectMetadata, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { PodSecurityLevel, podSecurityLabels } from './pod-security';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { NVIDIA_GPU_RESOURCE } from '../sites/site-base';
import { checkDnsLabel, checkInteger } from '../private/validation';

/** Default CPU request of a container that sets none. */
export const DEFAULT_CONTAINER_CPU_REQUEST = '250m';
/** Default memory request and limit of a container that sets none. */
export const DEFAULT_CONTAINER_MEMORY = '512Mi';
/** Label that every namespace carries (Kubernetes sets it), used to select namespaces by name. */
export const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export interface WorkloadNamespaceProps {
  /** DNS-1123 namespace name. */
  readonly name: string;
  /**
   * GPUs all pods of the namespace may request together (ResourceQuota on
   * `requests.nvidia.com/gpu`).
   * @default - no GPU quota object (the namespace may use what the cluster has)
   */
  readonly maxGpus?: number;
  /**
   * Namespaces allowed to reach pods of this namespace (e.g. the ingress controller's and the
   * metrics scraper's). Pods of the namespace itself can always reach each other.
   * @default - none
   */
  readonly allowIngressFromNamespaces?: string[];
  /**
   * Whether pods may open HTTPS (TCP 443) connections outside the cluster, e.g. to S3 and AWS
   * APIs for model downloads.
   * @default true
   */
  readonly allowHttpsEgress?: boolean;
}

/**
 * Returns the site's chart for a workload namespace, creating and delivering it with default
 * props the first time (chart id `namespace-<name>`), so workloads can depend on it.
 */
export function ensureWorkloadNamespace(site: IKubernetesSite, name: string): Chart {
  const id = `namespace-${name}`;
  const existing = site.charts.find((c) => c.node.id === id);
  if (existing) return existing;
  const chart = site.newChart(id);
  new WorkloadNamespace(chart, 'Namespace', { name });
  site.addChart(chart);
  return chart;
}

/**
 * A namespace for workloads with the baseline a platform team expects: Pod Security
 * "restricted" (enforced, audited and warned), default-deny NetworkPolicy for ingress and
 * egress with the allowances workloads need (DNS, same namespace, listed namespaces, HTTPS
 * out), a GPU ResourceQuota and a LimitRange that gives containers without requests sane ones.
 */
export class WorkloadNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    checkDnsLabel(this, 'name', props.name);
    checkInteger(this, 'maxGpus', props.maxGpus, 0);
    for (const ns of props.allowIngressFromNamespaces ?? []) checkDnsLabel(this, 'allowIngressFromNamespaces', ns);
    this.name = props.name;
    const metadata = (name: string): ApiObjectMetadata => ({ name, namespace: props.name });

    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: props.name, labels: podSecurityLabels(PodSecurityLevel.RESTRICTED) },
    });

    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: metadata('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: metadata('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } } }],
          ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
        }],
      },
    });

    const ingressNamespaces = [props.name, ...(props.allowIngressFromNamespaces ?? [])];
    new k8s.KubeNetworkPolicy(this, 'AllowIngress', {
      metadata: metadata('allow-ingress-from-namespaces'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [{ from: ingressNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } })) }],
      },
    });

    new k8s.KubeNetworkPolicy(this, 'AllowSameNamespaceEgress', {
      metadata: metadata('allow-egress-within-namespace'),
      spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] },
    });

    if (props.allowHttpsEgress ?? true) {
      new k8s.KubeNetworkPolicy(this, 'AllowHttpsEgress', {
        metadata: metadata('allow-https-egress'),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{ ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(443) }] }],
        },
      });
    }

    if (props.maxGpus !== undefined) {
      new k8s.KubeResourceQuota(this, 'GpuQuota', {
        metadata: metadata('gpu-quota'),
        spec: { hard: { [`requests.${NVIDIA_GPU_RESOURCE}`]: k8s.Quantity.fromNumber(props.maxGpus) } },
      });
    }

    new k8s.KubeLimitRange(this, 'Defaults', {
      metadata: metadata('container-defaults'),
      spec: {
        limits: [{
          type: 'Container',
          defaultRequest: { cpu: k8s.Quantity.fromString(DEFAULT_CONTAINER_CPU_REQUEST), memory: k8s.Quantity.fromString(DEFAULT_CONTAINER_MEMORY) },
          default: { memory: k8s.Quantity.fromString(DEFAULT_CONTAINER_MEMORY) },
        }],
      },
    });
  }
}
