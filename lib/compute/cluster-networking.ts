/**
 * How a GpuCluster turns on NetworkPolicy enforcement, and the add-on settings that go with it.
 *
 * Sources: "Restrict Pod network traffic with Kubernetes network policies" (EKS User Guide,
 * cni-network-policy-configure: vpc-cni configuration value `{"enableNetworkPolicy": "true"}`);
 * "Use Network Policies with EKS Auto Mode" (auto-net-pol: ConfigMap `amazon-vpc-cni` in
 * kube-system with `enable-network-policy-controller: "true"`; the NodeClass `networkPolicy`
 * setting only changes the default, DefaultAllow, which the built-in NodeClass keeps);
 * "Configure add-ons for hybrid nodes" (hybrid-nodes-add-ons: eks-pod-identity-agent
 * configuration `{"daemonsets":{"hybrid":{"create": true}}}`).
 */
import { ApiObject } from 'cdk8s';
import { IKubernetesSite } from '../sites/kubernetes-site-interface';

/** vpc-cni add-on configuration: the network policy agent enforces NetworkPolicies on EC2 nodes. */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: 'true' };
/** eks-pod-identity-agent configuration that adds the DaemonSet for hybrid nodes (no IMDS there). */
export const POD_IDENTITY_AGENT_HYBRID_CONFIGURATION = { daemonsets: { hybrid: { create: true } } };
/** Chart id of the Auto Mode network policy switch. */
export const AUTO_MODE_NETWORK_POLICY_CHART = 'network-policy';

/**
 * Delivers the ConfigMap that turns on EKS Auto Mode's network policy controller; until it
 * exists, Auto Mode accepts NetworkPolicies but enforces none.
 */
export function addAutoModeNetworkPolicyChart(site: IKubernetesSite): void {
  const chart = site.newChart(AUTO_MODE_NETWORK_POLICY_CHART);
  new ApiObject(chart, 'EnableNetworkPolicyController', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'amazon-vpc-cni', namespace: 'kube-system' },
    data: { 'enable-network-policy-controller': 'true' },
  });
  site.addChart(chart);
}
