/**
 * The DRA Driver for NVIDIA GPUs (kubernetes-sigs/dra-driver-nvidia-gpu): a kubelet plugin on
 * the nodes of node groups with `dynamicResourceAllocation` that publishes their GPUs as
 * ResourceSlices of the `gpu.nvidia.com` driver, so pods claim GPUs with ResourceClaims
 * (Dynamic Resource Allocation, `resource.k8s.io/v1`) instead of requesting `nvidia.com/gpu`.
 * It cannot share a node with the NVIDIA device plugin (the chart refuses unless told the plugin
 * is absent): such nodes carry the driver's label instead of the device plugin's.
 */
import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { GPU_SYSTEM_NAMESPACE } from './device-plugin';
import { gpuNodeAffinity, gpuTolerations } from './scheduling';
import type { EksSite } from '../sites/eks-site';

/** The DeviceClass of whole NVIDIA GPUs the driver registers: what claims ask for. */
export const DRA_GPU_DEVICE_CLASS = 'gpu.nvidia.com';
/** Label of the nodes whose GPUs the DRA driver publishes (and no device plugin advertises). */
export const DRA_DRIVER_NODE_LABEL = 'cdk-scalable-ai.io/nvidia-dra-driver';
/** Release of the chart `oci://registry.k8s.io/dra-driver-nvidia/charts/dra-driver-nvidia-gpu` and its image (2026-06-30). */
const DRA_DRIVER_VERSION = '0.4.1';
/** Chart name, also the Helm chart resource's `Chart` property the invariants look for. */
const DRA_DRIVER_CHART = 'dra-driver-nvidia-gpu';
const DRA_DRIVER_REPOSITORY = 'oci://registry.k8s.io/dra-driver-nvidia/charts/dra-driver-nvidia-gpu';
const DRA_DRIVER_IMAGE = 'registry.k8s.io/dra-driver-nvidia/dra-driver-nvidia-gpu';
/**
 * Oldest Kubernetes minor the library runs the driver on: `resource.k8s.io/v1` (what the
 * claims are written in) is served from 1.34, and the driver's docs ask for 1.34.2 or later.
 */
export const MIN_DRA_KUBERNETES_MINOR = 34;

const installed = new WeakMap<EksSite, eks.HelmChart>();

/** Installs the DRA driver on the site's cluster once, in `gpu-system`; returns the release. */
export function ensureNvidiaDraDriver(site: EksSite): eks.HelmChart {
  const existing = installed.get(site);
  if (existing) return existing;
  const release = site.cluster.addHelmChart('NvidiaDraDriver', {
    chart: DRA_DRIVER_CHART,
    repository: DRA_DRIVER_REPOSITORY,
    release: DRA_DRIVER_CHART,
    version: DRA_DRIVER_VERSION,
    // The only namespace labelled privileged: the kubelet plugin runs privileged with host paths.
    namespace: GPU_SYSTEM_NAMESPACE,
    createNamespace: true,
    // Claims applied later are allocated only once the DeviceClass exists.
    wait: true,
    timeout: Duration.minutes(10),
    values: {
      image: { repository: site.resolveImage(DRA_DRIVER_IMAGE), tag: `v${DRA_DRIVER_VERSION}`, pullPolicy: 'IfNotPresent' },
      // The chart refuses GPU allocation unless told no device plugin runs on the same nodes:
      // the driver's nodes carry its label instead of the device plugin's.
      gpuResourcesEnabledOverride: true,
      // ComputeDomains are for multi-node NVLink (GB200 NVL72), which no node group here has.
      resources: { gpus: { enabled: true }, computeDomains: { enabled: false } },
      // EKS NVIDIA AMIs install the driver on the host root.
      nvidiaDriverRoot: '/',
      kubeletPlugin: {
        tolerations: gpuTolerations(site.gpuNodeTaints),
        // Replaces the chart's Node Feature Discovery labels (not on EKS nodes): only nodes of
        // groups with dynamicResourceAllocation, never those with the device plugin.
        affinity: gpuNodeAffinity(site, { [DRA_DRIVER_NODE_LABEL]: 'true' }),
        // gpu-system denies all traffic by default: the plugin publishes ResourceSlices through the API server.
        networkPolicy: { enabled: true },
      },
    },
  });
  // After gpu-system's namespace labels and default-deny policy; before the charts that claim GPUs.
  const system = site.charts.find((c) => c.node.id === GPU_SYSTEM_NAMESPACE);
  const systemManifest = system ? site.manifestOf(system) : undefined;
  if (systemManifest) release.node.addDependency(systemManifest);
  site.markPrerequisite(release);
  installed.set(site, release);
  return release;
}
