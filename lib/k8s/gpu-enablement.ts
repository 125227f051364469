import { Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { Construct } from 'constructs';
import { addDevicePlugin, GPU_SYSTEM_NAMESPACE, NVIDIA_DEVICE_PLUGIN_IMAGE } from './device-plugin';
import { PodSecurityLevel, podSecurityLabels } from './pod-security';
import { PRIVATE_CLIENT_CIDRS } from './network';
import { gpuNodeAffinity, gpuTolerations } from './scheduling';
import { NAMESPACE_NAME_LABEL } from './workload-namespace';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';
import { checkDnsLabel } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

export { GPU_SYSTEM_NAMESPACE, NVIDIA_DEVICE_PLUGIN_IMAGE } from './device-plugin';
/** NVIDIA DCGM exporter image (DCGM 4.6.1, exporter 4.8.4; distroless is the only flavour published now). */
export const DCGM_EXPORTER_IMAGE = 'nvcr.io/nvidia/k8s/dcgm-exporter:4.6.1-4.8.4-distroless';
/** Port of the DCGM exporter's Prometheus endpoint. */
export const DCGM_EXPORTER_PORT = 9400;
/** Name of the DCGM exporter Service (and its ServiceMonitor). */
export const DCGM_EXPORTER_NAME = 'dcgm-exporter';
/** Well-known node label with the EC2 instance type. */
export const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';

export interface GpuEnablementProps {
  /** The site whose GPU nodes the daemons run on. */
  readonly site: IKubernetesSite;
  /**
   * Node labels that select GPU nodes that lack the NVIDIA device plugin (AL2023 NVIDIA AMIs do;
   * Bottlerocket NVIDIA AMIs and EKS Auto Mode ship it). The device plugin DaemonSet runs only
   * there, so it never competes with a preinstalled plugin.
   * @default - no device plugin DaemonSet
   */
  readonly devicePluginNodeLabels?: Record<string, string>;
  /**
   * Whether to run the DCGM exporter (GPU metrics for Prometheus and KEDA).
   * @default true
   */
  readonly dcgmExporter?: boolean;
  /**
   * Namespaces allowed to scrape the DCGM exporter.
   * @default - every namespace of the cluster
   */
  readonly metricsScraperNamespaces?: string[];
  /**
   * Address ranges allowed to scrape the DCGM exporter from outside the pod network, e.g. the
   * network interfaces of Amazon Managed Prometheus' collector in the VPC.
   * @default - the RFC 1918 ranges 10.0.0.0/8, 172.16.0.0/12 and 192.168.0.0/16
   */
  readonly metricsScraperCidrs?: string[];
  /**
   * Instance types whose nodes already run another DCGM exporter (on EKS: the CloudWatch
   * observability add-on's, on a fixed list of GPU instance types of the g3, g3s, g4ad, g4dn,
   * g5, g5g, g6, g6e, gr6, p2, p3, p3dn, p4d, p4de, p5, p5e, p5en, p6-b200, p6-b300 and
   * p6e-gb200 families; GpuCluster passes that list). Ours keeps off
   * them, so every GPU node runs exactly one exporter; nodes without the instance-type label
   * (hybrid and on-premises servers) always run ours.
   * @default - none: our exporter runs on every GPU node
   */
  readonly dcgmExporterExcludedInstanceTypes?: string[];
  /** @default "nvcr.io/nvidia/k8s-device-plugin:v0.20.0" */
  readonly devicePluginImage?: string;
  /** @default "nvcr.io/nvidia/k8s/dcgm-exporter:4.6.1-4.8.4-distroless" */
  readonly dcgmExporterImage?: string;
}

/**
 * GPU system daemons for a site: the `gpu-system` namespace (labelled privileged, the only one
 * the library labels so), the NVIDIA device plugin where the AMI lacks it, and the DCGM exporter
 * with its Service, all tolerating the GPU taints and pinned to GPU nodes, behind a
 * default-deny NetworkPolicy that only opens the metrics port.
 */
export class GpuEnablement extends Construct {
  /** Creates the `gpu-system` chart on the site and delivers it. */
  public static addToSite(props: GpuEnablementProps): Chart {
    const chart = props.site.newChart(GPU_SYSTEM_NAMESPACE);
    new GpuEnablement(chart, 'GpuEnablement', props);
    props.site.addChart(chart);
    return chart;
  }

  constructor(scope: Construct, id: string, props: GpuEnablementProps) {
    super(scope, id);
    checkPropTypes(this, 'GpuEnablementProps', props);
    for (const ns of props.metricsScraperNamespaces ?? []) checkDnsLabel(this, 'metricsScraperNamespaces', ns);
    const site = props.site;

    new k8s.KubeNamespace(this, 'Namespace', {
      metadata: { name: GPU_SYSTEM_NAMESPACE, labels: podSecurityLabels(PodSecurityLevel.PRIVILEGED) },
    });
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: 'default-deny', namespace: GPU_SYSTEM_NAMESPACE },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });

    if (props.devicePluginNodeLabels) {
      addDevicePlugin(this, 'DevicePlugin', site, {
        name: 'nvidia-device-plugin', nodeLabels: props.devicePluginNodeLabels, image: site.resolveImage(props.devicePluginImage ?? NVIDIA_DEVICE_PLUGIN_IMAGE),
      });
    }
    if (props.dcgmExporter ?? true) {
      this.addDcgmExporter(site, site.resolveImage(props.dcgmExporterImage ?? DCGM_EXPORTER_IMAGE), props.metricsScraperNamespaces,
        props.metricsScraperCidrs ?? PRIVATE_CLIENT_CIDRS, props.dcgmExporterExcludedInstanceTypes ?? []);
    }
  }

  private addDcgmExporter(site: IKubernetesSite, image: string, scraperNamespaces: string[] | undefined, scraperCidrs: string[], excludedInstanceTypes: string[]): void {
    const labels = { 'app.kubernetes.io/name': DCGM_EXPORTER_NAME };
    // NotIn also matches nodes without the label, so hybrid and on-premises GPU servers keep ours.
    const exclusions = excludedInstanceTypes.length > 0 ? [{ key: INSTANCE_TYPE_LABEL, operator: 'NotIn', values: excludedInstanceTypes }] : [];
    new k8s.KubeDaemonSet(this, 'DcgmExporter', {
      metadata: { name: DCGM_EXPORTER_NAME, namespace: GPU_SYSTEM_NAMESPACE, labels },
      spec: {
        selector: { matchLabels: labels },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: k8s.IntOrString.fromNumber(1) } },
        template: {
          metadata: { labels },
          spec: {
            priorityClassName: 'system-node-critical',
            tolerations: gpuTolerations(site.gpuNodeTaints),
            affinity: gpuNodeAffinity(site, {}, exclusions),
            containers: [{
              name: DCGM_EXPORTER_NAME,
              image,
              args: ['-f', '/etc/dcgm-exporter/default-counters.csv'],
              env: [
                { name: 'DCGM_EXPORTER_LISTEN', value: `:${DCGM_EXPORTER_PORT}` },
                // Map GPUs to the pods using them (reads the kubelet pod-resources socket).
                { name: 'DCGM_EXPORTER_KUBERNETES', value: 'true' },
              ],
              ports: [{ name: 'metrics', containerPort: DCGM_EXPORTER_PORT, protocol: 'TCP' }],
              readinessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(DCGM_EXPORTER_PORT) }, initialDelaySeconds: 15, periodSeconds: 10 },
              livenessProbe: { httpGet: { path: '/health', port: k8s.IntOrString.fromNumber(DCGM_EXPORTER_PORT) }, initialDelaySeconds: 45, periodSeconds: 15 },
              resources: { requests: { cpu: k8s.Quantity.fromString('100m'), memory: k8s.Quantity.fromString('256Mi') }, limits: { memory: k8s.Quantity.fromString('1Gi') } },
              // DCGM needs root and SYS_ADMIN to read GPU counters; this is why the namespace is privileged.
              securityContext: { runAsNonRoot: false, runAsUser: 0, capabilities: { add: ['SYS_ADMIN'] } },
              volumeMounts: [{ name: 'pod-resources', mountPath: '/var/lib/kubelet/pod-resources', readOnly: true }],
            }],
            volumes: [{ name: 'pod-resources', hostPath: { path: '/var/lib/kubelet/pod-resources', type: 'Directory' } }],
          },
        },
      },
    });

    new k8s.KubeService(this, 'DcgmExporterService', {
      metadata: { name: DCGM_EXPORTER_NAME, namespace: GPU_SYSTEM_NAMESPACE, labels },
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: 'metrics', port: DCGM_EXPORTER_PORT, targetPort: k8s.IntOrString.fromNumber(DCGM_EXPORTER_PORT), protocol: 'TCP' }],
      },
    });

    const from = [
      ...(scraperNamespaces
        ? scraperNamespaces.map((ns) => ({ namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: ns } } }))
        : [{ namespaceSelector: {} }]),
      ...scraperCidrs.map((cidr) => ({ ipBlock: { cidr } })),
    ];
    new k8s.KubeNetworkPolicy(this, 'AllowMetricsScrape', {
      metadata: { name: 'allow-dcgm-metrics-scrape', namespace: GPU_SYSTEM_NAMESPACE },
      spec: {
        podSelector: { matchLabels: labels },
        policyTypes: ['Ingress'],
        ingress: [{ from, ports: [{ protocol: 'TCP', port: k8s.IntOrString.fromNumber(DCGM_EXPORTER_PORT) }] }],
      },
    });
  }
}
