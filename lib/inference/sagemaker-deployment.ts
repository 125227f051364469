/**
 * Safe rollout of a SageMakerEndpoint: blue/green traffic shifting (all at once, canary,
 * linear) with alarm-driven automatic rollback. Rendered as the endpoint's `DeploymentConfig`,
 * or as an inference component's rolling update when the endpoint hosts inference components.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';
import { checkDurationRange, checkInteger } from '../private/validation';

/** Baking time after each traffic shift, while the rollback alarms watch the new fleet. */
export const DEFAULT_DEPLOYMENT_BAKE_TIME = Duration.minutes(5);
/** Wait before the old fleet is terminated after the last shift (SageMaker's own default). */
export const DEFAULT_TERMINATION_WAIT = Duration.seconds(0);
/** p90 model latency above which the default latency alarm fires (and a deployment rolls back). */
export const DEFAULT_MAX_MODEL_LATENCY = Duration.seconds(30);
/** 5XX errors per minute above which the default error alarm fires (any error counts). */
export const DEFAULT_MAX_5XX_ERRORS_PER_MINUTE = 0;
/** Limits of SageMaker's blue/green settings (UpdateEndpoint DeploymentConfig). */
export const MAX_DEPLOYMENT_WAIT = Duration.hours(1);
export const MIN_DEPLOYMENT_TIMEOUT = Duration.minutes(10);
export const MAX_DEPLOYMENT_TIMEOUT = Duration.hours(8);
/** Canary sizes SageMaker accepts, in percent of the variant's capacity. */
export const CANARY_SIZE_PERCENT_RANGE: readonly [number, number] = [1, 50];
/** Linear step sizes SageMaker accepts, in percent of the variant's capacity. */
export const LINEAR_STEP_PERCENT_RANGE: readonly [number, number] = [10, 50];

/** How blue/green shifts traffic (the `TrafficRoutingConfiguration` type). */
export enum TrafficRoutingType {
  /** All traffic to the new fleet in one step. */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
  /** A canary share first, the rest after the wait. */
  CANARY = 'CANARY',
  /** Equal steps with a wait between them. */
  LINEAR = 'LINEAR',
}

/** The traffic shifting of a blue/green deployment. */
export class TrafficRouting {
  /** Shifts all traffic at once, then bakes `bakeTime` with the rollback alarms watching. */
  public static allAtOnce(bakeTime: Duration = DEFAULT_DEPLOYMENT_BAKE_TIME): TrafficRouting {
    return new TrafficRouting(TrafficRoutingType.ALL_AT_ONCE, bakeTime);
  }

  /** Shifts `sizePercent` (a whole number, 1-50) of the capacity first, waits `wait`, then shifts the rest. */
  public static canary(sizePercent: number, wait: Duration = DEFAULT_DEPLOYMENT_BAKE_TIME): TrafficRouting {
    return new TrafficRouting(TrafficRoutingType.CANARY, wait, sizePercent);
  }

  /** Shifts `stepPercent` (a whole number, 10-50) of the capacity per step, waiting `wait` between steps. */
  public static linear(stepPercent: number, wait: Duration = DEFAULT_DEPLOYMENT_BAKE_TIME): TrafficRouting {
    return new TrafficRouting(TrafficRoutingType.LINEAR, wait, stepPercent);
  }

  private constructor(
    /** The routing type. */
    public readonly type: TrafficRoutingType,
    /** Wait (bake) after each shift. */
    public readonly wait: Duration,
    /** Canary size or linear step in percent of the capacity; undefined for all at once. */
    public readonly sizePercent?: number) {}
}

/** Blue/green deployment of model or configuration changes. */
export interface EndpointDeploymentOptions {
  /**
   * How traffic moves to the new fleet.
   *
   * @default TrafficRouting.allAtOnce(Duration.minutes(5))
   */
  readonly trafficRouting?: TrafficRouting;
  /**
   * Wait after the last shift before the old fleet is terminated (0 to 1 hour).
   *
   * @default Duration.seconds(0)
   */
  readonly terminationWait?: Duration;
  /**
   * Time limit of the whole deployment (10 minutes to 8 hours); must exceed the waits.
   *
   * @default - SageMaker's default
   */
  readonly maximumExecutionTimeout?: Duration;
  /**
   * p90 model latency above which the default latency alarm fires.
   *
   * @default Duration.seconds(30)
   */
  readonly maxModelLatency?: Duration;
  /**
   * Invocation 5XX errors per minute above which the default error alarm fires.
   *
   * @default - 0: any error fires the alarm
   */
  readonly max5xxErrorsPerMinute?: number;
  /**
   * More alarms that roll a deployment back, besides the default 5XX and latency alarms.
   *
   * @default - none
   */
  readonly rollbackAlarms?: cloudwatch.IAlarm[];
}

