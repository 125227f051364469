export * from './compute';
export * from './data';
export * from './inference';
export * from './monitoring';
export * from './sites';
export * from './k8s';
export * from './platform';
