/**
 * A pod pinned to GPU node groups or NodePools runs only where a device plugin advertises the
 * resource it requests, in the amount it requests: the scheduler otherwise leaves it Pending,
 * and the library's capacity check (which counted that capacity) was wrong. What each
 * capacity advertises is read from what its nodes will really run:
 * - AL2023: the device plugin DaemonSet whose node affinity selects the group's
 *   `cdk-scalable-ai.io/nvidia-device-plugin` label (none: no GPU is advertised), and its
 *   time-slicing configuration (`renameByDefault` gives `nvidia.com/gpu.shared`);
 * - Bottlerocket: the node settings in the launch template's user data (time-slicing and
 *   rename-by-default give `nvidia.com/gpu.shared`; MIG gives `nvidia.com/gpu` instances).
 * - NodePools: EKS Auto Mode's own plugin (whole GPUs); on Karpenter, the library's plugin
 *   DaemonSet selected by the pool's label, or the AMI's own (whole GPUs) without one.
 * - AL2023 nodes labelled for the NVIDIA DRA driver: no resource, but devices of the driver's
 *   `gpu.nvidia.com` DeviceClass, when a driver chart's kubelet plugin selects that label.
 * One container may take one share (`failRequestsGreaterThanOne`) and one MIG instance (CUDA
 * enumerates one MIG device per process). A pod claiming devices must claim them from a
 * ResourceClaimTemplate of its namespace, of a class its nodes publish.
 */
import { AssemblyModel, ModelResource } from './assembly-model';
import { Invariant } from './invariant';
import { bottlerocketSettings, nodeGroupUserData } from './node-user-data';
import { podsOf } from './kubernetes-objects';
import { KubernetesObject } from '../kubernetes-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */

const CAPACITY_LABEL = 'cdk-scalable-ai.io/gpu-capacity';
const DEVICE_PLUGIN_LABEL = 'cdk-scalable-ai.io/nvidia-device-plugin';
const GPU = 'nvidia.com/gpu';
const SHARED_GPU = 'nvidia.com/gpu.shared';
const DRA_DRIVER_LABEL = 'cdk-scalable-ai.io/nvidia-dra-driver';
const DRA_DRIVER_CHART = 'dra-driver-nvidia-gpu';
const DRA_GPU_CLASS = 'gpu.nvidia.com';

/** What a node group's device plugin advertises, and how much of it one container may take. */
interface Advertised {
  readonly resource?: string;
  /** The DeviceClass whose devices the nodes publish for claims (DRA). */
  readonly deviceClass?: string;
  readonly perContainer?: number;
  readonly why: string;
}

/** The values a required node selector term allows for a label. */
function requiredValues(term: any, key: string): string[] | undefined {
  const expression = (term.matchExpressions ?? []).find((e: any) => e.key === key && e.operator === 'In');
  return expression?.values;
}

/** The capacity names a pod is pinned to, or undefined when one of its terms does not pin it. */
function pinnedCapacities(spec: any): string[] | undefined {
  const fromSelector = spec.nodeSelector?.[CAPACITY_LABEL];
  const terms: any[] = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  if (fromSelector !== undefined) return [fromSelector];
  if (terms.length === 0) return undefined;
  const perTerm = terms.map((t) => requiredValues(t, CAPACITY_LABEL));
  return perTerm.every((v) => v !== undefined) ? perTerm.flat() as string[] : undefined;
}

function bottlerocketAdvertises(model: AssemblyModel, group: ModelResource): Advertised {
  const text = nodeGroupUserData(model, group);
  if (text === undefined) return { resource: GPU, why: 'Bottlerocket, whole GPUs' };
  // Unreadable settings are node-user-data-merges' to report.
  const settings = bottlerocketSettings(text);
  if (settings === undefined) return { why: 'unreadable settings' };
  const nvidia = settings.settings?.['kubelet-device-plugins']?.nvidia ?? {};
  if (nvidia['device-partitioning-strategy'] === 'mig') return { resource: GPU, perContainer: 1, why: 'Bottlerocket, MIG instances' };
  if (nvidia['device-sharing-strategy'] === 'time-slicing') {
    const slicing = nvidia['time-slicing'] ?? {};
    return {
      resource: slicing['rename-by-default'] === false ? GPU : SHARED_GPU,
      perContainer: slicing['fail-requests-greater-than-one'] === false ? undefined : 1,
      why: `Bottlerocket, time-sliced into ${slicing.replicas ?? 2} shares`,
    };
  }
  return { resource: GPU, why: 'Bottlerocket, whole GPUs' };
}