/** Validates the deployment options; throws naming the prop. */
export function validateDeployment(scope: IConstruct, options: EndpointDeploymentOptions): void {
  const routing = options.trafficRouting;
  if (routing) {
    checkDurationRange(scope, 'deployment.trafficRouting.wait', routing.wait, Duration.seconds(0), MAX_DEPLOYMENT_WAIT);
    if (routing.type === TrafficRoutingType.CANARY) {
      checkInteger(scope, 'deployment.trafficRouting.sizePercent', routing.sizePercent, ...CANARY_SIZE_PERCENT_RANGE);
    } else if (routing.type === TrafficRoutingType.LINEAR) {
      checkInteger(scope, 'deployment.trafficRouting.sizePercent', routing.sizePercent, ...LINEAR_STEP_PERCENT_RANGE);
    }
  }
  checkDurationRange(scope, 'deployment.terminationWait', options.terminationWait, Duration.seconds(0), MAX_DEPLOYMENT_WAIT);
  checkDurationRange(scope, 'deployment.maximumExecutionTimeout', options.maximumExecutionTimeout, MIN_DEPLOYMENT_TIMEOUT, MAX_DEPLOYMENT_TIMEOUT);
  checkDurationRange(scope, 'deployment.maxModelLatency', options.maxModelLatency, Duration.millis(1), Duration.hours(1));
  checkInteger(scope, 'deployment.max5xxErrorsPerMinute', options.max5xxErrorsPerMinute, 0);

  const timeout = options.maximumExecutionTimeout;
  const waits = [routing?.wait ?? DEFAULT_DEPLOYMENT_BAKE_TIME, options.terminationWait ?? DEFAULT_TERMINATION_WAIT];
  if (timeout && !timeout.isUnresolved() && waits.every((w) => !w.isUnresolved())) {
    const waited = waits.reduce((sum, w) => sum + w.toSeconds(), 0);
    if (timeout.toSeconds() <= waited) {
      throw new PropValidationError(scope, 'deployment.maximumExecutionTimeout', timeout.toHumanString(),
        `does not exceed the deployment's waits (${waited} seconds)`,
        'Raise maximumExecutionTimeout or shorten the traffic routing wait and terminationWait.');
    }
  }
}

function capacityPercent(value: number): sagemaker.CfnEndpoint.CapacitySizeProperty {
  return { type: 'CAPACITY_PERCENT', value };
}

/** The endpoint's blue/green `DeploymentConfig`. */
export function renderEndpointDeployment(options: EndpointDeploymentOptions, alarmNames: string[]): sagemaker.CfnEndpoint.DeploymentConfigProperty {
  const routing = options.trafficRouting ?? TrafficRouting.allAtOnce();
  const trafficRoutingConfiguration: sagemaker.CfnEndpoint.TrafficRoutingConfigProperty = {
    type: routing.type,
    waitIntervalInSeconds: routing.wait.toSeconds(),
    canarySize: routing.type === TrafficRoutingType.CANARY ? capacityPercent(routing.sizePercent!) : undefined,
    linearStepSize: routing.type === TrafficRoutingType.LINEAR ? capacityPercent(routing.sizePercent!) : undefined,
  };
  return {
    blueGreenUpdatePolicy: {
      trafficRoutingConfiguration,
      terminationWaitInSeconds: (options.terminationWait ?? DEFAULT_TERMINATION_WAIT).toSeconds(),
      maximumExecutionTimeoutInSeconds: options.maximumExecutionTimeout?.toSeconds(),
    },
    autoRollbackConfiguration: { alarms: alarmNames.map((alarmName) => ({ alarmName })) },
  };
}

/**
 * An inference component's `DeploymentConfig`: SageMaker updates inference components with
 * rolling updates (one copy per batch here), watched by the same rollback alarms. Canary and
 * linear routing apply to whole fleets only and are rejected for inference components.
 */
export function renderInferenceComponentDeployment(scope: IConstruct, options: EndpointDeploymentOptions, alarmNames: string[]):
sagemaker.CfnInferenceComponent.InferenceComponentDeploymentConfigProperty {
  const routing = options.trafficRouting ?? TrafficRouting.allAtOnce();
  if (routing.type !== TrafficRoutingType.ALL_AT_ONCE) {
    throw new PropValidationError(scope, 'deployment.trafficRouting', routing.type, 'is not available with inference components',
      'Use TrafficRouting.allAtOnce(bakeTime): SageMaker updates inference components copy by copy (rolling update).');
  }
  if (options.terminationWait !== undefined) {
    throw new PropValidationError(scope, 'deployment.terminationWait', options.terminationWait.toHumanString(),
      'is not available with inference components', 'Remove terminationWait: rolling updates of inference components replace copies in place.');
  }
  return {
    rollingUpdatePolicy: {
      maximumBatchSize: { type: 'COPY_COUNT', value: 1 },
      waitIntervalInSeconds: routing.wait.toSeconds(),
      maximumExecutionTimeoutInSeconds: options.maximumExecutionTimeout?.toSeconds(),
    },
    autoRollbackConfiguration: { alarms: alarmNames.map((alarmName) => ({ alarmName })) },
  };
}
