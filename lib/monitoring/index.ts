export * from './monitorable';
export { AlarmTopicKey } from './alarm-topic-key';
export { PlatformMonitoring } from './platform-monitoring';
export type { PlatformMonitoringProps } from './platform-monitoring';
export * from './sections';
export * from './prometheus';
export { MonitoringGroup, MonitoringGroupOptions, MonitoringGroupProps } from './monitoring-group';
