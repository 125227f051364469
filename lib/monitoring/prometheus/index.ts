export type { PrometheusAlertRule } from './alert-rules';
export { AmpAlerting } from './amp-alerting';
export type { AmpAlertingProps } from './amp-alerting';
