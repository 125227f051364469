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
 * One container may take one share (`failRequestsGreaterThanOne`) and one MIG instance (CUDA
 * enumerates one MIG device per process).
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

/** What a node group's device plugin advertises, and how much of it one container may take. */
interface Advertised {
  readonly resource?: string;
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

function checkCluster(model: AssemblyModel, cluster: ModelResource): string[] {
  const violations: string[] = [];
  const objects = model.manifestsOf(cluster).flatMap((m) => m.objects);
  const groups = new Map<string, { name: string; advertised: Advertised }>();
  for (const group of model.clusterResources(cluster, 'AWS::EKS::Nodegroup')) {
    const props = group.resource.Properties ?? {};
    const capacity = props.Labels?.[CAPACITY_LABEL];
    const bottlerocket = String(props.AmiType ?? '').startsWith('BOTTLEROCKET');
    const advertised = bottlerocket ? bottlerocketAdvertises(model, group) : pluginDaemonSetAdvertises(objects, props.Labels?.[DEVICE_PLUGIN_LABEL]);
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
    for (const container of pod.spec.containers ?? []) {
      const limits = container.resources?.limits ?? {};
      for (const resource of [GPU, SHARED_GPU].filter((r) => limits[r] !== undefined)) {
        for (const capacity of pinned) {
          const { name, advertised } = groups.get(capacity)!;
          const owner = `${pod.owner.kind} ${pod.namespace}/${pod.owner.metadata?.name}`;
          if (advertised.resource !== resource) {
            violations.push(`${owner}: container ${container.name} requests ${resource}, but ${name} (${advertised.why}) advertises ${advertised.resource ?? 'no GPU resource'}: its pods stay Pending there.`);
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
  description: 'Pods pinned to GPU node groups or NodePools request the resource those nodes\' device plugin advertises (whole GPUs, time-sliced shares or MIG instances), no more per container than it gives.',
  check: (model) => model.resources('AWS::EKS::Cluster').flatMap((cluster) => checkCluster(model, cluster)),
};
