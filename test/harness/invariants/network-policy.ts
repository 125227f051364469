/**
 * NetworkPolicies protect nothing unless the cluster's network plugin enforces them, and once
 * enforced a default-deny namespace breaks every workload whose traffic is not allowed. So:
 * policies only on clusters where enforcement is on, and the traffic each workload needs
 * (DNS, the Pod Identity agent, AWS APIs over HTTPS, the metrics scraper) is allowed.
 */
import { AssemblyModel, ManifestUnit, ModelResource } from './assembly-model';
import { Invariant } from './invariant';
import { allContainers, describeObject, PodUse, podsOf } from './kubernetes-objects';
import { KubernetesObject } from '../kubernetes-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Where a connection goes (egress) or comes from (ingress). */
export interface Peer {
  readonly ip?: string;
  readonly namespace?: string;
  readonly podLabels?: Record<string, string>;
}

export interface Connection {
  readonly peer: Peer;
  readonly port: number;
  readonly protocol: 'TCP' | 'UDP';
  /** Why the workload needs it, for messages. */
  readonly reason: string;
}

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
/** EKS Pod Identity agent, link-local on every node (IPv4; IPv6 is fd00:ec2::23). */
export const POD_IDENTITY_AGENT_IP = '169.254.170.23';
/** Any public AWS endpoint (S3, STS, ECR) for HTTPS egress checks. */
const AWS_API_IP = '52.94.0.10';
/**
 * EKS Auto Mode runs DNS on every node, with no kube-dns Service or CoreDNS pods behind it: pods
 * still query the cluster DNS address (`.10` of the service CIDR), answered on the node, so a
 * kube-system pod selector matches nothing (containers-roadmap #2546, #2552). Without an explicit
 * service CIDR EKS picks 10.100.0.0/16 or 172.20.0.0/16: both addresses must be allowed.
 */
function autoModeDnsIps(cluster: ModelResource): string[] {
  const cidr = cluster.resource.Properties?.KubernetesNetworkConfig?.ServiceIpv4Cidr;
  if (typeof cidr === 'string') {
    const base = cidr.split('/')[0].split('.').map(Number);
    return [`${base[0]}.${base[1]}.${base[2]}.10`];
  }
  return ['10.100.0.10', '172.20.0.10'];
}
/** An address inside the VPC: the managed Prometheus collector's ENIs scrape from there. */
const VPC_SCRAPER_IP = '10.0.100.10';

function ipToNumber(ip: string): number | undefined {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + p, 0);
}

export function cidrContains(cidr: string, ip: string): boolean {
  const [base, bits] = cidr.split('/');
  const baseNumber = ipToNumber(base);
  const ipNumber = ipToNumber(ip);
  if (baseNumber === undefined || ipNumber === undefined) return false;
  const size = 2 ** (32 - Number(bits ?? 32));
  return Math.floor(baseNumber / size) === Math.floor(ipNumber / size);
}

function labelsMatch(selector: any, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const matchLabels: Record<string, string> = selector.matchLabels ?? {};
  if (!Object.entries(matchLabels).every(([k, v]) => labels?.[k] === v)) return false;
  return (selector.matchExpressions ?? []).every((e: any) => {
    const value = labels?.[e.key];
    switch (e.operator) {
      case 'In': return value !== undefined && e.values.includes(value);
      case 'NotIn': return value === undefined || !e.values.includes(value);
      case 'Exists': return value !== undefined;
      case 'DoesNotExist': return value === undefined;
      default: return false;
    }
  });
}