/**
 * The DaemonSet of the objects whose required node affinity selects the plugin label value;
 * undefined when the app delivers no device plugin at all (`gpuEnablement: false`: the
 * operator's own plugin, which the app cannot see, serves the nodes).
 */
function pluginDaemonSetAdvertises(objects: KubernetesObject[], pluginLabel: string | undefined, nodes: string = 'AL2023'): Advertised | undefined {
  const plugins = objects.filter((o) => o.kind === 'DaemonSet').map((d) => ({
    daemonSet: d,
    selects: ((d.spec as any)?.template?.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [])
      .flatMap((t: any) => requiredValues(t, DEVICE_PLUGIN_LABEL) ?? []) as string[],
  })).filter((p) => p.selects.length > 0);
  if (plugins.length === 0) return undefined;
  if (pluginLabel === undefined) return { why: `${nodes} without the ${DEVICE_PLUGIN_LABEL} label (no device plugin selects it)` };
  const plugin = plugins.find((p) => p.selects.includes(pluginLabel))?.daemonSet;
  if (!plugin) return { why: `${nodes} labelled ${DEVICE_PLUGIN_LABEL}=${pluginLabel}, which no device plugin DaemonSet selects` };
  const pod = (plugin.spec as any).template.spec;
  const configMapName = (pod.volumes ?? []).find((v: any) => v.configMap)?.configMap?.name;
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === configMapName && o.metadata?.namespace === plugin.metadata?.namespace) as any;
  const slicing = configMap ? JSON.parse(Object.values(configMap.data ?? {})[0] as string)?.sharing?.timeSlicing : undefined;
  if (!slicing) return { resource: GPU, why: `${nodes}, device plugin ${plugin.metadata?.name}` };
  return {
    resource: slicing.renameByDefault ? SHARED_GPU : GPU,
    perContainer: slicing.failRequestsGreaterThanOne ? 1 : undefined,
    why: `${nodes}, time-slicing plugin ${plugin.metadata?.name}`,
  };
}

/** What nodes labelled for the DRA driver get: its devices, when one of the cluster's driver charts runs its kubelet plugin there. */
function draDriverAdvertises(model: AssemblyModel, cluster: ModelResource): Advertised {
  const charts = model.clusterResources(cluster, 'Custom::AWSCDK-EKS-HelmChart').filter((c) => c.resource.Properties?.Chart === DRA_DRIVER_CHART);
  const selecting = charts.find((chart) => {
    const values = chart.resource.Properties?.Values;
    let parsed: any;
    try {
      parsed = typeof values === 'string' ? JSON.parse(values) : undefined;
    } catch {
      return false;
    }
    const terms: any[] = parsed?.kubeletPlugin?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
    return parsed?.resources?.gpus?.enabled !== false && terms.some((t) => (requiredValues(t, DRA_DRIVER_LABEL) ?? []).includes('true'));
  });
  return selecting
    ? { deviceClass: DRA_GPU_CLASS, why: `AL2023, NVIDIA DRA driver ${model.describe(selecting)}` }
    : { why: `AL2023 labelled ${DRA_DRIVER_LABEL}=true, which no DRA driver chart's kubelet plugin selects` };
}

/** The device classes a pod's containers claim, or a reason the claim cannot be allocated. */
function claimedClasses(pod: { namespace: string; spec: any }, objects: KubernetesObject[]): { classes: string[]; problems: string[] } {
  const classes: string[] = [];
  const problems: string[] = [];
  const podClaims = new Map<string, any>((pod.spec.resourceClaims ?? []).map((c: any) => [c.name, c]));
  for (const container of pod.spec.containers ?? []) {
    for (const { name } of container.resources?.claims ?? []) {
      const claim = podClaims.get(name);
      if (!claim) {
        problems.push(`container ${container.name} uses claim ${name}, which the pod does not declare`);
        continue;
      }
      const template = objects.find((o) => o.kind === 'ResourceClaimTemplate' && o.metadata?.name === claim.resourceClaimTemplateName && (o.metadata?.namespace ?? 'default') === pod.namespace);
      if (!template) {
        problems.push(`claim ${name} names ResourceClaimTemplate ${pod.namespace}/${claim.resourceClaimTemplateName}, which the app does not deliver`);
        continue;
      }
      for (const request of (template.spec as any)?.spec?.devices?.requests ?? []) classes.push(request.exactly?.deviceClassName);
    }
  }
  return { classes, problems };
}

