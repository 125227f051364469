/**
 * The EFA device plugin (aws/eks-charts `aws-efa-k8s-device-plugin`): a DaemonSet on the nodes
 * of EFA-enabled node groups that advertises their Elastic Fabric Adapter devices as
 * `vpc.amazonaws.com/efa`, so a pod that requests them gets the devices (`/dev/infiniband`)
 * without running privileged. The plugin itself is privileged (it registers with the kubelet
 * through a hostPath socket): it runs in kube-system, as the GPU device plugin does.
 */
import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { gpuTolerations } from './scheduling';
import { EksSite } from '../sites/eks-site';

/** Extended resource of the Elastic Fabric Adapter devices the EFA device plugin advertises. */
export const EFA_RESOURCE = 'vpc.amazonaws.com/efa';
/** Label of the nodes of EFA-enabled node groups: the plugin runs there only. */
export const EFA_PRESENT_LABEL = 'vpc.amazonaws.com/efa.present';
/** Chart version (aws/eks-charts; the "v" is part of it), image v0.5.20. */
const EFA_DEVICE_PLUGIN_CHART_VERSION = 'v0.5.30';

const installed = new WeakMap<EksSite, eks.HelmChart>();

/** Installs the EFA device plugin on the site's cluster once; returns the release. */
export function ensureEfaDevicePlugin(site: EksSite): eks.HelmChart {
  const existing = installed.get(site);
  if (existing) return existing;
  const release = site.cluster.addHelmChart('EfaDevicePlugin', {
    chart: 'aws-efa-k8s-device-plugin',
    repository: 'https://aws.github.io/eks-charts',
    release: 'aws-efa-k8s-device-plugin',
    version: EFA_DEVICE_PLUGIN_CHART_VERSION,
    namespace: 'kube-system',
    timeout: Duration.minutes(10),
    values: {
      // The chart tolerates only CriticalAddonsOnly: without the GPU taint's toleration the
      // plugin never runs on GPU nodes and no pod gets EFA devices.
      tolerations: gpuTolerations(site.gpuNodeTaints),
      nodeSelector: { [EFA_PRESENT_LABEL]: 'true' },
    },
  });
  installed.set(site, release);
  return release;
}
