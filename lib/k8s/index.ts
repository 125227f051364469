export * from './pod-security';
export * from './scheduling';
export * from './workload-namespace';
export * from './gpu-enablement';
export * from './quantity';
export * from './network';
