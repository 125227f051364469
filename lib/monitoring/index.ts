export * from './monitorable';
export { ThresholdAlarmSpec, thresholdAlarm } from './alarms';
export * from './platform-monitoring';
export * from './sections';
export * from './prometheus';
