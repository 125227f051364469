/** Checks of SageMakerEndpoint props that the shared validation helpers do not cover. */
import { Duration } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import {
  ENVIRONMENT_KEY_PATTERN, MAX_ENVIRONMENT_ENTRIES, MAX_ENVIRONMENT_VALUE_LENGTH, SAGEMAKER_NAME_PATTERN,
} from './sagemaker-endpoint-props';
import { EndpointScaling } from './sagemaker-scaling';
import { PropValidationError } from '../private/errors';
import { checkDurationRange, checkInteger, checkPattern, isToken } from '../private/validation';

/** Throws unless the name follows SageMaker's naming rule. Tokens and undefined pass. */
export function checkSageMakerName(scope: IConstruct, prop: string, value: string | undefined): void {
  checkPattern(scope, prop, value, SAGEMAKER_NAME_PATTERN,
    '1-63 letters, digits and hyphens, starting and ending with a letter or digit', 'llama-3-8b-prod');
}

/** Throws unless the scaling target is positive and its bounds and cooldowns are sane. */
export function checkScaling(scope: IConstruct, scaling: EndpointScaling): void {
  const target = scaling.target;
  if (!isToken(target) && (typeof target !== 'number' || !Number.isFinite(target) || target <= 0)) {
    throw new PropValidationError(scope, 'scaling.target', target, 'is not a positive number',
      'Pass a positive target, e.g. EndpointScaling.invocationsPerInstance(70) or EndpointScaling.concurrency(4).');
  }
  checkInteger(scope, 'scaling.minCapacity', scaling.options.minCapacity, 0);
  checkInteger(scope, 'scaling.maxCapacity', scaling.options.maxCapacity, 1);
  checkDurationRange(scope, 'scaling.scaleOutCooldown', scaling.options.scaleOutCooldown, Duration.seconds(0), Duration.days(1));
  checkDurationRange(scope, 'scaling.scaleInCooldown', scaling.options.scaleInCooldown, Duration.seconds(0), Duration.days(1));
}

/** Throws unless the container environment fits CreateModel's limits. */
export function checkEnvironment(scope: IConstruct, environment: Record<string, string> | undefined): void {
  if (environment === undefined) return;
  const entries = Object.entries(environment);
  if (entries.length > MAX_ENVIRONMENT_ENTRIES) {
    throw new PropValidationError(scope, 'environment', `${entries.length} entries`, `has more than ${MAX_ENVIRONMENT_ENTRIES} entries`,
      'Move configuration into the model artifacts or a config file.');
  }
  for (const [key, value] of entries) {
    checkPattern(scope, `environment key ${JSON.stringify(key)}`, key, ENVIRONMENT_KEY_PATTERN,
      'a letter or "_" followed by letters, digits and "_"', 'HF_MODEL_ID');
    if (isToken(value)) continue;
    if (typeof value !== 'string' || value.length > MAX_ENVIRONMENT_VALUE_LENGTH) {
      throw new PropValidationError(scope, `environment.${key}`, value, `is not a string of at most ${MAX_ENVIRONMENT_VALUE_LENGTH} characters`,
        'Pass a shorter string value.');
    }
  }
}
