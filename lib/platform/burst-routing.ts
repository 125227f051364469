import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import { PropValidationError } from '../private/errors';
import { isPrivate, parseCidr } from '../private/cidr';
import { acknowledgeRule } from '../private/nag-acknowledgements';
import { checkInteger } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

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
   * Healthy while a CloudWatch alarm is OK: for endpoints Route 53's checkers cannot reach
   * (private networks), e.g. an alarm on metrics the site publishes. While the alarm has
   * insufficient data (its metric stopped) the endpoint counts as unhealthy, so give the alarm
   * `treatMissingData: BREACHING` when silence means the site is down.
   */
  public static fromAlarm(alarm: cloudwatch.IAlarm): EndpointHealthCheck {
    return new EndpointHealthCheck(undefined, undefined, undefined, alarm);
  }

  /**
   * Healthy while the site's heartbeat arrives: a metric the site publishes once a minute
   * (e.g. `KubernetesSite.metricHeartbeat()`). BurstRouting creates the alarm (`healthAlarm`):
   * ALARM when no data point arrived for `missedMinutes` consecutive minutes, missing data
   * breaching, so a dead site (or a dead publisher) fails over to the cloud.
   */
  public static fromHeartbeat(metric: cloudwatch.IMetric, options: HeartbeatOptions = {}): EndpointHealthCheck {
    return new EndpointHealthCheck(undefined, undefined, undefined, undefined, metric, options.missedMinutes);
  }

  private constructor(
    public readonly fqdn?: string,
    public readonly path?: string,
    public readonly port?: number,
    public readonly alarm?: cloudwatch.IAlarm,
    public readonly heartbeat?: cloudwatch.IMetric,
    public readonly missedMinutes?: number,
  ) {}
}

/** How a heartbeat health check tolerates gaps. */
export interface HeartbeatOptions {
  /**
   * Consecutive minutes without a heartbeat after which the site is unhealthy (1 to 60).
   * @default 3
   */
  readonly missedMinutes?: number;
}

/** Minutes without a heartbeat before failover: rides out one lost data point, fails over within about 4 minutes. */
export const DEFAULT_HEARTBEAT_MISSED_MINUTES = 3;
/** Longest gap allowed (an hour of silence is a dead site). */
export const MAX_HEARTBEAT_MISSED_MINUTES = 60;
/** The heartbeat is evaluated per minute (standard resolution, which Route 53 requires). */
export const HEARTBEAT_EVALUATION_PERIOD = Duration.minutes(1);

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
  /** Percent of requests (0..100) the on-premises record gets in WEIGHTED mode; the cloud gets the rest. @default 80 */
  readonly onPremisesWeight?: number;
  /** @default Duration.seconds(30) */
  readonly ttl?: Duration;
}

/**
 * Bursting and failover between an on-premises inference endpoint and its cloud counterpart:
 * a Route 53 health check on the on-premises endpoint and failover (or weighted) records, so
 * clients use on-premises GPUs first and the cloud when those are busy or down.
 */
export class BurstRouting extends Construct {
  public readonly healthCheck: route53.HealthCheck;
  /**
   * The heartbeat alarm behind the health check (with `EndpointHealthCheck.fromHeartbeat`).
   * Its consumer is the health check; `PlatformMonitoring.addAlarm(healthAlarm)` also pages.
   */
  public readonly healthAlarm?: cloudwatch.Alarm;
  public readonly onPremisesRecord: route53.RecordSet;
  public readonly cloudRecord: route53.RecordSet;

  constructor(scope: Construct, id: string, props: BurstRoutingProps) {
    super(scope, id);
    checkPropTypes(this, 'BurstRoutingProps', props);
    const mode = props.mode ?? RoutingMode.FAILOVER;
    const weight = props.onPremisesWeight ?? DEFAULT_ON_PREMISES_WEIGHT;
    checkInteger(this, 'onPremisesWeight', weight, 0, 100);
    if (props.onPremises.recordType !== props.cloud.recordType) {
      throw new PropValidationError(this, 'onPremises', props.onPremises.value, `is a ${props.onPremises.recordType} target but cloud is a ${props.cloud.recordType} target`,
        'Records of one routing set must share a type: give both endpoints DNS names (RoutingTarget.dnsName) or both IP addresses.');
    }
    if (props.healthCheck.heartbeat) this.healthAlarm = this.createHeartbeatAlarm(props.healthCheck);
    this.healthCheck = this.createHealthCheck(props.healthCheck, this.healthAlarm);

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

  private createHealthCheck(check: EndpointHealthCheck, heartbeatAlarm?: cloudwatch.IAlarm): route53.HealthCheck {
    const alarm = heartbeatAlarm ?? check.alarm;
    if (alarm) {
      return new route53.HealthCheck(this, 'HealthCheck', {
        type: route53.HealthCheckType.CLOUDWATCH_METRIC,
        alarmIdentifier: { name: alarm.alarmName, region: alarm.stack.region },
        // No data means the site stopped reporting: never keep a dead site healthy.
        insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.UNHEALTHY,
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

  /** ALARM after `missedMinutes` minutes without a heartbeat data point (missing data breaches). */
  private createHeartbeatAlarm(check: EndpointHealthCheck): cloudwatch.Alarm {
    const missed = check.missedMinutes ?? DEFAULT_HEARTBEAT_MISSED_MINUTES;
    checkInteger(this, 'healthCheck.missedMinutes', missed, 1, MAX_HEARTBEAT_MISSED_MINUTES);
    const stat = check.heartbeat!.toMetricConfig().metricStat;
    if (!stat) {
      throw new PropValidationError(this, 'healthCheck', 'a math expression', 'is not a plain metric: Route 53 health checks only follow alarms on a single standard-resolution metric',
        'Pass the heartbeat metric itself (namespace, name, dimensions), e.g. site.metricHeartbeat().');
    }
    // Count the data points per minute: 0 (missing) is a missed heartbeat, whatever the values.
    const arrivals = new cloudwatch.Metric({
      namespace: stat.namespace,
      metricName: stat.metricName,
      dimensionsMap: Object.fromEntries((stat.dimensions ?? []).map((d) => [d.name, String(d.value)])),
      statistic: cloudwatch.Stats.SAMPLE_COUNT,
      period: HEARTBEAT_EVALUATION_PERIOD,
      account: stat.account,
      region: stat.region,
    });
    const alarm = new cloudwatch.Alarm(this, 'HeartbeatAlarm', {
      metric: arrivals,
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: missed,
      datapointsToAlarm: missed,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      alarmDescription: `${this.node.path}: no heartbeat (${stat.namespace}/${stat.metricName}) for ${missed} minute(s); on-premises is unhealthy and clients go to the cloud.`,
    });
    acknowledgeRule(alarm, 'NIST.800.53.R5-CloudWatchAlarmAction',
      'The alarm drives the Route 53 health check (its consumer); notifications come from PlatformMonitoring.addAlarm(healthAlarm), which adds the platform topic.');
    return alarm;
  }
}
