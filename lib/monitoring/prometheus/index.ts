export * from './alert-rules';
export * from './amp-alerting';
export * from './in-cluster-monitoring';
