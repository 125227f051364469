export * from './gpu-capacity';
export * from './kubernetes-version';
export * from './gpu-node-group';
export * from './gpu-cluster';
export * from './gpu-node-pool';
export * from './hybrid-nodes';
export * from './eks-quotas';
export * from './gpu-requirements';
