/**
 * The LeaderWorkerSet of a multi-node InferenceService: one group of pods per replica (a leader
 * that serves HTTP and `size - 1` workers), and the NetworkPolicy that lets a group's pods
 * reach each other.
 */
import { ApiObject, Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';

export const LEADER_WORKER_SET_API_VERSION = 'leaderworkerset.x-k8s.io/v1';
/** Label of a multi-node replica's pods: `leader` (serves HTTP) or `worker`. */
export const GROUP_ROLE_LABEL = 'cdk-scalable-ai.io/role';

export interface LeaderWorkerSetObjectOptions {
  readonly name: string;
  readonly namespace: string;
  readonly labels: Record<string, string>;
  /** Groups; undefined when KEDA owns the count. */
  readonly replicas?: number;
  /** Pods per group: the leader and size - 1 workers. */
  readonly size: number;
  readonly leaderTemplate: k8s.PodTemplateSpec;
  readonly workerTemplate: k8s.PodTemplateSpec;
}

/** The LeaderWorkerSet (scaled like a Deployment, by groups). */
export function addLeaderWorkerSetObject(chart: Chart, id: string, options: LeaderWorkerSetObjectOptions): ApiObject {
  return new ApiObject(chart, id, {
    apiVersion: LEADER_WORKER_SET_API_VERSION,
    kind: 'LeaderWorkerSet',
    metadata: { name: options.name, namespace: options.namespace, labels: options.labels },
    spec: {
      replicas: options.replicas,
      leaderWorkerTemplate: {
        size: options.size,
        // A group is one model: a failed pod takes its peers' shards with it, so the whole group restarts.
        restartPolicy: 'RecreateGroupOnPodRestart',
        // Plain JSON: the generated API objects' quantities and int-or-strings serialize through these.
        leaderTemplate: k8s.toJson_PodTemplateSpec(options.leaderTemplate),
        workerTemplate: k8s.toJson_PodTemplateSpec(options.workerTemplate),
      },
      // A new group must be ready before an old one goes: serving capacity never drops.
      rolloutStrategy: { type: 'RollingUpdate', rollingUpdateConfiguration: { maxUnavailable: 0, maxSurge: 1 } },
      // Workers are created with the leader: they wait for its address themselves.
      startupPolicy: 'LeaderCreated',
    },
  });
}

/**
 * Lets the pods of the service's groups reach each other (rendezvous and collective traffic
 * over TCP): on `ports`, or on every port when none are given (NCCL picks its ports at run
 * time). EFA traffic bypasses the kernel's IP stack, so NetworkPolicies do not apply to it.
 */
export function addGroupNetworkPolicy(chart: Chart, options: { name: string; namespace: string; selector: Record<string, string>; ports?: number[] }): void {
  new k8s.KubeNetworkPolicy(chart, 'AllowGroup', {
    metadata: { name: `allow-${options.name}-group`, namespace: options.namespace },
    spec: {
      podSelector: { matchLabels: options.selector },
      policyTypes: ['Ingress'],
      ingress: [{
        from: [{ podSelector: { matchLabels: options.selector } }],
        ports: options.ports?.map((port) => ({ protocol: 'TCP', port: k8s.IntOrString.fromNumber(port) })),
      }],
    },
  });
}
