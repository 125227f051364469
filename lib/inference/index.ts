export * from './inference-scaling';
export * from './model-source';
export * from './service-exposure';
export * from './keda-scaled-object';
export * from './model-server-pod';
export * from './inference-service';
export * from './scrape-config';
export * from './inference-autoscaling';
