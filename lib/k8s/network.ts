/** Private address ranges (RFC 1918): where in-VPC collectors, load balancers and on-premises clients come from. */
export const PRIVATE_CLIENT_CIDRS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'];
