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
   * An Ingress for `host` with TLS from the Secret `tlsSecretName`, on the site's ingress class.
   * @param allowedClientCidrs sources the NetworkPolicy admits (the ingress controller's pods or load balancer)
   */
  public static ingress(host: string, tlsSecretName: string, allowedClientCidrs: string[] = PRIVATE_CLIENT_CIDRS): ServiceExposure {
    return new ServiceExposure(ExposureType.INGRESS, allowedClientCidrs, host, tlsSecretName);
  }

  private constructor(
    public readonly type: ExposureType,
    public readonly allowedClientCidrs: string[],
    public readonly host?: string,
    public readonly tlsSecretName?: string,
  ) {}
}