function checkCluster(model: AssemblyModel, cluster: ModelResource): string[] {
  const violations: string[] = [];
  const objects = model.manifestsOf(cluster).flatMap((m) => m.objects);
  const groups = new Map<string, { name: string; advertised: Advertised }>();
  for (const group of model.clusterResources(cluster, 'AWS::EKS::Nodegroup')) {
    const props = group.resource.Properties ?? {};
    const capacity = props.Labels?.[CAPACITY_LABEL];
    const bottlerocket = String(props.AmiType ?? '').startsWith('BOTTLEROCKET');
    const advertised = bottlerocket ? bottlerocketAdvertises(model, group)
      : props.Labels?.[DRA_DRIVER_LABEL] === 'true' ? draDriverAdvertises(model, cluster)
        : pluginDaemonSetAdvertises(objects, props.Labels?.[DEVICE_PLUGIN_LABEL]);
    if (typeof capacity === 'string' && advertised !== undefined) groups.set(capacity, { name: model.describe(group), advertised });
  }
  // NodePools: EKS Auto Mode runs its own plugin (whole GPUs); Karpenter nodes labelled for the
  // library's device plugin get what that DaemonSet advertises.
  for (const pool of objects.filter((o) => o.kind === 'NodePool')) {
    const template = (pool.spec as any)?.template;
    const labels: Record<string, string> = template?.metadata?.labels ?? {};
    const capacity = labels[CAPACITY_LABEL];
    const autoMode = template?.spec?.nodeClassRef?.group === 'eks.amazonaws.com';
    const advertised = autoMode ? { resource: GPU, why: 'EKS Auto Mode, whole GPUs' }
      : labels[DEVICE_PLUGIN_LABEL] !== undefined ? pluginDaemonSetAdvertises(objects, labels[DEVICE_PLUGIN_LABEL], 'Karpenter nodes')
        : { resource: GPU, why: 'a node class whose AMI ships the device plugin, whole GPUs' };
    if (capacity !== undefined && advertised !== undefined) groups.set(capacity, { name: `NodePool ${pool.metadata?.name}`, advertised });
  }
  for (const pod of objects.flatMap(podsOf)) {
    const pinned = pinnedCapacities(pod.spec)?.filter((c) => groups.has(c));
    if (!pinned || pinned.length === 0) continue;
    const owner = `${pod.owner.kind} ${pod.namespace}/${pod.owner.metadata?.name}`;
    const claims = claimedClasses(pod, objects);
    violations.push(...claims.problems.map((p) => `${owner}: ${p}: its pods are never scheduled.`));
    for (const deviceClass of claims.classes) {
      for (const capacity of pinned) {
        const { name, advertised } = groups.get(capacity)!;
        if (advertised.deviceClass !== deviceClass) {
          violations.push(`${owner}: claims devices of class ${deviceClass}, but ${name} (${advertised.why}) publishes ${advertised.deviceClass ? `${advertised.deviceClass} devices` : 'no devices for claims'}: its pods stay Pending there.`);
        }
      }
    }
    for (const container of pod.spec.containers ?? []) {
      const limits = container.resources?.limits ?? {};
      for (const resource of [GPU, SHARED_GPU].filter((r) => limits[r] !== undefined)) {
        for (const capacity of pinned) {
          const { name, advertised } = groups.get(capacity)!;
          if (advertised.resource !== resource) {
            const offers = advertised.resource ?? (advertised.deviceClass ? `no GPU resource (its GPUs are claimed from ${advertised.deviceClass})` : 'no GPU resource');
            // Kubernetes may map such a request onto a claim (DRAExtendedResource), but outside what the library counted for claims.
            const outcome = advertised.deviceClass ? 'its pods stay Pending there, or take claimed GPUs the capacity check counted for others' : 'its pods stay Pending there';
            violations.push(`${owner}: container ${container.name} requests ${resource}, but ${name} (${advertised.why}) advertises ${offers}: ${outcome}.`);
          } else if (advertised.perContainer !== undefined && Number(limits[resource]) > advertised.perContainer) {
            violations.push(`${owner}: container ${container.name} requests ${limits[resource]} ${resource}, but ${name} (${advertised.why}) gives a container ${advertised.perContainer}.`);
          }
        }
      }
    }
  }
  return violations;
}

export const gpuResourcesAdvertised: Invariant = {
  id: 'gpu-resources-advertised',
  description: 'Pods pinned to GPU node groups or NodePools request the resource those nodes\' device plugin advertises (whole GPUs, time-sliced shares or MIG instances), no more per container than it gives, or claim from a delivered ResourceClaimTemplate the DeviceClass the nodes\' DRA driver publishes.',
  check: (model) => model.resources('AWS::EKS::Cluster').flatMap((cluster) => checkCluster(model, cluster)),
};
