import { PRIVATE_CLIENT_CIDRS } from '../k8s/network';

/** How clients reach an InferenceService. */
export enum ExposureType {
  /** In-cluster only (ClusterIP). */
  CLUSTER_IP = 'cluster-ip',
  /** An internal network load balancer (Service of type LoadBalancer, internal scheme). */
  INTERNAL_LOAD_BALANCER = 'internal-load-balancer',
  /** An Ingress with TLS on the site's ingress class. */
  INGRESS = 'ingress',
}


/** Exposure of an InferenceService beyond its namespace. */
export class ServiceExposure {
  /** ClusterIP only: clients in the cluster (namespaces the workload namespace allows). */
  public static clusterIp(): ServiceExposure {
    return new ServiceExposure(ExposureType.CLUSTER_IP, PRIVATE_CLIENT_CIDRS);
  }

  /**
   * An internal load balancer in front of the Service, on the site's load balancer class.
   * @param allowedClientCidrs sources the NetworkPolicy admits (default: RFC 1918 ranges)
   */
  public static internalLoadBalancer(allowedClientCidrs: string[] = PRIVATE_CLIENT_CIDRS): ServiceExposure {
    return new ServiceExposure(ExposureType.INTERNAL_LOAD_BALANCER, allowedClientCidrs);
  }

  /**
   * An internal network load balancer with a TLS listener on port 443 (certificate from ACM,
   * TLS 1.3 policy), forwarding to the model server. Needs a site with AWS load balancers
   * (`awsLoadBalancers`: EKS Auto Mode or the AWS Load Balancer Controller).
   * @param certificateArn ACM certificate for the load balancer's DNS name
   * @param allowedClientCidrs sources the NetworkPolicy admits (default: RFC 1918 ranges)
   */
  public static internalLoadBalancerWithTls(certificateArn: string, allowedClientCidrs: string[] = PRIVATE_CLIENT_CIDRS): ServiceExposure {
    return new ServiceExposure(ExposureType.INTERNAL_LOAD_BALANCER, allowedClientCidrs, undefined, undefined, certificateArn);
  }

  /**
   * An Ingress for `host` with TLS from the Secret `tlsSecretName`, on the site's ingress class
   * (an in-cluster ingress controller such as ingress-nginx; an ALB ignores Secrets, see
   * `ingressWithCertificate`).
   * @param allowedClientCidrs sources the NetworkPolicy admits (the ingress controller's pods or load balancer)
   */
  public static ingress(host: string, tlsSecretName: string, allowedClientCidrs: string[] = PRIVATE_CLIENT_CIDRS): ServiceExposure {
    return new ServiceExposure(ExposureType.INGRESS, allowedClientCidrs, host, tlsSecretName);
  }

  /**
   * An Ingress for `host` on an internal application load balancer with an HTTPS listener
   * (port 443, certificate from ACM, TLS 1.3 policy) and pod IPs as targets. Needs a site with
   * AWS load balancers (`awsLoadBalancers`).
   * @param certificateArn ACM certificate whose names cover `host`
   * @param allowedClientCidrs sources the NetworkPolicy admits (the load balancer's addresses in the VPC)
   */
  public static ingressWithCertificate(host: string, certificateArn: string, allowedClientCidrs: string[] = PRIVATE_CLIENT_CIDRS): ServiceExposure {
    return new ServiceExposure(ExposureType.INGRESS, allowedClientCidrs, host, undefined, certificateArn);
  }

  private constructor(
    public readonly type: ExposureType,
    public readonly allowedClientCidrs: string[],
    public readonly host?: string,
    public readonly tlsSecretName?: string,
    /** ACM certificate of the load balancer's TLS listener. */
    public readonly certificateArn?: string,
  ) {}
}
