/**
 * How a SageMakerEndpoint scales: the target-tracking signal (a class with static factories,
 * no unions in the public API), capacity bounds and cooldowns.
 */
import { Duration } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';

/** Invocations per instance (per minute) the default target tracking policy keeps. */
export const DEFAULT_INVOCATIONS_PER_INSTANCE = 70;
/** Minimum instances (or inference component copies) unless `minCapacity` says otherwise. */
export const DEFAULT_ENDPOINT_MIN_CAPACITY = 1;
/** Maximum instances (or copies) unless `maxCapacity` says otherwise (raised to minCapacity when that is larger). */
export const DEFAULT_ENDPOINT_MAX_CAPACITY = 2;
/** Scale-out cooldown: react quickly to load, GPU instances take minutes to come up anyway. */
export const DEFAULT_SCALE_OUT_COOLDOWN = Duration.minutes(1);
/** Scale-in cooldown: SageMaker's recommended 300 s, so a dip does not remove warm capacity. */
export const DEFAULT_SCALE_IN_COOLDOWN = Duration.minutes(5);

/** The signal a scaling policy tracks. */
export enum EndpointScalingSignal {
  /** Invocations per instance (or per inference component copy) per minute. */
  INVOCATIONS = 'INVOCATIONS',
  /** Concurrent requests per model (or per copy), high-resolution (10 s) metric. */
  CONCURRENCY = 'CONCURRENCY',
}

/** Bounds and cooldowns shared by every scaling choice. */
export interface EndpointScalingOptions {
  /**
   * Minimum instances (or inference component copies). 0 (scale to zero) needs
   * `inferenceComponent` on the endpoint: SageMaker scales to and from zero only there.
   *
   * @default 1
   */
  readonly minCapacity?: number;
  /**
   * Maximum instances (or inference component copies).
   *
   * @default - 2, raised to minCapacity when that is larger
   */
  readonly maxCapacity?: number;
  /**
   * Wait after a scale-out before the next one.
   *
   * @default Duration.minutes(1)
   */
  readonly scaleOutCooldown?: Duration;
  /**
   * Wait after a scale-in before the next one.
   *
   * @default Duration.minutes(5)
   */
  readonly scaleInCooldown?: Duration;
}

/** The target-tracking choice of a SageMakerEndpoint. */
export class EndpointScaling {
  /**
   * Keeps invocations per instance per minute near `target` (predefined
   * `SageMakerVariantInvocationsPerInstance`, or `SageMakerInferenceComponentInvocationsPerCopy`
   * with inference components).
   */
  public static invocationsPerInstance(target: number, options: EndpointScalingOptions = {}): EndpointScaling {
    return new EndpointScaling(EndpointScalingSignal.INVOCATIONS, target, options);
  }

  /**
   * Keeps concurrent requests per model near `target` (predefined high-resolution
   * `SageMakerVariantConcurrentRequestsPerModelHighResolution`, or
   * `SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution` with inference
   * components). Reacts within seconds: the right signal for LLM serving.
   */
  public static concurrency(target: number, options: EndpointScalingOptions = {}): EndpointScaling {
    return new EndpointScaling(EndpointScalingSignal.CONCURRENCY, target, options);
  }

  private constructor(
    /** The tracked signal. */
    public readonly signal: EndpointScalingSignal,
    /** The target value of the signal. */
    public readonly target: number,
    /** Bounds and cooldowns. */
    public readonly options: EndpointScalingOptions) {}

  /** The predefined Application Auto Scaling metric for a variant or an inference component. */
  public predefinedMetric(inferenceComponent: boolean): appscaling.PredefinedMetric {
    if (this.signal === EndpointScalingSignal.CONCURRENCY) {
      return inferenceComponent
        ? appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_CONCURRENT_REQUESTS_PER_COPY_HIGH_RESOLUTION
        : appscaling.PredefinedMetric.SAGEMAKER_VARIANT_CONCURRENT_REQUESTS_PER_MODEL_HIGH_RESOLUTION;
    }
    return inferenceComponent
      ? appscaling.PredefinedMetric.SAGEMAKER_INFERENCE_COMPONENT_INVOCATIONS_PER_COPY
      : appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE;
  }
}

/** The scaling of an endpoint that sets none. */
export function defaultEndpointScaling(): EndpointScaling {
  return EndpointScaling.invocationsPerInstance(DEFAULT_INVOCATIONS_PER_INSTANCE);
}
