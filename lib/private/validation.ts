/**
 * Prop validation shared by every construct. Each check skips unresolved tokens (a value only
 * known at deploy time cannot be judged at synth) and throws a PropValidationError that names
 * the prop, the value and the fix.
 */
import { Annotations, Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropValidationError } from './errors';

/** Whether a value is a CDK token (unresolved until deploy time). */
export function isToken(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value);
}

/** Throws unless the value is an integer in [min, max]. Tokens and undefined pass. */
export function checkInteger(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number = Number.MAX_SAFE_INTEGER): void {
  if (value === undefined || isToken(value)) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
    throw new PropValidationError(scope, prop, value, `is not an integer ${range}`, `Set ${prop} to a whole number ${range}.`);
  }
}

/** Throws unless the value is a finite number in [min, max]. Tokens and undefined pass. */
export function checkNumber(scope: IConstruct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || isToken(value)) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new PropValidationError(scope, prop, value, `is outside ${min}..${max}`, `Set ${prop} to a number between ${min} and ${max}.`);
  }
}

/** Throws unless each named value is <= the next one (e.g. min <= desired <= max). Tokens and undefined are skipped. */
export function checkOrdered(scope: IConstruct, values: ReadonlyArray<[string, number | undefined]>): void {
  const known = values.filter(([, v]) => v !== undefined && !isToken(v)) as Array<[string, number]>;
  for (let i = 1; i < known.length; i++) {
    const [lowName, low] = known[i - 1];
    const [highName, high] = known[i];
    if (low > high) {
      throw new PropValidationError(scope, highName, high, `is less than ${lowName} (${low})`,
        `Keep ${values.map(([n]) => n).join(' <= ')}: raise ${highName} or lower ${lowName}.`);
    }
  }
}

const DNS_1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Throws unless the value is a DNS-1123 label (Kubernetes names: lowercase, digits, '-', <= maxLength). */
export function checkDnsLabel(scope: IConstruct, prop: string, value: string | undefined, maxLength = 63): void {
  if (value === undefined || isToken(value)) return;
  if (typeof value !== 'string' || value.length > maxLength || !DNS_1123_LABEL.test(value)) {
    throw new PropValidationError(scope, prop, value, `is not a DNS-1123 label of at most ${maxLength} characters`,
      `Use lowercase letters, digits and '-', starting and ending with a letter or digit (e.g. "llama-3-8b").`);
  }
}

/** Throws unless the array (when given) is non-empty. */
export function checkNonEmpty<T>(scope: IConstruct, prop: string, value: readonly T[] | undefined, fix: string): void {
  if (value !== undefined && (!Array.isArray(value) || value.length === 0)) {
    throw new PropValidationError(scope, prop, value, 'is empty', fix);
  }
}

/** Throws listing the first value that appears twice. */
export function checkUnique(scope: IConstruct, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const v of values) {
    if (isToken(v)) continue;
    if (seen.has(v)) throw new PropValidationError(scope, prop, values, `contains ${JSON.stringify(v)} twice`, `Give each entry of ${prop} a distinct value.`);
    seen.add(v);
  }
}

/** Adds a warning with a stable id (acknowledgeable with `Validations.of(scope).acknowledge`). */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`cdk-scalable-ai:${id}`, message);
}

/** Throws unless the string (when given) matches the pattern. Tokens and undefined pass. */
export function checkPattern(scope: IConstruct, prop: string, value: string | undefined, pattern: RegExp, rule: string, example: string): void {
  if (value === undefined || isToken(value)) return;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new PropValidationError(scope, prop, value, `is invalid: ${prop} must be ${rule}`, `Use a value such as ${JSON.stringify(example)}.`);
  }
}

/**
 * Throws unless the duration (when given) lies in [min, max]. Unresolved durations and
 * undefined pass. The message shows durations in human units (e.g. "25 hours").
 */
export function checkDurationRange(scope: IConstruct, prop: string, value: Duration | undefined, min: Duration, max: Duration): void {
  if (value === undefined || value.isUnresolved()) return;
  const ms = value.toMilliseconds({ integral: false });
  if (!Number.isFinite(ms) || ms < min.toMilliseconds({ integral: false }) || ms > max.toMilliseconds({ integral: false })) {
    throw new PropValidationError(scope, prop, value.toHumanString(), `is outside ${min.toHumanString()}..${max.toHumanString()}`,
      `Set ${prop} to a Duration between ${min.toHumanString()} and ${max.toHumanString()}.`);
  }
}

/** Throws unless the duration (when given) is a whole, non-negative number of days. Unresolved durations pass. */
export function checkWholeDays(scope: IConstruct, prop: string, value: Duration | undefined, minDays = 0): void {
  if (value === undefined || value.isUnresolved()) return;
  const days = value.toDays({ integral: false });
  if (!Number.isInteger(days) || days < minDays) {
    throw new PropValidationError(scope, prop, value.toHumanString(), `is not a whole number of days >= ${minDays}`,
      `Set ${prop} with Duration.days(n), n >= ${minDays}: S3 lifecycle rules count whole days.`);
  }
}

/** Throws unless the size (when given) lies in [minMiB, maxMiB] mebibytes. Unresolved sizes pass. */
export function checkSizeRange(scope: IConstruct, prop: string, value: Size | undefined, minMiB: number, maxMiB: number, why = ''): void {
  if (value === undefined || value.isUnresolved()) return;
  const mib = value.toKibibytes({ rounding: SizeRoundingBehavior.NONE }) / 1024;
  if (!Number.isFinite(mib) || mib < minMiB || mib > maxMiB) {
    throw new PropValidationError(scope, prop, `${mib} MiB`, `is outside ${minMiB}..${maxMiB} MiB${why}`,
      `Set ${prop} to Size.mebibytes(n) with ${minMiB} <= n <= ${maxMiB}.`);
  }
}

const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Throws unless the value is a Kubernetes label value (<= 63 characters). Tokens pass. */
export function checkLabelValue(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value !== undefined && isToken(value)) return;
  if (typeof value !== 'string' || !LABEL_VALUE.test(value)) {
    throw new PropValidationError(scope, prop, value, 'is not a valid label value',
      'Use letters, digits, "-", "_" and ".", at most 63 characters (e.g. "v3" or "2026-11-01").');
  }
}
