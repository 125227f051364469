export * from './monitorable';
export { ThresholdAlarmSpec, thresholdAlarm } from './alarms';
export { AlarmTopicKey, CLOUDWATCH_ALARM_KEY_ACTIONS, CLOUDWATCH_ALARM_KEY_SID } from './alarm-topic-key';
export * from './platform-monitoring';
export * from './sections';
export * from './prometheus';
export * from './alarm-rollup';
export * from './monitoring-group';
