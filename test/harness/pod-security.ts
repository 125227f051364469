/**
 * Checks the Pod Security Standards "restricted" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/) on every workload
 * outside namespaces labelled privileged. Only GPU system daemons may live in those.
 */
import { podTemplatesOf } from './invariants/kubernetes-objects';
import { describeObject, KubernetesObject } from './kubernetes-schemas';

const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

/** Volume types the restricted profile allows. */
const RESTRICTED_VOLUME_TYPES = new Set([
  'configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret',
]);

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Namespaces declared privileged by Namespace objects among the manifests. */
export function privilegedNamespaces(objects: readonly KubernetesObject[]): Set<string> {
  return new Set(objects
    .filter((o) => o.kind === 'Namespace' && o.metadata?.labels?.[ENFORCE_LABEL] === 'privileged')
    .map((o) => o.metadata!.name!));
}

function containerViolations(pod: any, container: any): string[] {
  const v: string[] = [];
  const sc = container.securityContext ?? {};
  const name = `container ${container.name}`;
  if (sc.privileged === true) v.push(`${name}: privileged`);
  if (sc.allowPrivilegeEscalation !== false) v.push(`${name}: allowPrivilegeEscalation must be false`);
  const runAsNonRoot = sc.runAsNonRoot ?? pod.securityContext?.runAsNonRoot;
  if (runAsNonRoot !== true) v.push(`${name}: runAsNonRoot must be true`);
  const runAsUser = sc.runAsUser ?? pod.securityContext?.runAsUser;
  if (runAsUser === 0) v.push(`${name}: runAsUser 0`);
  const seccomp = sc.seccompProfile?.type ?? pod.securityContext?.seccompProfile?.type;
  if (seccomp !== 'RuntimeDefault' && seccomp !== 'Localhost') v.push(`${name}: seccompProfile must be RuntimeDefault or Localhost`);
  const drop: string[] = sc.capabilities?.drop ?? [];
  if (!drop.includes('ALL')) v.push(`${name}: capabilities must drop ALL`);
  const add: string[] = sc.capabilities?.add ?? [];
  for (const cap of add) if (cap !== 'NET_BIND_SERVICE') v.push(`${name}: adds capability ${cap}`);
  for (const port of container.ports ?? []) if (port.hostPort) v.push(`${name}: hostPort ${port.hostPort}`);
  if (sc.procMount && sc.procMount !== 'Default') v.push(`${name}: procMount ${sc.procMount}`);
  return v;
}

/** Violations of the restricted profile by one pod spec. */
export function restrictedViolations(pod: any): string[] {
  const v: string[] = [];
  if (pod.hostNetwork) v.push('hostNetwork');
  if (pod.hostPID) v.push('hostPID');
  if (pod.hostIPC) v.push('hostIPC');
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== 'name');
    if (type && !RESTRICTED_VOLUME_TYPES.has(type)) v.push(`volume ${volume.name}: type ${type} not allowed`);
  }
  for (const sysctl of pod.securityContext?.sysctls ?? []) v.push(`sysctl ${sysctl.name}`);
  const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? []), ...(pod.ephemeralContainers ?? [])];
  for (const c of containers) v.push(...containerViolations(pod, c));
  return v;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Throws listing every workload that breaks the restricted profile outside privileged
 * namespaces (those labelled privileged among the objects, plus `extraPrivileged`).
 */
export function expectRestrictedPods(objects: readonly KubernetesObject[], extraPrivileged: string[] = []): void {
  const privileged = new Set([...privilegedNamespaces(objects), ...extraPrivileged]);
  const problems: string[] = [];
  for (const obj of objects) {
    if (privileged.has(obj.metadata?.namespace ?? 'default')) continue;
    for (const template of podTemplatesOf(obj)) {
      if (!template?.spec) continue;
      for (const violation of restrictedViolations(template.spec)) problems.push(`${describeObject(obj)}: ${violation}`);
    }
  }
  if (problems.length > 0) {
    throw new Error(`Workloads break the Pod Security "restricted" profile:\n- ${problems.join('\n- ')}`);
  }
}
