export * from './kubernetes-site-interface';
export * from './site-base';
export * from './kubernetes-site';
export * from './eks-site';
export * from './site-heartbeat';
export * from './roles-anywhere-credentials';
export { ManifestPatch } from './manifest-patch';
export type { ManifestPatchTarget } from './manifest-patch';
