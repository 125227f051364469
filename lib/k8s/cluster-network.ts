/**
 * Addresses in a cluster's network that NetworkPolicies must admit once the CNI enforces them.
 *
 * Sources: "Set up the Amazon EKS Pod Identity Agent" (the agent listens on 169.254.170.23 and
 * [fd00:ec2::23], port 80); EKS API KubernetesNetworkConfigRequest.serviceIpv4Cidr (without a
 * service CIDR, EKS assigns Service IPs from 10.100.0.0/16 or 172.20.0.0/16, and the kube-dns
 * Service takes the tenth address).
 */

/** The EKS Pod Identity agent's link-local addresses (IPv4 and IPv6). */
export const POD_IDENTITY_AGENT_CIDRS = ['169.254.170.23/32', 'fd00:ec2::23/128'];
/** Port of the EKS Pod Identity agent. */
export const POD_IDENTITY_AGENT_PORT = 80;
/**
 * The kube-dns Service IPs of EKS clusters without a custom service CIDR. Pods query this IP;
 * on EKS Auto Mode DNS answers on the node itself, with no CoreDNS pod a namespace selector
 * could match, so the policy must name the address.
 */
export const EKS_DEFAULT_CLUSTER_DNS_CIDRS = ['10.100.0.10/32', '172.20.0.10/32'];
/** DNS port (UDP and TCP). */
export const DNS_PORT = 53;
