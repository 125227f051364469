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
 * extra match expressions (e.g. keeping pods off hybrid nodes).
 */
export function gpuNodeAffinity(
  site: IKubernetesSite,
  extraLabels: Readonly<Record<string, string>> = {},
  extraExpressions: k8s.NodeSelectorRequirement[] = [],
): k8s.Affinity {
  const labels = { ...site.gpuNodeLabels, ...extraLabels };
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{
          matchExpressions: [
            ...Object.entries(labels).map(([key, value]) => ({ key, operator: 'In', values: [value] })),
            ...extraExpressions,
          ],
        }],
      },
    },
  };
}
