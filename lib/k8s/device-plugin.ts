/**
 * The NVIDIA device plugin DaemonSet, for GPU nodes whose AMI lacks it: whole GPUs by default,
 * or time-sliced GPUs with a configuration file (version v1 of the plugin's config API).
 */
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { gpuNodeAffinity, gpuTolerations } from './scheduling';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { NVIDIA_GPU_RESOURCE } from '../sites/site-base';
import { PropValidationError } from '../private/errors';

/** Namespace of the GPU system daemons, the only namespace labelled privileged. */
export const GPU_SYSTEM_NAMESPACE = 'gpu-system';
/** NVIDIA Kubernetes device plugin image (v0.20.0, released 2026-08). */
export const NVIDIA_DEVICE_PLUGIN_IMAGE = 'nvcr.io/nvidia/k8s-device-plugin:v0.20.0';
/** What pods request for one time-sliced share of a GPU (the plugin's `renameByDefault`). */
export const SHARED_GPU_RESOURCE = `${NVIDIA_GPU_RESOURCE}.shared`;
const CONFIG_DIRECTORY = '/etc/nvidia-device-plugin';
/**
 * Label on GPU nodes whose AMI lacks the NVIDIA device plugin: `daemonset` (the plain plugin of
 * the GPU enablement chart) or `time-slicing-<shares>` (the time-slicing plugin).
 */
export const DEVICE_PLUGIN_REQUIRED_LABEL = 'cdk-scalable-ai.io/nvidia-device-plugin';

/** The device-plugin label value of nodes whose GPUs are time-sliced into `replicas` shares. */
export function timeSlicingPluginLabel(replicas: number): string {
  return `time-slicing-${replicas}`;
}

/**
 * The site's chart with the time-slicing device plugin for `replicas` shares per GPU, created
 * the first time (one per share count, for all node groups with it), in `gpu-system`.
 */
export function ensureTimeSlicingPlugin(scope: IConstruct, site: IKubernetesSite, replicas: number): Chart {
  const id = timeSlicingPluginLabel(replicas);
  const existing = site.charts.find((c) => c.node.id === id);
  if (existing) return existing;
  const system = site.charts.find((c) => c.node.id === GPU_SYSTEM_NAMESPACE);
  if (!system) {
    throw new PropValidationError(scope, 'timeSlicing', replicas, `needs the namespace ${GPU_SYSTEM_NAMESPACE}, which site "${site.siteName}" does not have (no GPU enablement chart)`,
      'Keep gpuEnablement on (the default) or add GpuEnablement.addToSite({ site }) before the node group.');
  }
  const chart = site.newChart(id);
  chart.node.addDependency(system);
  addDevicePlugin(chart, 'DevicePlugin', site, {
    name: `nvidia-device-plugin-${id}`,
    nodeLabels: { [DEVICE_PLUGIN_REQUIRED_LABEL]: id },
    image: site.resolveImage(NVIDIA_DEVICE_PLUGIN_IMAGE),
    timeSlicingReplicas: replicas,
  });
  site.addChart(chart);
  return chart;
}

export interface DevicePluginOptions {
  /** DaemonSet name (also its pods' `app.kubernetes.io/name`). */
  readonly name: string;
  /** Node labels, beyond the site's GPU labels, that select the nodes it runs on. */
  readonly nodeLabels: Record<string, string>;
  readonly image: string;
  /** Shares per GPU: each GPU is advertised that many times as `nvidia.com/gpu.shared`. @default - whole GPUs */
  readonly timeSlicingReplicas?: number;
}

/**
 * The plugin's configuration for time-slicing: GPUs are renamed to `nvidia.com/gpu.shared`, so
 * a pod asking for a whole `nvidia.com/gpu` never lands on a shared GPU by accident, and a pod
 * asking for more than one share fails (two shares of one GPU are not two GPUs).
 */
export function timeSlicingConfig(replicas: number): Record<string, unknown> {
  return {
    version: 'v1',
    flags: { migStrategy: 'none', failOnInitError: true },
    sharing: { timeSlicing: { renameByDefault: true, failRequestsGreaterThanOne: true, resources: [{ name: NVIDIA_GPU_RESOURCE, replicas }] } },
  };
}

export function addDevicePlugin(scope: Construct, id: string, site: IKubernetesSite, options: DevicePluginOptions): void {
  const labels = { 'app.kubernetes.io/name': options.name };
  const sliced = options.timeSlicingReplicas !== undefined;
  if (sliced) {
    new k8s.KubeConfigMap(scope, `${id}Config`, {
      metadata: { name: options.name, namespace: GPU_SYSTEM_NAMESPACE, labels },
      // JSON is YAML: the plugin reads the file with a YAML parser.
      data: { 'config.yaml': JSON.stringify(timeSlicingConfig(options.timeSlicingReplicas!)) },
    });
  }
  new k8s.KubeDaemonSet(scope, id, {
    metadata: { name: options.name, namespace: GPU_SYSTEM_NAMESPACE, labels },
    spec: {
      selector: { matchLabels: labels },
      updateStrategy: { type: 'RollingUpdate' },
      template: {
        metadata: { labels },
        spec: {
          priorityClassName: 'system-node-critical',
          tolerations: gpuTolerations(site.gpuNodeTaints),
          affinity: gpuNodeAffinity(site, options.nodeLabels),
          containers: [{
            name: 'nvidia-device-plugin',
            image: options.image,
            // The config file sets failOnInitError too: either way a node without a working
            // driver fails loudly instead of the plugin idling there.
            env: sliced
              ? [{ name: 'CONFIG_FILE', value: `${CONFIG_DIRECTORY}/config.yaml` }]
              : [{ name: 'FAIL_ON_INIT_ERROR', value: 'true' }, { name: 'MIG_STRATEGY', value: 'none' }],
            resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') }, limits: { memory: k8s.Quantity.fromString('256Mi') } },
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            volumeMounts: [
              { name: 'device-plugins', mountPath: '/var/lib/kubelet/device-plugins' },
              ...(sliced ? [{ name: 'config', mountPath: CONFIG_DIRECTORY, readOnly: true }] : []),
            ],
          }],
          volumes: [
            { name: 'device-plugins', hostPath: { path: '/var/lib/kubelet/device-plugins', type: 'Directory' } },
            ...(sliced ? [{ name: 'config', configMap: { name: options.name } }] : []),
          ],
        },
      },
    },
  });
}

