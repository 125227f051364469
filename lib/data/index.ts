export * from './lifecycle';
export * from './zone';
export * from './data-lake';
export * from './streaming-ingestion';
export * from './streaming-ingestion-ref';
export { INGESTION_ALARM_EVALUATION_PERIODS } from './ingestion-alarms';
export * from './feature-group';
export * from './on-premises-producer-access';
export * from './parquet-schema';
