/**
 * Prop validation shared by every construct. Each check skips unresolved tokens (a value only
 * known at deploy time cannot be judged at synth) and throws a PropValidationError that names
 * the prop, the value and the fix.
 */
import { Annotations, Duration, Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropValidationError } from './errors';
import { MIG_PARTITION_COUNTS } from './gpu-catalog';

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

/**
 * Returns the key prefix without a trailing `/`; throws when it is empty, starts with `/`, is an
 * S3 URI or holds wildcards (which would widen the grants). Tokens pass unchanged.
 */
export function normalizeKeyPrefix(scope: IConstruct, prop: string, value: string): string {
  if (isToken(value)) return value;
  const fix = 'Pass a key prefix relative to the zone bucket, e.g. "llama-3-8b/v3" (no leading "/", no "s3://", no wildcards).';
  if (typeof value !== 'string' || value.replace(/\/+$/, '') === '') {
    throw new PropValidationError(scope, prop, value, 'is empty', fix);
  }
  if (value.startsWith('/')) throw new PropValidationError(scope, prop, value, 'starts with "/"', fix);
  if (/^s3:\/\//i.test(value)) throw new PropValidationError(scope, prop, value, 'is an S3 URI, not a key prefix', fix);
  if (/[*?]/.test(value)) throw new PropValidationError(scope, prop, value, 'contains a wildcard', fix);
  return value.replace(/\/+$/, '');
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const DNS_1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Throws unless the key is a Kubernetes label (or taint) key: `[prefix/]name`, prefix a DNS subdomain. Tokens pass. */
export function checkLabelKey(scope: IConstruct, prop: string, key: string): void {
  if (isToken(key)) return;
  const slash = typeof key === 'string' ? key.lastIndexOf('/') : -1;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (typeof key !== 'string' || !LABEL_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_1123_SUBDOMAIN.test(prefix)))) {
    throw new PropValidationError(scope, prop, key, 'is not a Kubernetes label key',
      'Use an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric (e.g. "example.com/gpu-pool").');
  }
}

/** Checks every key and value of a label map. */
export function checkLabels(scope: IConstruct, prop: string, labels: Record<string, string> | undefined): void {
  for (const [key, value] of Object.entries(labels ?? {})) {
    checkLabelKey(scope, `${prop} key`, key);
    if (value !== '') checkLabelValue(scope, `${prop}.${key}`, value);
  }
}

const IMAGE_PATH_COMPONENT = /^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*$/;
const REGISTRY_HOST = /^(localhost|[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*)(:[0-9]+)?$/;

/**
 * Throws unless the value is a container image reference as the container runtimes parse it:
 * `[registry[:port]/]path[:tag][@sha256:digest]`, lowercase path, no scheme. Tokens pass.
 */
export function checkImageReference(scope: IConstruct, prop: string, value: string | undefined, example = 'vllm/vllm-openai:v0.11.0'): void {
  if (value === undefined || isToken(value)) return;
  const fix = `Give an image reference without a scheme, e.g. "${example}" or "111122223333.dkr.ecr.eu-west-1.amazonaws.com/llm:1.0".`;
  if (typeof value !== 'string' || value === '') throw new PropValidationError(scope, prop, value, 'is not an image reference', fix);
  if (/^[a-z]+:\/\//i.test(value)) throw new PropValidationError(scope, prop, value, 'has a URL scheme, which image references do not', fix);
  const [withoutDigest, digest] = value.split('@');
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new PropValidationError(scope, prop, value, 'has a digest that is not sha256:<64 hex digits>', fix);
  }
  const components = withoutDigest.split('/');
  const first = components[0];
  const hasRegistry = components.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry && !REGISTRY_HOST.test(first)) throw new PropValidationError(scope, prop, value, `has an invalid registry host "${first}"`, fix);
  const path = hasRegistry ? components.slice(1) : components;
  const last = path[path.length - 1] ?? '';
  const colon = last.indexOf(':');
  const tag = colon >= 0 ? last.slice(colon + 1) : undefined;
  path[path.length - 1] = colon >= 0 ? last.slice(0, colon) : last;
  const badComponent = path.find((c) => !IMAGE_PATH_COMPONENT.test(c));
  if (badComponent !== undefined) {
    throw new PropValidationError(scope, prop, value, `has an invalid repository path component "${badComponent}" (lowercase letters, digits, ".", "_", "-" only)`, fix);
  }
  if (tag !== undefined && !/^[\w][\w.-]{0,127}$/.test(tag)) throw new PropValidationError(scope, prop, value, `has an invalid tag "${tag}"`, fix);
}

/** Throws unless the value is a registry host with an optional port and path, without a scheme or trailing "/". Tokens pass. */
export function checkRegistryMirror(scope: IConstruct, prop: string, value: string | undefined): void {
  if (value === undefined || isToken(value)) return;
  const [host, ...path] = typeof value === 'string' ? value.split('/') : [];
  if (typeof value !== 'string' || !REGISTRY_HOST.test(host ?? '') || path.some((c) => !IMAGE_PATH_COMPONENT.test(c))) {
    throw new PropValidationError(scope, prop, value, 'is not a registry host (with optional port and path)',
      'Give the mirror as images are prefixed with it, without "https://" or a trailing "/", e.g. "registry.lab.internal:5000/dockerhub".');
  }
}

/** Kubernetes namespaces a workload namespace of the library must not be (it labels them restricted and denies their traffic). */
const RESERVED_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

/** Throws unless the namespace is a DNS label that is not a Kubernetes system namespace or `default`. */
export function checkWorkloadNamespace(scope: IConstruct, prop: string, namespace: string | undefined): void {
  checkDnsLabel(scope, prop, namespace);
  if (namespace === undefined || isToken(namespace)) return;
  if (RESERVED_NAMESPACES.includes(namespace)) {
    throw new PropValidationError(scope, prop, namespace, 'is a namespace Kubernetes or other workloads own',
      'Use a namespace of its own (e.g. "inference"): the library enforces the restricted Pod Security profile and default-deny NetworkPolicies on it.');
  }
}

/** Throws unless the value is an EKS cluster or node group name (1..maxLength, starting alphanumeric, letters, digits, "-", "_"). */
export function checkEksName(scope: IConstruct, prop: string, value: string | undefined, maxLength: number): void {
  checkPattern(scope, prop, value, new RegExp(`^[0-9A-Za-z][A-Za-z0-9_-]{0,${maxLength - 1}}$`),
    `1-${maxLength} letters, digits, "-" and "_", starting with a letter or digit`, 'ml-platform-prod');
}

/** MIG instances per GPU under the single strategy: one profile on every GPU gives 1, 2, 3, 4 or 7 (Bottlerocket accepts the same counts). */
export function checkMigPartitions(scope: IConstruct, prop: string, value: number | undefined): void {
  if (value === undefined || isToken(value)) return;
  if (!MIG_PARTITION_COUNTS.includes(value)) {
    throw new PropValidationError(scope, prop, value, `is not a MIG partition count (${MIG_PARTITION_COUNTS.join(', ')})`,
      'Use 7 for seven small instances, 2 or 3 for larger ones, 1 for one instance of the whole GPU.');
  }
}
