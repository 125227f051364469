/**
 * Scrape and alert configuration for sites that run the Prometheus operator: a ServiceMonitor
 * for the DCGM exporter (once per site), and per model server a PodMonitor plus a
 * PrometheusRule with the same alerts Amazon Managed Prometheus evaluates on EKS.
 */
import { ApiObject, Chart } from 'cdk8s';
import { PrometheusAlertRule, ruleGroup } from './alert-rules';
import { DCGM_EXPORTER_NAME, GPU_SYSTEM_NAMESPACE } from '../../k8s/gpu-enablement';
import { IKubernetesSite } from '../../sites/kubernetes-site-interface';

/** Prometheus operator API version of ServiceMonitor, PodMonitor and PrometheusRule. */
export const PROMETHEUS_OPERATOR_API_VERSION = 'monitoring.coreos.com/v1';
/** Scrape interval of the monitors (the Amazon Managed Prometheus collector's too). */
export const IN_CLUSTER_SCRAPE_INTERVAL = '30s';
/** Chart id of the DCGM exporter's ServiceMonitor on a site. */
export const DCGM_MONITOR_CHART_ID = 'monitoring-gpu-system';
/** Label every object of the library carries. */
const PART_OF = { 'app.kubernetes.io/part-of': 'cdk-scalable-ai' };

function chartExists(site: IKubernetesSite, id: string): boolean {
  return site.charts.some((c) => c.node.id === id);
}

/**
 * Adds the DCGM exporter's ServiceMonitor to the site, once, and only where the GPU enablement
 * chart (which runs the exporter) was delivered. Keeps the exporter's own `pod` / `namespace`
 * labels (honorLabels), which name the workload using each GPU. Returns the chart, if any.
 */
export function ensureDcgmServiceMonitor(site: IKubernetesSite, selectorLabels: Record<string, string>): Chart | undefined {
  if (chartExists(site, DCGM_MONITOR_CHART_ID) || !chartExists(site, GPU_SYSTEM_NAMESPACE)) return undefined;
  const chart = site.newChart(DCGM_MONITOR_CHART_ID);
  const gpuChart = site.charts.find((c) => c.node.id === GPU_SYSTEM_NAMESPACE)!;
  chart.addDependency(gpuChart);
  new ApiObject(chart, 'DcgmServiceMonitor', {
    apiVersion: PROMETHEUS_OPERATOR_API_VERSION,
    kind: 'ServiceMonitor',
    metadata: { name: DCGM_EXPORTER_NAME, namespace: GPU_SYSTEM_NAMESPACE, labels: { ...PART_OF, ...selectorLabels } },
    spec: {
      selector: { matchLabels: { 'app.kubernetes.io/name': DCGM_EXPORTER_NAME } },
      namespaceSelector: { matchNames: [GPU_SYSTEM_NAMESPACE] },
      endpoints: [{ port: 'metrics', interval: IN_CLUSTER_SCRAPE_INTERVAL, honorLabels: true }],
    },
  });
  site.addChart(chart);
  return chart;
}

/** What the PodMonitor and PrometheusRule of a model server need. */
export interface ModelServerMonitoringOptions {
  readonly site: IKubernetesSite;
  readonly namespace: string;
  readonly name: string;
  /** Labels of the model server's pods (PodMonitor selector). */
  readonly podLabels: Record<string, string>;
  /** Name of the container port serving /metrics. */
  readonly portName: string;
  readonly rules: PrometheusAlertRule[];
  readonly selectorLabels: Record<string, string>;
  /** Chart the monitoring chart waits for (the service's own). */
  readonly after?: Chart;
}

/** Chart id of a model server's monitoring objects. */
export function modelServerMonitoringChartId(namespace: string, name: string): string {
  return `monitoring-${namespace}-${name}`;
}

/** Adds a chart with the model server's PodMonitor and PrometheusRule; undefined when it exists already. */
export function addModelServerMonitoring(options: ModelServerMonitoringOptions): Chart | undefined {
  const { site, namespace, name } = options;
  const id = modelServerMonitoringChartId(namespace, name);
  if (chartExists(site, id)) return undefined;
  const chart = site.newChart(id);
  if (options.after) chart.addDependency(options.after);
  const labels = { ...PART_OF, 'app.kubernetes.io/name': name, ...options.selectorLabels };
  new ApiObject(chart, 'PodMonitor', {
    apiVersion: PROMETHEUS_OPERATOR_API_VERSION,
    kind: 'PodMonitor',
    metadata: { name, namespace, labels },
    spec: {
      selector: { matchLabels: options.podLabels },
      podMetricsEndpoints: [{
        port: options.portName,
        path: '/metrics',
        interval: IN_CLUSTER_SCRAPE_INTERVAL,
        // The rules select by `app`, as the Amazon Managed Prometheus collector labels series.
        relabelings: [{ sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_name'], targetLabel: 'app', action: 'replace' }],
      }],
    },
  });
  new ApiObject(chart, 'PrometheusRule', {
    apiVersion: PROMETHEUS_OPERATOR_API_VERSION,
    kind: 'PrometheusRule',
    metadata: { name, namespace, labels },
    spec: { groups: [ruleGroup(`${namespace}-${name}`, options.rules)] },
  });
  site.addChart(chart);
  return chart;
}
