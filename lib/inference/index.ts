export * from './inference-scaling';
export * from './model-source';
export * from './service-exposure';
export * from './keda-scaled-object';
export * from './model-server-pod';
export * from './inference-service';
export * from './scrape-config';
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
export { isHostingInstanceType, knownHostingFamilies, hasLocalInstanceStorage } from './sagemaker-instance-types';
export { GpuPlacement } from './site-gpu-demand';
export type { GpuDemand } from './site-gpu-demand';
export { ENDPOINT_INVOKE_ACTIONS } from './sagemaker-endpoint-ref';
export type { ISageMakerEndpoint } from './sagemaker-endpoint-ref';
export {
  KEDA_HTTP_ADD_ON_VERSION, KEDA_HTTP_ADD_ON_NAMESPACE, KEDA_HTTP_EXTERNAL_SCALER_ADDRESS, KEDA_HTTP_INTERCEPTOR_SERVICE, KEDA_HTTP_INTERCEPTOR_PORT,
  WAKE_SERVICE_SUFFIX,
} from './keda-http-add-on';
