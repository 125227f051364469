export { InferenceScaling, ModelServerMetrics, ScaleToZero, ScalingSignal, WakeUpSignal } from './inference-scaling';
export type { PrometheusScalingOptions, ScalingBehavior, ScalingQueryContext } from './inference-scaling';
export * from './model-source';
export * from './service-exposure';
export { InferenceService } from './inference-service';
export { MultiNodeLaunch, MultiNodeServing } from './multi-node-serving';
export type { CustomMultiNodeOptions, VllmMultiNodeOptions } from './multi-node-serving';
export type { CanaryHeaderMatch, CanaryRelease, InferenceServiceOptions, InferenceServiceProps } from './inference-service';
export type { EndpointPickerOptions } from './endpoint-picker';
export { InferenceAutoscaling } from './inference-autoscaling';
export type { InferenceAutoscalingOptions, InferenceAutoscalingProps } from './inference-autoscaling';
export { SageMakerEndpoint } from './sagemaker-endpoint';
export { DataCaptureContent } from './sagemaker-endpoint-props';
export type {
  DataCaptureOptions, InferenceComponentOptions, ModelDataLocation, SageMakerEndpointOptions, SageMakerEndpointProps,
} from './sagemaker-endpoint-props';
export { EndpointScaling, EndpointScalingOptions, EndpointScalingSignal } from './sagemaker-scaling';
export { TrafficRouting, TrafficRoutingType, EndpointDeploymentOptions } from './sagemaker-deployment';
export { GpuPlacement } from './site-gpu-demand';
export type { GpuDemand } from './site-gpu-demand';
export type { ISageMakerEndpoint } from './sagemaker-endpoint-ref';