function peerMatches(rulePeer: any, peer: Peer, policyNamespace: string): boolean {
  if (rulePeer.ipBlock) {
    if (!peer.ip || !cidrContains(rulePeer.ipBlock.cidr, peer.ip)) return false;
    return !(rulePeer.ipBlock.except ?? []).some((c: string) => cidrContains(c, peer.ip!));
  }
  if (peer.namespace === undefined) return false;
  const namespaceOk = rulePeer.namespaceSelector
    ? labelsMatch(rulePeer.namespaceSelector, { [NAMESPACE_NAME_LABEL]: peer.namespace })
    : peer.namespace === policyNamespace;
  return namespaceOk && labelsMatch(rulePeer.podSelector, peer.podLabels ?? {});
}

function portMatches(rulePorts: any[] | undefined, connection: Connection): boolean {
  if (!rulePorts || rulePorts.length === 0) return true;
  return rulePorts.some((p) => (p.protocol ?? 'TCP') === connection.protocol
    && (p.port === undefined || p.port === connection.port || (p.endPort !== undefined && connection.port >= p.port && connection.port <= p.endPort)));
}

/** Whether the policies of the pod's namespace allow the connection in the given direction. */
export function isAllowed(policies: readonly KubernetesObject[], pod: PodUse, direction: 'Ingress' | 'Egress', connection: Connection): boolean {
  const selecting = policies.filter((p) => p.metadata?.namespace === pod.namespace && labelsMatch((p.spec as any)?.podSelector, pod.labels)
    && ((p.spec as any)?.policyTypes ?? ['Ingress']).includes(direction));
  if (selecting.length === 0) return true;
  const key = direction === 'Ingress' ? 'ingress' : 'egress';
  const peersKey = direction === 'Ingress' ? 'from' : 'to';
  return selecting.some((p) => ((p.spec as any)[key] ?? []).some((rule: any) =>
    (!rule[peersKey] || rule[peersKey].length === 0 || rule[peersKey].some((peer: any) => peerMatches(peer, connection.peer, pod.namespace)))
    && portMatches(rule.ports, connection)));
}

