export { PodSecurityLevel } from './pod-security';
export { WorkloadNamespace } from './workload-namespace';
export type { WorkloadNamespaceProps } from './workload-namespace';
export { GpuEnablement } from './gpu-enablement';
export type { GpuEnablementProps } from './gpu-enablement';
export { AlbController } from './ingress-class';
export { ConformanceEvidence } from './conformance-evidence';
export type { ConformanceEvidenceProps } from './conformance-evidence';
