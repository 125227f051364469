export { ALERT_RATE_WINDOW, GPU_SATURATION_ALERT_FOR, SERVING_ALERT_FOR } from './alert-rules';
export type { ModelServerAlertTarget, ModelServerAlertThresholds, PrometheusAlertRule, WakeUpAlert } from './alert-rules';
export * from './amp-alerting';
export { DCGM_MONITOR_CHART_ID, IN_CLUSTER_SCRAPE_INTERVAL, PROMETHEUS_OPERATOR_API_VERSION } from './in-cluster-monitoring';
export type { ModelServerMonitoringOptions } from './in-cluster-monitoring';
