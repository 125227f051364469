export * from './gpu-cluster-monitor';
export * from './inference-service-monitor';
export * from './streaming-ingestion-monitor';
export * from './data-lake-monitor';
export * from './sagemaker-endpoint-monitor';
