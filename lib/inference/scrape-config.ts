/**
 * Prometheus scrape configuration of the Amazon Managed Prometheus collector: model server pods
 * that opt in through `prometheus.io/*` annotations, and the DCGM exporters. Relabelling gives
 * every model server series `namespace`, `pod` and `app` labels, which the scaling queries use.
 *
 * On EKS one DCGM exporter runs per GPU node: the CloudWatch observability add-on's where its
 * node affinity reaches (HTTPS with the add-on's own certificate, which the collector cannot
 * know, hence no verification inside the VPC), the library's `gpu-system` one elsewhere
 * (instance types the add-on does not list, hybrid nodes). Both jobs keep DCGM's own
 * `namespace` / `pod` labels of the pods using each GPU (DCGM_FI_DEV_GPU_UTIL by pod).
 */
import { CLOUDWATCH_DCGM_EXPORTER_SERVICE, CLOUDWATCH_OBSERVABILITY_NAMESPACE } from '../k8s/cloudwatch-dcgm-exporter';
import { DCGM_EXPORTER_NAME, GPU_SYSTEM_NAMESPACE } from '../k8s/gpu-enablement';

/** The managed collector's minimum (and our) scrape interval. */
export const SCRAPE_INTERVAL_SECONDS = 30;

export function inferenceScrapeConfig(): string {
  return [
    'global:',
    `  scrape_interval: ${SCRAPE_INTERVAL_SECONDS}s`,
    'scrape_configs:',
    '  - job_name: model-servers',
    '    kubernetes_sd_configs:',
    '      - role: pod',
    '    relabel_configs:',
    '      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]',
    '        action: keep',
    '        regex: "true"',
    '      - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]',
    '        action: replace',
    '        target_label: __metrics_path__',
    '        regex: (.+)',
    '      - source_labels: [__address__, __meta_kubernetes_pod_annotation_prometheus_io_port]',
    '        action: replace',
    '        target_label: __address__',
    '        regex: ([^:]+)(?::\\d+)?;(\\d+)',
    '        replacement: $1:$2',
    '      - source_labels: [__meta_kubernetes_namespace]',
    '        target_label: namespace',
    '      - source_labels: [__meta_kubernetes_pod_name]',
    '        target_label: pod',
    '      - source_labels: [__meta_kubernetes_pod_label_app_kubernetes_io_name]',
    '        target_label: app',
    '  - job_name: dcgm-exporter',
    // DCGM labels each GPU with the pod and namespace using it; keep those, not the exporter's own.
    '    honor_labels: true',
    '    kubernetes_sd_configs:',
    '      - role: endpoints',
    '        namespaces:',
    `          names: [${GPU_SYSTEM_NAMESPACE}]`,
    '    relabel_configs:',
    '      - source_labels: [__meta_kubernetes_service_name]',
    '        action: keep',
    `        regex: ${DCGM_EXPORTER_NAME}`,
    '  - job_name: cloudwatch-dcgm-exporter',
    '    honor_labels: true',
    '    scheme: https',
    '    tls_config:',
    '      insecure_skip_verify: true',
    '    kubernetes_sd_configs:',
    '      - role: endpoints',
    '        namespaces:',
    `          names: [${CLOUDWATCH_OBSERVABILITY_NAMESPACE}]`,
    '    relabel_configs:',
    '      - source_labels: [__meta_kubernetes_service_name]',
    '        action: keep',
    `        regex: ${CLOUDWATCH_DCGM_EXPORTER_SERVICE}`,
    '',
  ].join('\n');
}
