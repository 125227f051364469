import { PRIVATE_CLIENT_CIDRS } from '../k8s/network';

/** How clients reach an InferenceService. */
export enum ExposureType {
  /** In-cluster only (ClusterIP). */
  CLUSTER_IP = 'cluster-ip',
  /** An internal network load balancer (Service of type LoadBalancer, internal scheme). */
  INTERNAL_LOAD_BALANCER = 'internal-load-balancer',
  /** An Ingress with TLS on the site's ingress class. */
  INGRESS = 'ingress',
  /**
   * A Gateway with an HTTPS listener and an HTTPRoute (Kubernetes Gateway API), on the site's
   * gateway class: a canary gets a weight and a header match instead of a replica share.
   */
  GATEWAY = 'gateway',
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

  /**
   * A Gateway (Kubernetes Gateway API) for `host` on the site's gateway class, with an HTTPS
   * listener whose certificate is the Secret `tlsSecretName` in the service's namespace, and an
   * HTTPRoute to the model server (weighted between stable and canary, with the canary's
   * header match first). For implementations that read Secrets (Envoy Gateway, Istio, ...).
   * @param allowedClientCidrs sources the NetworkPolicy admits (the gateway's data plane)
   */
  public static gateway(host: string, tlsSecretName: string, allowedClientCidrs: string[] = PRIVATE_CLIENT_CIDRS): ServiceExposure {
    return new ServiceExposure(ExposureType.GATEWAY, allowedClientCidrs, host, tlsSecretName);
  }

  /**
   * A Gateway for `host` on an internal application load balancer (the AWS Load Balancer
   * Controller's Gateway API implementation: GpuCluster `awsLoadBalancerController.gatewayApi`)
   * with an HTTPS listener (port 443, certificate from ACM, TLS 1.3 policy), pod IPs as
   * targets, and an HTTPRoute to the model server (weighted between stable and canary, with
   * the canary's header match first).
   * @param certificateArn ACM certificate whose names cover `host`
   * @param allowedClientCidrs sources the NetworkPolicy admits (the load balancer's addresses in the VPC)
   */
  public static gatewayWithCertificate(host: string, certificateArn: string, allowedClientCidrs: string[] = PRIVATE_CLIENT_CIDRS): ServiceExposure {
    return new ServiceExposure(ExposureType.GATEWAY, allowedClientCidrs, host, undefined, certificateArn);
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
