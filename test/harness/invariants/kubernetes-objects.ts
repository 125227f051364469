/** Reading Kubernetes objects the way the API server and kubelet will: pods inside workloads. */
import { KubernetesObject } from '../kubernetes-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** The pods a workload object creates. */
export interface PodUse {
  readonly owner: KubernetesObject;
  readonly namespace: string;
  readonly serviceAccountName: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: any;
}

/** Where each workload kind keeps its pod templates. */
export function podTemplatesOf(object: KubernetesObject): Array<{ metadata?: any; spec?: any }> {
  const spec = object.spec as any;
  switch (object.kind) {
    case 'Pod': return [{ metadata: object.metadata, spec }];
    case 'Deployment': case 'StatefulSet': case 'DaemonSet': case 'ReplicaSet': case 'Job': return [spec?.template];
    case 'CronJob': return [spec?.jobTemplate?.spec?.template];
    // Without a leaderTemplate the leader is created from the workerTemplate.
    case 'LeaderWorkerSet': return [spec?.leaderWorkerTemplate?.leaderTemplate, spec?.leaderWorkerTemplate?.workerTemplate].filter((t) => t !== undefined);
    default: return [];
  }
}

/** The pods a workload object creates, one use per pod template (a LeaderWorkerSet has two). */
export function podsOf(object: KubernetesObject): PodUse[] {
  return podTemplatesOf(object).filter((template) => template?.spec).map((template) => ({
    owner: object,
    namespace: object.metadata?.namespace ?? 'default',
    serviceAccountName: template.spec.serviceAccountName ?? 'default',
    labels: template.metadata?.labels ?? {},
    annotations: template.metadata?.annotations ?? {},
    spec: template.spec,
  }));
}

export function allContainers(pod: PodUse): any[] {
  return [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
}

export function describeObject(object: KubernetesObject): string {
  return `${object.kind} ${object.metadata?.namespace ? `${object.metadata.namespace}/` : ''}${object.metadata?.name}`;
}

/** API group of an apiVersion ("" for the core group). */
export function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
}
