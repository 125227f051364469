import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { PropValidationError } from '../private/errors';
import { isPrivate, parseCidr } from '../private/cidr';
import { checkInteger } from '../private/validation';

/** How requests are split between the on-premises and the cloud endpoint. */
export enum RoutingMode {
  /** On-premises first; the cloud endpoint answers only while on-premises is unhealthy. */
  FAILOVER = 'failover',
  /** A share of requests always bursts to the cloud; none go on-premises while it is unhealthy. */
  WEIGHTED = 'weighted',
}

/** An endpoint clients are sent to: an IPv4 address (A record) or a DNS name (CNAME). */
export class RoutingTarget {
  public static ipAddress(address: string): RoutingTarget {
    return new RoutingTarget(route53.RecordType.A, address);
  }

  public static dnsName(name: string): RoutingTarget {
    return new RoutingTarget(route53.RecordType.CNAME, name);
  }

  private constructor(public readonly recordType: route53.RecordType, public readonly value: string) {}
}

/** How Route 53 decides the on-premises endpoint is healthy. */
export class EndpointHealthCheck {
  /**
   * Route 53 health checkers request `https://<fqdn>:<port><path>` from the internet, so the
   * endpoint must be publicly reachable.
   */
  public static https(fqdn: string, path: string = '/health', port: number = 443): EndpointHealthCheck {
    return new EndpointHealthCheck(fqdn, path, port);
  }

  /**
   * Healthy while a CloudWatch alarm is not in ALARM: for endpoints Route 53's checkers cannot
   * reach (private networks), e.g. an alarm on metrics the site publishes.
   */
  public static fromAlarm(alarm: cloudwatch.IAlarm): EndpointHealthCheck {
    return new EndpointHealthCheck(undefined, undefined, undefined, alarm);
  }

  private constructor(
    public readonly fqdn?: string,
    public readonly path?: string,
    public readonly port?: number,
    public readonly alarm?: cloudwatch.IAlarm,
  ) {}
}

/** Default share of requests the on-premises endpoint gets in WEIGHTED mode. */
export const DEFAULT_ON_PREMISES_WEIGHT = 80;
/** Short TTL so clients follow a failover within a minute. */
export const DEFAULT_ROUTING_TTL = Duration.seconds(30);

export interface BurstRoutingProps {
  readonly zone: route53.IHostedZone;
  /** Record name clients use, e.g. `llm` (relative to the zone). */
  readonly recordName: string;
  readonly onPremises: RoutingTarget;
  readonly cloud: RoutingTarget;
  readonly healthCheck: EndpointHealthCheck;
  /** @default RoutingMode.FAILOVER */
  readonly mode?: RoutingMode;
  /** Percent of requests (0..100) the on-premises record gets in WEIGHTED mode; the cloud gets the rest. @default DEFAULT_ON_PREMISES_WEIGHT (80) */
  readonly onPremisesWeight?: number;
  /** @default DEFAULT_ROUTING_TTL (30 seconds) */
  readonly ttl?: Duration;
}

/**
 * Bursting and failover between an on-premises inference endpoint and its cloud counterpart:
 * a Route 53 health check on the on-premises endpoint and failover (or weighted) records, so
 * clients use on-premises GPUs first and the cloud when those are busy or down.
 */
export class BurstRouting extends Construct {
  public readonly healthCheck: route53.HealthCheck;
  public readonly onPremisesRecord: route53.RecordSet;
  public readonly cloudRecord: route53.RecordSet;

  constructor(scope: Construct, id: string, props: BurstRoutingProps) {
    super(scope, id);
    const mode = props.mode ?? RoutingMode.FAILOVER;
    const weight = props.onPremisesWeight ?? DEFAULT_ON_PREMISES_WEIGHT;
    checkInteger(this, 'onPremisesWeight', weight, 0, 100);
    if (props.onPremises.recordType !== props.cloud.recordType) {
      throw new PropValidationError(this, 'onPremises', props.onPremises.value, `is a ${props.onPremises.recordType} target but cloud is a ${props.cloud.recordType} target`,
        'Records of one routing set must share a type: give both endpoints DNS names (RoutingTarget.dnsName) or both IP addresses.');
    }
    this.healthCheck = this.createHealthCheck(props.healthCheck);

    const common = { zone: props.zone, recordName: props.recordName, recordType: props.cloud.recordType, ttl: props.ttl ?? DEFAULT_ROUTING_TTL };
    const failover = mode === RoutingMode.FAILOVER;
    this.onPremisesRecord = new route53.RecordSet(this, 'OnPremises', {
      ...common,
      target: route53.RecordTarget.fromValues(props.onPremises.value),
      setIdentifier: 'on-premises',
      healthCheck: this.healthCheck,
      ...(failover ? { failover: route53.Failover.PRIMARY } : { weight }),
    });
    this.cloudRecord = new route53.RecordSet(this, 'Cloud', {
      ...common,
      target: route53.RecordTarget.fromValues(props.cloud.value),
      setIdentifier: 'cloud',
      ...(failover ? { failover: route53.Failover.SECONDARY } : { weight: 100 - weight }),
    });
  }

  private createHealthCheck(check: EndpointHealthCheck): route53.HealthCheck {
    if (check.alarm) {
      return new route53.HealthCheck(this, 'HealthCheck', {
        type: route53.HealthCheckType.CLOUDWATCH_METRIC,
        alarmIdentifier: { name: check.alarm.alarmName, region: check.alarm.stack.region },
        insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.LAST_KNOWN_STATUS,
      });
    }
    const fqdn = check.fqdn!;
    const asCidr = !Token.isUnresolved(fqdn) ? parseCidr(`${fqdn}/32`) : undefined;
    if (asCidr && isPrivate(asCidr)) {
      throw new PropValidationError(this, 'healthCheck', fqdn, 'is a private address that Route 53 health checkers on the internet cannot reach',
        'Use EndpointHealthCheck.fromAlarm(alarm) with an alarm on metrics the on-premises site publishes.');
    }
    checkInteger(this, 'healthCheck.port', check.port, 1, 65535);
    return new route53.HealthCheck(this, 'HealthCheck', {
      type: route53.HealthCheckType.HTTPS,
      fqdn,
      port: check.port,
      resourcePath: check.path,
      enableSNI: true,
      requestInterval: Duration.seconds(10),
      failureThreshold: 3,
    });
  }
}
