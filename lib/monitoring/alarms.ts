/** Alarm construction and threshold validation shared by the monitoring sections. */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';
import { checkInteger, checkNumber, isToken } from '../private/validation';

/** A threshold alarm: every alarm of the library states all of these on purpose. */
export interface ThresholdAlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparisonOperator: cloudwatch.ComparisonOperator;
  /** Periods looked at. */
  readonly evaluationPeriods: number;
  /** Breaching periods among them that fire the alarm. @default evaluationPeriods */
  readonly datapointsToAlarm?: number;
  readonly treatMissingData: cloudwatch.TreatMissingData;
  /** What is wrong and what to do, shown in notifications. */
  readonly description: string;
}

/** Creates a metric alarm from a spec (actions are added by PlatformMonitoring). */
export function thresholdAlarm(scope: Construct, id: string, spec: ThresholdAlarmSpec): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    metric: spec.metric,
    threshold: spec.threshold,
    comparisonOperator: spec.comparisonOperator,
    evaluationPeriods: spec.evaluationPeriods,
    datapointsToAlarm: spec.datapointsToAlarm ?? spec.evaluationPeriods,
    treatMissingData: spec.treatMissingData,
    alarmDescription: spec.description,
  });
}

/** Throws unless the percentage (when given) is a number in 0..100. */
export function checkPercent(scope: IConstruct, prop: string, value: number | undefined): void {
  checkNumber(scope, prop, value, 0, 100);
}

/** Throws unless the count (when given) is a whole number >= min. */
export function checkCount(scope: IConstruct, prop: string, value: number | undefined, min = 0): void {
  checkInteger(scope, prop, value, min);
}

/** Throws unless the value (when given) is a finite number > 0 and <= max. */
export function checkPositive(scope: IConstruct, prop: string, value: number | undefined, max: number): void {
  if (value === undefined || isToken(value)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new PropValidationError(scope, prop, value, `is not a number above 0 and at most ${max}`, `Set ${prop} to a number in (0, ${max}].`);
  }
}
