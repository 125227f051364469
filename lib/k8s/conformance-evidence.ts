/**
 * Evidence for the CNCF Kubernetes AI Conformance checklist, gathered on the live cluster: one
 * Job per checklist item the site can show, each container one `kubectl wait` (or `rollout
 * status`) on what the library installed for that item. A Job completes when every check of
 * its item passed, and fails (after its retries) when one timed out, so
 * `kubectl get jobs -n ai-conformance -L cdk-scalable-ai.io/checklist-id` is the report.
 */
import { createHash } from 'crypto';
import { ApiObject, Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { DCGM_EXPORTER_NAME } from './gpu-enablement';
import { GPU_SYSTEM_NAMESPACE, SHARED_GPU_RESOURCE } from './device-plugin';
import { gpuNodeAffinity, gpuTolerations } from './scheduling';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './pod-security';
import { allocatesByClaim, IGpuCapacity, offersShares } from '../compute/gpu-capacity';
import { addClaimingWorkload, addGpuClaimTemplate, GPU_CLAIM_NAME } from '../inference/gpu-claim';
import { ScalingMetricSource } from '../inference/inference-scaling';
import { METRICS_EVIDENCE_LABEL } from '../inference/keda-scaled-object';
import { NVIDIA_GPU_RESOURCE } from '../sites/site-base';
import { siteNamespaceProps, WorkloadNamespace } from './workload-namespace';
import { EksSite } from '../sites/eks-site';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { checkImageReference, checkInteger } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Namespace of the evidence Jobs. */
export const CONFORMANCE_NAMESPACE = 'ai-conformance';
/** Label with the checklist id each Job gives evidence for. */
export const CHECKLIST_ID_LABEL = 'cdk-scalable-ai.io/checklist-id';
/** kubectl image of the checks (the official image; it has no shell, so each check is one command). */
const DEFAULT_KUBECTL_IMAGE = 'registry.k8s.io/kubectl:v1.36.0';
const SERVICE_ACCOUNT = 'conformance-evidence';
/** Ports of the Kubernetes API: the `kubernetes` Service, and kubeadm's default behind it. */
const API_SERVER_PORTS = [443, 6443];

export interface ConformanceEvidenceProps {
  /** The site whose cluster is checked. Create the evidence after everything else of the site. */
  readonly site: IKubernetesSite;
  /** @default "registry.k8s.io/kubectl:v1.36.0" */
  readonly kubectlImage?: string;
  /**
   * How long each check waits for its condition (load balancers and GPU nodes take minutes).
   * @default 15
   */
  readonly timeoutMinutes?: number;
  /**
   * A CUDA base image (it sets `NVIDIA_VISIBLE_DEVICES=all` and carries no `nvidia-smi`: the
   * container runtime adds it with the GPUs it hands out) for the GPU isolation probes of
   * `secure_accelerator_access`.
   * @default "nvcr.io/nvidia/cuda:12.8.1-base-ubi9"
   */
  readonly cudaProbeImage?: string;
}

/** Default CUDA base image of the GPU isolation probes. */
const DEFAULT_CUDA_PROBE_IMAGE = 'nvcr.io/nvidia/cuda:12.8.1-base-ubi9';

/** A pod that runs `nvidia-smi -L` on GPU nodes, with or without a GPU (or a share) of its own. */
interface GpuProbe {
  readonly name: string;
  /** The resource it requests one of; none for the isolation probes. */
  readonly resource?: string;
  /** Whether it claims one GPU through DRA instead. @default false */
  readonly claim?: boolean;
  readonly nodeSelectors: Array<Readonly<Record<string, string>>>;
}

/** The isolation probes' name: a pod without a GPU request must see no GPU, so its Job fails. */
const ISOLATION_PROBE = 'gpu-isolation-probe';
/** The allocation probes' name: a pod with a GPU (or a share) must list it, so its Job completes (the probe itself works). */
const ALLOCATION_PROBE = 'gpu-allocation-probe';

/**
 * The GPU isolation probes: one without a GPU request on each GPU capacity with node labels
 * (teams may share any of them, time-sliced and MIG ones included), or one on any GPU node
 * when a capacity has none; and one allocation probe per kind of GPU the capacities offer.
 */
function gpuProbes(capacities: readonly IGpuCapacity[]): GpuProbe[] {
  if (capacities.length === 0) return [];
  const pinnable = capacities.every((c) => Object.keys(c.nodeSelector ?? {}).length > 0);
  const isolation = pinnable ? capacities.map((c) => ({ name: ISOLATION_PROBE, nodeSelectors: [c.nodeSelector!] })) : [{ name: ISOLATION_PROBE, nodeSelectors: [{}] }];
  const claimed = capacities.filter(allocatesByClaim);
  const whole = capacities.filter((c) => !offersShares(c) && !allocatesByClaim(c));
  const shared = capacities.filter(offersShares);
  return [
    ...isolation,
    ...whole.length > 0 ? [{ name: ALLOCATION_PROBE, resource: NVIDIA_GPU_RESOURCE, nodeSelectors: nodeSelectorsOf(whole) }] : [],
    ...claimed.length > 0 ? [{ name: ALLOCATION_PROBE, claim: true, nodeSelectors: nodeSelectorsOf(claimed) }] : [],
    ...shared.length > 0 ? [{ name: ALLOCATION_PROBE, resource: SHARED_GPU_RESOURCE, nodeSelectors: nodeSelectorsOf(shared) }] : [],
  ];
}

/** One check: a container's name, what it runs, and the kinds it reads. */
interface Check {
  readonly name: string;
  readonly args: string[];
  /** RBAC rules the command needs (get, list, watch). */
  readonly reads: Array<{ apiGroup: string; resource: string }>;
}

/** Node selectors of capacities; any GPU node when one has none. */
function nodeSelectorsOf(capacities: readonly IGpuCapacity[]): Array<Readonly<Record<string, string>>> {
  return capacities.every((c) => c.nodeSelector && Object.keys(c.nodeSelector).length > 0) ? capacities.map((c) => c.nodeSelector!) : [{}];
}

/** Whether the app delivers objects of a kind to the site, with a label if given (a `kubectl wait` on none fails). */
function deliversKind(site: IKubernetesSite, kind: string, label?: { key: string; value: string }): boolean {
  return site.charts.some((c) => c.node.findAll().some((o) => o instanceof ApiObject && o.kind === kind
    && (label === undefined || o.metadata.getLabel(label.key) === label.value)));
}

/**
 * A check that the monitoring system collects the series of `source`: every ScaledObject whose
 * built-in query reads them reports its trigger Happy, which KEDA does only after the query
 * returned a value (the triggers set `ignoreNullValues: false`, and the first trigger's
 * metric is `s0-prometheus`). None when no such ScaledObject is delivered.
 */
function metricsCollected(site: IKubernetesSite, source: ScalingMetricSource, timeout: string): Check[] {
  const label = { key: METRICS_EVIDENCE_LABEL, value: source };
  if (!deliversKind(site, 'ScaledObject', label)) return [];
  return [{
    name: `${source}-metrics-collected`,
    args: ['wait', '--for=jsonpath={.status.health.s0-prometheus.status}=Happy', 'scaledobjects.keda.sh',
      `--selector=${label.key}=${label.value}`, '--all-namespaces', `--timeout=${timeout}`],
    reads: [{ apiGroup: 'keda.sh', resource: 'scaledobjects' }],
  }];
}

/** Checks per checklist id, from what the site offers. */
function checksFor(site: IKubernetesSite, timeout: string, probeJobs: Record<string, string[]>): Map<string, Check[]> {
  const checks = new Map<string, Check[]>();
  const wait = (...args: string[]) => ['wait', ...args, `--timeout=${timeout}`];
  if (site.gatewayClassName) {
    checks.set('ai_inference', [
      { name: 'gateway-class-accepted', args: wait('--for=condition=Accepted', `gatewayclasses.gateway.networking.k8s.io/${site.gatewayClassName}`), reads: [{ apiGroup: 'gateway.networking.k8s.io', resource: 'gatewayclasses' }] },
      { name: 'gateways-programmed', args: wait('--for=condition=Programmed', 'gateways.gateway.networking.k8s.io', '--all', '--all-namespaces'), reads: [{ apiGroup: 'gateway.networking.k8s.io', resource: 'gateways' }] },
    ]);
  }
  // NodePools (EKS Auto Mode or Karpenter) the app delivers to the site, and the Cluster
  // Autoscaler that resizes managed node groups.
  const autoscaling: Check[] = [
    ...deliversKind(site, 'NodePool') ? [{ name: 'node-pools-ready', args: wait('--for=condition=Ready', 'nodepools.karpenter.sh', '--all'), reads: [{ apiGroup: 'karpenter.sh', resource: 'nodepools' }] }] : [],
    ...site instanceof EksSite && site.clusterAutoscalerInstalled ? [{
      name: 'cluster-autoscaler-rolled-out',
      args: ['rollout', 'status', 'deployment/cluster-autoscaler', '--namespace=kube-system', `--timeout=${timeout}`],
      reads: [{ apiGroup: 'apps', resource: 'deployments' }],
    }] : [],
  ];
  if (autoscaling.length > 0) checks.set('cluster_autoscaling', autoscaling);
  if (site.kueueAvailable) {
    checks.set('gang_scheduling', [
      { name: 'cluster-queues-active', args: wait('--for=condition=Active', 'clusterqueues.kueue.x-k8s.io', '--all'), reads: [{ apiGroup: 'kueue.x-k8s.io', resource: 'clusterqueues' }] },
    ]);
  }
  if (site.kedaAvailable) {
    checks.set('pod_autoscaling', [
      { name: 'scaled-objects-ready', args: wait('--for=condition=Ready', 'scaledobjects.keda.sh', '--all', '--all-namespaces'), reads: [{ apiGroup: 'keda.sh', resource: 'scaledobjects' }] },
    ]);
  }
  const acceleratorMetrics: Check[] = [
    ...site.charts.some((c) => c.node.id === GPU_SYSTEM_NAMESPACE) ? [{
      name: 'dcgm-exporter-rolled-out',
      args: ['rollout', 'status', `daemonset/${DCGM_EXPORTER_NAME}`, `--namespace=${GPU_SYSTEM_NAMESPACE}`, `--timeout=${timeout}`],
      reads: [{ apiGroup: 'apps', resource: 'daemonsets' }],
    }] : [],
    // GPU utilization per pod reaches the query API (services scaled on it).
    ...metricsCollected(site, ScalingMetricSource.ACCELERATOR, timeout),
  ];
  if (acceleratorMetrics.length > 0) checks.set('accelerator_metrics', acceleratorMetrics);
  // Model servers' own metrics (Prometheus format, discovered by their scrape annotations) reach the query API.
  const serviceMetrics = metricsCollected(site, ScalingMetricSource.MODEL_SERVER, timeout);
  if (serviceMetrics.length > 0) checks.set('ai_service_metrics', serviceMetrics);
  if (probeJobs[ISOLATION_PROBE] && probeJobs[ALLOCATION_PROBE]) {
    const jobs = (name: string) => probeJobs[name].map((job) => `jobs.batch/${job}`);
    const reads = [{ apiGroup: 'batch', resource: 'jobs' }];
    checks.set('secure_accelerator_access', [
      { name: 'no-gpu-without-request', args: wait('--for=condition=Failed', ...jobs(ISOLATION_PROBE), `--namespace=${CONFORMANCE_NAMESPACE}`), reads },
      { name: 'requested-gpu-visible', args: wait('--for=condition=Complete', ...jobs(ALLOCATION_PROBE), `--namespace=${CONFORMANCE_NAMESPACE}`), reads },
    ]);
  }
  const crds = [
    ...site.kedaAvailable ? ['scaledobjects.keda.sh'] : [],
    ...site.kueueAvailable ? ['clusterqueues.kueue.x-k8s.io', 'localqueues.kueue.x-k8s.io'] : [],
    ...site.leaderWorkerSetAvailable ? ['leaderworkersets.leaderworkerset.x-k8s.io'] : [],
  ];
  if (crds.length > 0) {
    checks.set('robust_controller', [
      { name: 'operator-crds-established', args: wait('--for=condition=Established', ...crds.map((c) => `customresourcedefinitions/${c}`)), reads: [{ apiGroup: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }] },
      // The operator works: every group of every multi-node model is up (the controller sets Available).
      ...deliversKind(site, 'LeaderWorkerSet') ? [{
        name: 'leader-worker-sets-available',
        args: wait('--for=condition=Available', 'leaderworkersets.leaderworkerset.x-k8s.io', '--all', '--all-namespaces'),
        reads: [{ apiGroup: 'leaderworkerset.x-k8s.io', resource: 'leaderworkersets' }],
      }] : [],
    ]);
  }
  return checks;
}

/**
 * Post-deploy evidence Jobs for the AI Conformance items the site can show (Gateway API
 * routing, NodePools, Kueue queues, KEDA autoscaling, the DCGM exporter, model server and GPU
 * metrics reaching the query API, GPU isolation, operator CRDs), in namespace
 * `ai-conformance` with the restricted baseline, run by a service account that may only read
 * the kinds its checks wait on. Items the site cannot show get no Job: the README's
 * conformance table says what they need.
 */
export class ConformanceEvidence extends Construct {
  /** Creates the evidence chart on the site and delivers it (after the site's other charts). */
  public static addToSite(props: ConformanceEvidenceProps): Chart {
    const chart = props.site.newChart(CONFORMANCE_NAMESPACE);
    new ConformanceEvidence(chart, 'Evidence', props);
    // Checks wait on objects of every chart delivered so far.
    for (const other of props.site.charts) chart.node.addDependency(other);
    props.site.addChart(chart);
    return chart;
  }

  /** The checklist ids with a Job. */
  public readonly checklistIds: string[];

  constructor(scope: Construct, id: string, props: ConformanceEvidenceProps) {
    super(scope, id);
    checkPropTypes(this, 'ConformanceEvidenceProps', props);
    checkImageReference(this, 'kubectlImage', props.kubectlImage, 'registry.k8s.io/kubectl:v1.36.0');
    checkInteger(this, 'timeoutMinutes', props.timeoutMinutes, 1, 60);
    checkImageReference(this, 'cudaProbeImage', props.cudaProbeImage, DEFAULT_CUDA_PROBE_IMAGE);
    const site = props.site;
    const probeImage = site.resolveImage(props.cudaProbeImage ?? DEFAULT_CUDA_PROBE_IMAGE);
    const probeJobs: Record<string, string[]> = {};
    for (const probe of gpuProbes(site.gpuCapacities)) (probeJobs[probe.name] ??= []).push(this.addGpuProbe(site, probe, probeImage));
    const checks = checksFor(site, `${props.timeoutMinutes ?? 15}m`, probeJobs);
    this.checklistIds = [...checks.keys()];
    const image = site.resolveImage(props.kubectlImage ?? DEFAULT_KUBECTL_IMAGE);

    // Egress only to the API server (below) and DNS: the checks talk to nothing else.
    new WorkloadNamespace(this, 'Namespace', { ...siteNamespaceProps(site, CONFORMANCE_NAMESPACE), allowHttpsEgress: false, allowPodIdentityAgent: false });
    new k8s.KubeNetworkPolicy(this, 'AllowApiServer', {
      metadata: { name: 'allow-api-server', namespace: CONFORMANCE_NAMESPACE },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{ ports: API_SERVER_PORTS.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })) }],
      },
    });
    new k8s.KubeServiceAccount(this, 'ServiceAccount', { metadata: { name: SERVICE_ACCOUNT, namespace: CONFORMANCE_NAMESPACE } });
    const reads = [...new Map([...checks.values()].flat().flatMap((c) => c.reads).map((r) => [`${r.apiGroup}/${r.resource}`, r])).values()];
    new k8s.KubeClusterRole(this, 'Reader', {
      metadata: { name: SERVICE_ACCOUNT },
      rules: [...new Set(reads.map((r) => r.apiGroup))].map((apiGroup) => ({
        apiGroups: [apiGroup],
        resources: reads.filter((r) => r.apiGroup === apiGroup).map((r) => r.resource),
        verbs: ['get', 'list', 'watch'],
      })),
    });
    new k8s.KubeClusterRoleBinding(this, 'ReaderBinding', {
      metadata: { name: SERVICE_ACCOUNT },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: SERVICE_ACCOUNT },
      subjects: [{ kind: 'ServiceAccount', name: SERVICE_ACCOUNT, namespace: CONFORMANCE_NAMESPACE }],
    });
    for (const [checklistId, itemChecks] of checks) this.addJob(checklistId, itemChecks, image);
  }

  /**
   * A probe Job on GPU nodes: `nvidia-smi -L` with `NVIDIA_VISIBLE_DEVICES=all`, no retries
   * and no deadline (only the pod's own failure fails it: a probe that cannot start leaves the
   * check timing out, never passing). Named by a hash of its spec (Jobs are immutable).
   */
  private addGpuProbe(site: IKubernetesSite, probe: GpuProbe, image: string): string {
    const labels = { 'app.kubernetes.io/name': probe.name };
    const nodeSelectors = probe.nodeSelectors;
    const gpus: Record<string, k8s.Quantity> = probe.resource ? { [probe.resource]: k8s.Quantity.fromNumber(1) } : {};
    const claims = probe.claim ? { claims: [{ name: GPU_CLAIM_NAME }] } : {};
    const pod: k8s.PodSpec = {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      securityContext: restrictedPodSecurityContext(),
      tolerations: gpuTolerations(site.gpuNodeTaints),
      affinity: gpuNodeAffinity(site, {}, [], nodeSelectors),
      containers: [{
        name: 'nvidia-smi',
        image,
        command: ['nvidia-smi', '-L'],
        // CUDA images set it already: written so the probe does not depend on the image.
        env: [{ name: 'NVIDIA_VISIBLE_DEVICES', value: 'all' }],
        resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi'), ...gpus }, limits: { memory: k8s.Quantity.fromString('128Mi'), ...gpus }, ...claims },
        securityContext: restrictedContainerSecurityContext(),
      }],
    };
    const name = `${probe.name}-${createHash('sha256').update(JSON.stringify(k8s.toJson_PodSpec(pod))).digest('hex').slice(0, 8)}`;
    // Construct ids by the spec's hash too: one probe per capacity.
    const metadata = { name, namespace: CONFORMANCE_NAMESPACE, labels };
    const job: k8s.KubeJobProps = {
      metadata,
      spec: { backoffLimit: 0, template: { metadata: { labels }, spec: pod } },
    };
    if (!probe.claim) {
      new k8s.KubeJob(this, `Probe-${name}`, job);
      return name;
    }
    // One GPU of the driver's class, claimed from a template of the probe's own.
    const template = `${name}-gpu`;
    addGpuClaimTemplate(this, `ProbeClaim-${name}`, { name: template, namespace: CONFORMANCE_NAMESPACE, labels, gpus: 1 });
    addClaimingWorkload(this, `Probe-${name}`, k8s.KubeJob.GVK, metadata, k8s.toJson_JobSpec(job.spec), template);
    return name;
  }

  private addJob(checklistId: string, checks: Check[], image: string): void {
    const labels = { 'app.kubernetes.io/name': 'conformance-evidence', [CHECKLIST_ID_LABEL]: checklistId };
    const containers: k8s.Container[] = checks.map((check) => ({
      name: check.name,
      image,
      args: check.args,
      // kubectl keeps its discovery cache under $HOME.
      env: [{ name: 'HOME', value: '/tmp' }],
      resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') }, limits: { memory: k8s.Quantity.fromString('128Mi') } },
      securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
      volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
    }));
    // Jobs are immutable: a changed check is a new Job (the old one is pruned with its chart).
    const digest = createHash('sha256').update(JSON.stringify(containers)).digest('hex').slice(0, 8);
    new k8s.KubeJob(this, `Job-${checklistId}`, {
      metadata: { name: `${checklistId.replace(/_/g, '-')}-${digest}`, namespace: CONFORMANCE_NAMESPACE, labels },
      spec: {
        backoffLimit: 2,
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: SERVICE_ACCOUNT,
            restartPolicy: 'Never',
            securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
            containers,
            volumes: [{ name: 'tmp', emptyDir: {} }],
          },
        },
      },
    });
  }
}
