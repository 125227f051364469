export { NON_ROOT_UID, POD_SECURITY_AUDIT_LABEL, POD_SECURITY_ENFORCE_LABEL, POD_SECURITY_WARN_LABEL, PodSecurityLevel } from './pod-security';
export { DEFAULT_CONTAINER_CPU_REQUEST, DEFAULT_CONTAINER_MEMORY, NAMESPACE_NAME_LABEL, WorkloadNamespace } from './workload-namespace';
export type { WorkloadNamespaceProps } from './workload-namespace';
export * from './gpu-enablement';
export * from './network';
export * from './cluster-network';
export * from './cloudwatch-dcgm-exporter';
export { AlbController, INTERNAL_ALB_INGRESS_CLASS, LOAD_BALANCER_TLS_POLICY } from './ingress-class';
