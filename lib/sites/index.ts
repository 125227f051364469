export * from './kubernetes-site-interface';
export * from './site-base';
export * from './kubernetes-site';
export * from './eks-site';
export * from './site-heartbeat';
export * from './roles-anywhere-credentials';
export * from './manifest-patch';
