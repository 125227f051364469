export * from './pod-security';
export * from './scheduling';
export * from './workload-namespace';
export * from './gpu-enablement';
export * from './quantity';
export * from './network';
export * from './cluster-network';
export * from './cloudwatch-dcgm-exporter';
export { AlbController, INTERNAL_ALB_INGRESS_CLASS, LOAD_BALANCER_TLS_POLICY } from './ingress-class';