/** CoreDNS pods in kube-system, as EKS's coredns add-on and kubeadm label them. */
const KUBE_DNS: Peer = { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' } };

/** What a pod needs to reach, from what it runs. */
function requiredEgress(pod: PodUse, associated: boolean, dns: Peer[]): Connection[] {
  const usesAws = associated || allContainers(pod).some((c) => /(^|\/)aws(\s|$)|aws_signing_helper/.test([...(c.command ?? []), ...(c.args ?? [])].join(' ')));
  // Node agents (DaemonSets) talk to the kubelet over sockets; everything else resolves names.
  const needs: Connection[] = pod.owner.kind !== 'DaemonSet' || usesAws ? dns.map((peer) => ({ peer, port: 53, protocol: 'UDP' as const, reason: 'DNS' })) : [];
  if (associated) needs.push({ peer: { ip: POD_IDENTITY_AGENT_IP }, port: 80, protocol: 'TCP', reason: 'EKS Pod Identity agent (credentials)' });
  if (usesAws) needs.push({ peer: { ip: AWS_API_IP }, port: 443, protocol: 'TCP', reason: 'AWS APIs over HTTPS (S3, STS)' });
  return needs;
}

function requiredIngress(pod: PodUse): Connection[] {
  const scrape = (port: number): Connection => ({ peer: { ip: VPC_SCRAPER_IP }, port, protocol: 'TCP', reason: 'metrics scraping from the VPC (managed collector)' });
  const annotated = pod.annotations['prometheus.io/scrape'] === 'true' ? [Number(pod.annotations['prometheus.io/port'])] : [];
  // Exporters scraped through their Service name their port "metrics".
  const named = allContainers(pod).flatMap((c) => (c.ports ?? []).filter((p: any) => p.name === 'metrics').map((p: any) => Number(p.containerPort)));
  return [...new Set([...annotated, ...named])].filter((p) => Number.isInteger(p)).map(scrape);
}

/** Whether the cluster enforces NetworkPolicies: VPC CNI with network policy on, or Auto Mode's equivalent. */
export function enforcesNetworkPolicies(model: AssemblyModel, cluster: ModelResource, objects: readonly KubernetesObject[]): boolean {
  const cni = model.clusterResources(cluster, 'AWS::EKS::Addon').find((a) => a.resource.Properties?.AddonName === 'vpc-cni');
  if (cni) {
    const values = cni.resource.Properties?.ConfigurationValues;
    try {
      return typeof values === 'string' && String(JSON.parse(values).enableNetworkPolicy) === 'true';
    } catch {
      return false;
    }
  }
  const autoMode = cluster.resource.Properties?.ComputeConfig?.Enabled === true;
  return autoMode && objects.some((o) => o.kind === 'ConfigMap' && o.metadata?.namespace === 'kube-system' && o.metadata?.name === 'amazon-vpc-cni'
    && String((o as any).data?.['enable-network-policy-controller']) === 'true');
}

function autoModeDns(cluster: ModelResource): boolean {
  return cluster.resource.Properties?.ComputeConfig?.Enabled === true;
}

function trafficViolations(where: string, units: readonly ManifestUnit[], associations: Set<string>, dns: Peer[]): string[] {
  const objects = units.flatMap((u) => u.objects);
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
  const violations: string[] = [];
  // Pods on the host network are not subject to NetworkPolicies.
  for (const pod of objects.flatMap(podsOf).filter((p) => p.spec.hostNetwork !== true)) {
    const associated = associations.has(`${pod.namespace}/${pod.serviceAccountName}`);
    for (const need of requiredEgress(pod, associated, dns)) {
      if (!isAllowed(policies, pod, 'Egress', need)) violations.push(`${where}: NetworkPolicies deny ${describeObject(pod.owner)} egress to ${need.reason} (${need.protocol} ${need.peer.ip ?? need.peer.namespace}:${need.port}).`);
    }
    for (const need of requiredIngress(pod)) {
      if (!isAllowed(policies, pod, 'Ingress', need)) violations.push(`${where}: NetworkPolicies deny ${describeObject(pod.owner)} ingress for ${need.reason} (TCP ${need.port} from ${need.peer.ip}).`);
    }
  }
  return violations;
}

export const networkPoliciesEnforcedAndSufficient: Invariant = {
  id: 'network-policies-enforced-and-sufficient',
  description: 'NetworkPolicies only where enforcement is on, and the traffic each workload needs is allowed',
  check(model: AssemblyModel): string[] {
    const violations: string[] = [];
    for (const cluster of model.resources('AWS::EKS::Cluster')) {
      const units = model.manifestsOf(cluster);
      const objects = units.flatMap((u) => u.objects);
      const policies = objects.filter((o) => o.kind === 'NetworkPolicy');
      if (policies.length === 0) continue;
      if (!enforcesNetworkPolicies(model, cluster, objects)) {
        violations.push(`cluster ${model.describe(cluster)} receives ${policies.length} NetworkPolicies, but its network plugin does not enforce them (vpc-cni add-on without enableNetworkPolicy "true", or Auto Mode without network policy enabled): they would protect nothing.`);
      }
      const associations = new Set(model.clusterResources(cluster, 'AWS::EKS::PodIdentityAssociation')
        .map((a) => `${a.resource.Properties?.Namespace}/${a.resource.Properties?.ServiceAccount}`));
      const dns: Peer[] = autoModeDns(cluster) ? autoModeDnsIps(cluster).map((ip) => ({ ip })) : [KUBE_DNS];
      violations.push(...trafficViolations(`cluster ${model.describe(cluster)}`, units, associations, dns));
    }
    const sites = new Map<string, ManifestUnit[]>();
    for (const unit of model.manifests.filter((m) => m.site)) sites.set(unit.site!, [...(sites.get(unit.site!) ?? []), unit]);
    for (const [site, units] of sites) {
      violations.push(...trafficViolations(`site ${site}`, units, new Set(), [KUBE_DNS]));
    }
    return violations;
  },
};
