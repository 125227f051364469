export * from './inference-scaling';
export * from './model-source';
export * from './service-exposure';
export { AWS_PROMETHEUS_TRIGGER_AUTHENTICATION } from './keda-scaled-object';
export type { ScaledObjectOptions } from './keda-scaled-object';
export { MODEL_MOUNT_PATH, MODEL_SERVER_USER, SCRATCH_CACHE_PATH, SCRATCH_MOUNT_PATH, STARTUP_PROBE_PERIOD } from './model-server-pod';
export type { ModelServerPodOptions } from './model-server-pod';
export * from './inference-service';
export { SCRAPE_INTERVAL_SECONDS } from './scrape-config';
export * from './inference-autoscaling';
export * from './sagemaker-endpoint';
export * from './sagemaker-endpoint-props';
export {
  EndpointScaling, EndpointScalingOptions, EndpointScalingSignal, DEFAULT_INVOCATIONS_PER_INSTANCE, DEFAULT_ENDPOINT_MIN_CAPACITY,
  DEFAULT_ENDPOINT_MAX_CAPACITY, DEFAULT_SCALE_OUT_COOLDOWN, DEFAULT_SCALE_IN_COOLDOWN,
} from './sagemaker-scaling';
export {
  TrafficRouting, TrafficRoutingType, EndpointDeploymentOptions, DEFAULT_DEPLOYMENT_BAKE_TIME, DEFAULT_TERMINATION_WAIT,
  DEFAULT_MAX_MODEL_LATENCY, DEFAULT_MAX_5XX_ERRORS_PER_MINUTE,
} from './sagemaker-deployment';
export { GpuPlacement } from './site-gpu-demand';
export type { GpuDemand } from './site-gpu-demand';
export { ENDPOINT_INVOKE_ACTIONS } from './sagemaker-endpoint-ref';
export type { ISageMakerEndpoint } from './sagemaker-endpoint-ref';
export {
  KEDA_HTTP_ADD_ON_VERSION, KEDA_HTTP_ADD_ON_NAMESPACE, KEDA_HTTP_EXTERNAL_SCALER_ADDRESS, KEDA_HTTP_INTERCEPTOR_SERVICE, KEDA_HTTP_INTERCEPTOR_PORT,
  WAKE_SERVICE_SUFFIX,
} from './keda-http-add-on';
