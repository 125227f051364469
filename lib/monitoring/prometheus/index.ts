export type { ModelServerAlertTarget, ModelServerAlertThresholds, PrometheusAlertRule, WakeUpAlert } from './alert-rules';
export { AmpAlerting } from './amp-alerting';
export type { AmpAlertingProps } from './amp-alerting';
export type { ModelServerMonitoringOptions } from './in-cluster-monitoring';
