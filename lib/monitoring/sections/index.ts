export { GpuClusterMonitor } from './gpu-cluster-monitor';
export type { GpuClusterMonitoringOptions } from './gpu-cluster-monitor';
export { InferenceServiceMonitor } from './inference-service-monitor';
export type { InferenceServiceMonitoringOptions } from './inference-service-monitor';
export * from './streaming-ingestion-monitor';
export * from './data-lake-monitor';
export { SageMakerEndpointMonitor } from './sagemaker-endpoint-monitor';
export type { ISageMakerEndpointMetrics, SageMakerEndpointMonitoringOptions } from './sagemaker-endpoint-monitor';
