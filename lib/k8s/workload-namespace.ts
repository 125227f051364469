import { ApiObjectMetadata, Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { DNS_PORT, EKS_DEFAULT_CLUSTER_DNS_CIDRS, POD_IDENTITY_AGENT_CIDRS, POD_IDENTITY_AGENT_PORT } from './cluster-network';
import { DRA_GPU_DEVICE_CLASS } from './nvidia-dra-driver';
import { PodSecurityLevel, podSecurityLabels } from './pod-security';
import { IKubernetesSite, SitePlatform, WorkloadCredentials } from '../sites/kubernetes-site-interface';
import { NVIDIA_GPU_RESOURCE } from '../sites/site-base';
import { parseCidr } from '../private/cidr';
import { PropValidationError } from '../private/errors';
import { checkDnsLabel, checkInteger, checkLabels, checkWorkloadNamespace, isToken } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

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
   * `requests.nvidia.com/gpu`), and, separately, GPUs its ResourceClaims may take through DRA
   * (`gpu.nvidia.com.deviceclass.resource.k8s.io/devices`).
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
  /**
   * Addresses of DNS servers that are not pods in `kube-system`, e.g. the cluster DNS Service IP
   * on EKS Auto Mode, where DNS answers on each node. DNS to kube-system pods is always allowed.
   * @default - none
   */
  readonly dnsServerCidrs?: string[];
  /**
   * Whether pods may reach the EKS Pod Identity agent (169.254.170.23 and fd00:ec2::23, TCP 80),
   * which hands out the credentials of Pod Identity associations.
   * @default false
   */
  readonly allowPodIdentityAgent?: boolean;
  /**
   * More labels of the Namespace object, e.g. `cdk-scalable-ai.io/kueue-managed: "true"` (Team
   * sets it on a site with Kueue). The Pod Security labels cannot be overridden.
   * @default - none
   */
  readonly labels?: Record<string, string>;
}

/** Props of a workload namespace on a site: the site's DNS and credential allowances. */
export function siteNamespaceProps(site: IKubernetesSite, name: string, maxGpus?: number): WorkloadNamespaceProps {
  return {
    name,
    maxGpus,
    dnsServerCidrs: site.platform === SitePlatform.EKS ? EKS_DEFAULT_CLUSTER_DNS_CIDRS : undefined,
    allowPodIdentityAgent: site.workloadCredentials === WorkloadCredentials.EKS_POD_IDENTITY,
  };
}

/** Id of the site chart that holds a workload namespace (services and teams find it by this id). */
export function workloadNamespaceChartId(name: string): string {
  return `namespace-${name}`;
}

/**
 * Returns the site's chart for a workload namespace, creating and delivering it with default
 * props the first time (chart id `namespace-<name>`), so workloads can depend on it.
 */
export function ensureWorkloadNamespace(site: IKubernetesSite, name: string): Chart {
  const id = workloadNamespaceChartId(name);
  const existing = site.charts.find((c) => c.node.id === id);
  if (existing) return existing;
  const chart = site.newChart(id);
  new WorkloadNamespace(chart, 'Namespace', siteNamespaceProps(site, name));
  site.addChart(chart);
  return chart;
}

/**
 * A namespace for workloads with the baseline a platform team expects: Pod Security
 * "restricted" (enforced, audited and warned), default-deny NetworkPolicy for ingress and
 * egress with the allowances workloads need (DNS, same namespace, listed namespaces, HTTPS
 * out, the Pod Identity agent where asked), a GPU ResourceQuota and a LimitRange that gives
 * containers without requests sane ones. kubelet probes need no rule: the VPC CNI's policy
 * agent (like other CNIs) always admits traffic from the pod's own node.
 */
export class WorkloadNamespace extends Construct {
  public readonly name: string;

  constructor(scope: Construct, id: string, props: WorkloadNamespaceProps) {
    super(scope, id);
    checkPropTypes(this, 'WorkloadNamespaceProps', props);
    checkWorkloadNamespace(this, 'name', props.name);
    checkInteger(this, 'maxGpus', props.maxGpus, 0);
    checkLabels(this, 'labels', props.labels);
    for (const ns of props.allowIngressFromNamespaces ?? []) checkDnsLabel(this, 'allowIngressFromNamespaces', ns);
    for (const cidr of props.dnsServerCidrs ?? []) {
      if (!isToken(cidr) && !parseCidr(cidr)) {
        throw new PropValidationError(this, 'dnsServerCidrs', cidr, 'is not an IPv4 CIDR', 'Give the DNS server address as a CIDR, e.g. "172.20.0.10/32".');
      }
    }
    this.name = props.name;
    const metadata = (name: string): ApiObjectMetadata => ({ name, namespace: props.name });

    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: props.name, labels: { ...props.labels, ...podSecurityLabels(PodSecurityLevel.RESTRICTED) } },
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
          to: [
            { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: 'kube-system' } } },
            ...(props.dnsServerCidrs ?? []).map((cidr) => ({ ipBlock: { cidr } })),
          ],
          ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(DNS_PORT) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(DNS_PORT) }],
        }],
      },
    });

    if (props.allowPodIdentityAgent) {
      // The agent listens on link-local addresses of the node: only an ipBlock can name them.
      new k8s.KubeNetworkPolicy(this, 'AllowPodIdentityAgent', {
        metadata: metadata('allow-pod-identity-agent'),
        spec: {
          podSelector: {},
          policyTypes: ['Egress'],
          egress: [{
            to: POD_IDENTITY_AGENT_CIDRS.map((cidr) => ({ ipBlock: { cidr } })),
            ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(POD_IDENTITY_AGENT_PORT) }],
          }],
        },
      });
    }

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
        spec: {
          hard: {
            [`requests.${NVIDIA_GPU_RESOURCE}`]: k8s.Quantity.fromNumber(props.maxGpus),
            // Claims bypass the extended-resource quota: without this, pods claiming GPUs from a
            // DRA driver of the cluster would escape the namespace's cap.
            [`${DRA_GPU_DEVICE_CLASS}.deviceclass.resource.k8s.io/devices`]: k8s.Quantity.fromNumber(props.maxGpus),
          },
        },
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
