/**
 * Runtime check of props against the shapes of their TypeScript interfaces
 * (prop-types.generated.ts). TypeScript users get these checks from the compiler; JavaScript
 * and jsii users (Python, Java, .NET, Go), and values read from context or JSON, do not. A wrong
 * type must fail here, naming the prop path, the value and the expected type, instead of
 * crashing deeper with a TypeError or synthesizing a broken template. Tokens pass.
 */
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropValidationError } from './errors';
import { STRUCT_SHAPES } from './prop-types.generated';

/** Expected runtime type of one prop. */
export type TypeShape =
  | 'string' | 'number' | 'boolean' | 'duration' | 'preciseDuration' | 'size' | 'function' | 'any'
  | { readonly array: TypeShape }
  | { readonly map: TypeShape }
  | { readonly struct: string }
  | { readonly instance: string; readonly examples?: readonly string[] }
  | { readonly enum: string; readonly values: ReadonlyArray<string | number>; readonly names: readonly string[] }
  | { readonly literal: readonly string[] }
  | { readonly oneOf: readonly TypeShape[] };

/** Props of each struct, by interface name. */
export type StructShapes = Record<string, Record<string, { readonly type: TypeShape; readonly required?: boolean }>>;

/**
 * Throws a PropValidationError when `props` do not have the shape of the named props interface.
 */
export function checkPropTypes(scope: IConstruct, structName: string, props: unknown): void {
  checkStruct(scope, structName, props, '');
}

/**
 * The same check for a construct whose base class reads its props before the constructor body
 * runs (a Stage): call it in the `super(...)` arguments; errors name the construct's future path.
 */
export function checkedProps<T>(scope: IConstruct, id: string, structName: string, props: T): T {
  const path = scope.node.path ? `${scope.node.path}/${id}` : id;
  checkStruct({ node: { path } } as IConstruct, structName, props, '');
  return props;
}

function checkStruct(scope: IConstruct, structName: string, value: unknown, at: string): void {
  const shape = STRUCT_SHAPES[structName];
  if (!shape) throw new Error(`No generated shape for ${structName}: run npm run generate`);
  if (value === undefined && at === '') return;
  if (!isPlainObject(value)) {
    throw new PropValidationError(scope, at || 'props', value, `is ${describe(value)}, not an object`, `Pass an object with the fields of ${structName}.`);
  }
  for (const [name, prop] of Object.entries(shape)) {
    const path = at ? `${at}.${name}` : name;
    const v = (value as Record<string, unknown>)[name];
    if (v === undefined || v === null) {
      if (prop.required) throw new PropValidationError(scope, path, v, 'is required', `Set ${path} (${expected(prop.type)}).`);
      continue;
    }
    checkValue(scope, prop.type, v, path);
  }
}

function checkValue(scope: IConstruct, type: TypeShape, value: unknown, path: string): void {
  if (isToken(value)) return;
  if (typeof type === 'string') {
    if (!matchesPrimitive(type, value)) fail(scope, type, value, path);
    if (type === 'duration') checkWholeSeconds(scope, value as Duration, path);
    return;
  }
  if ('array' in type) {
    if (!Array.isArray(value)) fail(scope, type, value, path);
    (value as unknown[]).forEach((item, i) => checkValue(scope, type.array, item, `${path}[${i}]`));
  } else if ('map' in type) {
    if (!isPlainObject(value)) fail(scope, type, value, path);
    for (const [key, item] of Object.entries(value as object)) checkValue(scope, type.map, item, `${path}.${key}`);
  } else if ('struct' in type) {
    checkStruct(scope, type.struct, value, path);
  } else if ('instance' in type) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(scope, type, value, path);
  } else if ('enum' in type) {
    if (!type.values.includes(value as string | number)) {
      // A JavaScript or Python user may pass the member's name ("AUTO_MODE") or a near miss.
      const normalized = (v: unknown) => String(v).toUpperCase().replace(/[-_ ]/g, '');
      const i = type.names.findIndex((n, j) => normalized(n) === normalized(value) || normalized(type.values[j]) === normalized(value));
      throw new PropValidationError(scope, path, value, `is not a ${type.enum} value`,
        i >= 0 ? `Use ${type.enum}.${type.names[i]} (${JSON.stringify(type.values[i])}): the enum member's value, not its name.`
          : `Use one of ${type.names.map((n) => `${type.enum}.${n}`).join(', ')}.`);
    }
  } else if ('literal' in type) {
    if (!type.literal.includes(value as string)) fail(scope, type, value, path);
  } else if (!type.oneOf.some((t) => accepts(scope, t, value, path))) {
    fail(scope, type, value, path);
  }
}

