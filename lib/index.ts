export * from './compute';
export * from './sites';
export * from './k8s';
