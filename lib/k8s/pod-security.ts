/**
 * Secure pod defaults shared by every chart: the Pod Security Standards "restricted" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
 */
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

/** Namespace label keys of Pod Security admission. */
export const POD_SECURITY_ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const POD_SECURITY_AUDIT_LABEL = 'pod-security.kubernetes.io/audit';
export const POD_SECURITY_WARN_LABEL = 'pod-security.kubernetes.io/warn';

/** Pod Security levels. */
export enum PodSecurityLevel {
  RESTRICTED = 'restricted',
  BASELINE = 'baseline',
  PRIVILEGED = 'privileged',
}

/** Labels that make Pod Security admission enforce, audit and warn at one level. */
export function podSecurityLabels(level: PodSecurityLevel): Record<string, string> {
  return {
    [POD_SECURITY_ENFORCE_LABEL]: level,
    [POD_SECURITY_AUDIT_LABEL]: level,
    [POD_SECURITY_WARN_LABEL]: level,
  };
}

/** UID model servers and helpers run as (any non-zero UID passes "restricted"). */
export const NON_ROOT_UID = 65532;

/** Container security context that passes the "restricted" profile. */
export function restrictedContainerSecurityContext(): k8s.SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    runAsUser: NON_ROOT_UID,
    runAsGroup: NON_ROOT_UID,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Pod security context that passes the "restricted" profile. */
export function restrictedPodSecurityContext(): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_UID,
    runAsGroup: NON_ROOT_UID,
    fsGroup: NON_ROOT_UID,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