function accepts(scope: IConstruct, type: TypeShape, value: unknown, path: string): boolean {
  try {
    checkValue(scope, type, value, path);
    return true;
  } catch (e) {
    if (e instanceof PropValidationError) return false;
    throw e;
  }
}

/** Kubernetes, KEDA, Karpenter and every AWS API the library feeds count durations in whole seconds. */
function checkWholeSeconds(scope: IConstruct, value: Duration, path: string): void {
  if (value.isUnresolved()) return;
  const seconds = value.toSeconds({ integral: false });
  if (!Number.isInteger(seconds)) {
    throw new PropValidationError(scope, path, value.toHumanString(), 'is not a whole number of seconds',
      `Use whole seconds, e.g. Duration.seconds(${Math.max(1, Math.round(seconds))}).`);
  }
}

function matchesPrimitive(type: string, value: unknown): boolean {
  switch (type) {
    case 'string': return typeof value === 'string';
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'duration':
    case 'preciseDuration': return hasMethod(value, 'toSeconds');
    case 'size': return hasMethod(value, 'toMebibytes');
    case 'function': return typeof value === 'function';
    default: return true;
  }
}

function fail(scope: IConstruct, type: TypeShape, value: unknown, path: string): never {
  const instance = typeof type === 'object' && 'instance' in type ? type : undefined;
  const fix = instance?.examples ? `Pass ${expected(type)}, e.g. ${instance.examples.join(' or ')}.` : `Pass ${expected(type)}.`;
  const hint = instance && typeof value === 'string' && /^arn:/.test(value)
    ? ` To use an existing resource by ARN, import it first (e.g. ${instance.instance.replace(/\.I/, '.')}.from...Arn).` : '';
  // NaN and Infinity say what they are themselves.
  const problem = typeof value === 'number' && !Number.isFinite(value) ? `is not ${expected(type)}` : `is ${describe(value)}, not ${expected(type)}`;
  throw new PropValidationError(scope, path, value, problem, `${fix}${hint}`);
}

function expected(type: TypeShape): string {
  if (typeof type === 'string') {
    return { string: 'a string', number: 'a finite number', boolean: 'a boolean', duration: 'a Duration (e.g. Duration.minutes(5))', preciseDuration: 'a Duration (e.g. Duration.millis(500))',
      size: 'a Size (e.g. Size.gibibytes(100))', function: 'a function', any: 'a value' }[type];
  }
  if ('array' in type) return `an array of ${expected(type.array).replace(/^an? /, '')}s`;
  if ('map' in type) return `an object whose values are ${expected(type.map).replace(/^an? /, '')}s`;
  if ('struct' in type) return `a ${type.struct} object`;
  if ('instance' in type) return `a ${type.instance}`;
  if ('enum' in type) return `a ${type.enum} value`;
  if ('literal' in type) return `one of ${type.literal.map((v) => JSON.stringify(v)).join(', ')}`;
  return type.oneOf.map(expected).join(' or ');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return { string: 'a string', number: 'a number', boolean: 'a boolean', function: 'a function', bigint: 'a bigint', symbol: 'a symbol', undefined: 'undefined' }[
    typeof value as 'string'] ?? 'an object';
}

function isToken(value: unknown): boolean {
  return (typeof value === 'string' || typeof value === 'number' || (typeof value === 'object' && value !== null)) && Token.isUnresolved(value);
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasMethod(value: unknown, method: string): boolean {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[method] === 'function';
}
