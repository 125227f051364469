/** Scheduling onto a site's GPU nodes: tolerations and node affinity from the site's declaration. */
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { IKubernetesSite, NodeTaint } from '../sites/kubernetes-site-interface';

/** Tolerations for every GPU taint of the site. */
export function gpuTolerations(taints: readonly NodeTaint[]): k8s.Toleration[] {
  return taints.map((t) => (t.value === undefined
    ? { key: t.key, operator: 'Exists', effect: t.effect }
    : { key: t.key, operator: 'Equal', value: t.value, effect: t.effect }));
}

/**
 * Required node affinity on the site's GPU node labels, plus extra label requirements and
 * extra match expressions (e.g. keeping pods off hybrid nodes). With `alternatives` (the node
 * selectors of the GPU capacities a workload is pinned to), a node must match one of them:
 * one node selector term each, all terms carrying the site's labels and the expressions.
 */
export function gpuNodeAffinity(
  site: IKubernetesSite,
  extraLabels: Readonly<Record<string, string>> = {},
  extraExpressions: k8s.NodeSelectorRequirement[] = [],
  alternatives: ReadonlyArray<Readonly<Record<string, string>>> = [{}],
): k8s.Affinity {
  const term = (alternative: Readonly<Record<string, string>>): k8s.NodeSelectorTerm => ({
    matchExpressions: [
      ...Object.entries({ ...site.gpuNodeLabels, ...extraLabels, ...alternative }).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
      ...extraExpressions,
    ],
  });
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: alternatives.map(term) },
    },
  };
}
