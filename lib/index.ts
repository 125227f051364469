export * from './compute';
export * from './data';
export * from './inference';
export * from './sites';
export * from './k8s';
