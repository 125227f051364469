import { IConstruct } from 'constructs';

/**
 * A prop failed validation. Thrown at synth (construction) time, scoped to the construct,
 * with a message that names the prop, the value and the fix.
 */
export class PropValidationError extends Error {
  /** Path of the construct that rejected the prop. */
  public readonly constructPath: string;
  /** The prop that was rejected, e.g. `maxReplicas`. */
  public readonly prop: string;

  constructor(scope: IConstruct, prop: string, value: unknown, problem: string, fix: string) {
    super(`${scope.node.path}: ${prop} = ${formatValue(value)} ${problem}. ${fix}`);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
    this.prop = prop;
  }
}

/** Renders a value for an error message, short and unambiguous. */
export function formatValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  // JSON would show NaN and Infinity as null.
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  try {
    const text = JSON.stringify(value);
    return text.length > 120 ? `${text.slice(0, 117)}...` : text;
  } catch {
    return String(value);
  }
}
