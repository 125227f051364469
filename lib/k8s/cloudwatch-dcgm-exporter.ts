/**
 * The DCGM exporter that the `amazon-cloudwatch-observability` EKS add-on runs: Container
 * Insights turns its series into the node_gpu_* / pod_gpu_* metrics, so on EKS it is the one
 * exporter on the nodes it covers, and Amazon Managed Prometheus scrapes it too.
 *
 * Source: aws-observability/helm-charts, chart amazon-cloudwatch-observability 6.4.0:
 * values.yaml `dcgmExporter` (service port 9400, node affinity on these NVIDIA instance types),
 * templates/linux/dcgm-exporter-daemonset.yaml (TLS server config with the add-on's own
 * certificate, DCGM_EXPORTER_KUBERNETES=true, DCGM_FI_DEV_GPU_UTIL among the counters) and
 * templates/linux/_otel-container-insights-config.tpl (the agent scrapes
 * `https://dcgm-exporter-service:9400`). Disabling the add-on's exporter
 * (`dcgmExporter.enabled: false`) also removes the Container Insights GPU pipeline.
 */

/** Namespace of the add-on. */
export const CLOUDWATCH_OBSERVABILITY_NAMESPACE = 'amazon-cloudwatch';
/** Service of the add-on's DCGM exporter. */
export const CLOUDWATCH_DCGM_EXPORTER_SERVICE = 'dcgm-exporter-service';

/** Instance types the add-on's DCGM exporter is scheduled on (its NVIDIA node affinity list). */
export const CLOUDWATCH_OBSERVABILITY_DCGM_INSTANCE_TYPES: readonly string[] = [
  'g3.4xlarge', 'g3.8xlarge', 'g3.16xlarge', 'g3s.xlarge',
  'g4ad.2xlarge', 'g4ad.4xlarge', 'g4ad.8xlarge', 'g4ad.16xlarge', 'g4ad.xlarge',
  'g4dn.2xlarge', 'g4dn.4xlarge', 'g4dn.8xlarge', 'g4dn.12xlarge', 'g4dn.16xlarge', 'g4dn.metal', 'g4dn.xlarge',
  'g5.2xlarge', 'g5.4xlarge', 'g5.8xlarge', 'g5.12xlarge', 'g5.16xlarge', 'g5.24xlarge', 'g5.48xlarge', 'g5.xlarge',
  'g5g.2xlarge', 'g5g.4xlarge', 'g5g.8xlarge', 'g5g.16xlarge', 'g5g.metal', 'g5g.xlarge',
  'g6.2xlarge', 'g6.4xlarge', 'g6.8xlarge', 'g6.12xlarge', 'g6.16xlarge', 'g6.24xlarge', 'g6.48xlarge', 'g6.xlarge',
  'g6e.2xlarge', 'g6e.4xlarge', 'g6e.8xlarge', 'g6e.12xlarge', 'g6e.16xlarge', 'g6e.24xlarge', 'g6e.48xlarge', 'g6e.xlarge',
  'gr6.4xlarge', 'gr6.8xlarge',
  'p2.8xlarge', 'p2.16xlarge', 'p2.xlarge', 'p3.2xlarge', 'p3.8xlarge', 'p3.16xlarge', 'p3dn.24xlarge',
  'p4d.24xlarge', 'p4de.24xlarge', 'p5.48xlarge', 'p5e.48xlarge', 'p5en.48xlarge',
  'p6-b200.48xlarge', 'p6-b300.48xlarge', 'p6e-gb200.36xlarge',
];
