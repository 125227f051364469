export * from './monitorable';
export type { ThresholdAlarmSpec } from './alarms';
export { AlarmTopicKey, CLOUDWATCH_ALARM_KEY_ACTIONS, CLOUDWATCH_ALARM_KEY_SID } from './alarm-topic-key';
export * from './platform-monitoring';
export * from './sections';
export * from './prometheus';
export { MAX_ALARMS_PER_RULE, MAX_ALARMS_PER_ROLLUP } from './alarm-rollup';
export { MonitoringGroup, MonitoringGroupOptions, MonitoringGroupProps, MAX_RULE_GROUPS_NAMESPACE_BYTES } from './monitoring-group';
