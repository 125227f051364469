/** Kubernetes resource quantities: checked at synth, because the API server would reject them at deploy. */
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';

// https://kubernetes.io/docs/reference/kubernetes-api/common-definitions/quantity/
const QUANTITY = /^[+]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?\d+)?$/;

/** Throws unless the value is a Kubernetes quantity ("500m", "4", "24Gi"). Tokens pass. */
export function checkQuantity(scope: IConstruct, prop: string, value: string | undefined, example: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || !QUANTITY.test(value) || Number.parseFloat(value) <= 0) {
    throw new PropValidationError(scope, prop, value, 'is not a positive Kubernetes quantity', `Write it like "${example}" (suffixes m, Ki, Mi, Gi, Ti, k, M, G).`);
  }
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/**
 * The value of a quantity in base units (cores for CPU, bytes for memory); undefined for a
 * token or a string that is not a quantity.
 */
export function parseQuantity(value: string): number | undefined {
  if (typeof value !== 'string' || Token.isUnresolved(value) || !QUANTITY.test(value)) return undefined;
  const match = /^[+]?((?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)([KMGTPE]i|[numkMGTPE])?$/.exec(value);
  if (!match) return undefined;
  const [, number, suffix] = match;
  return Number.parseFloat(number) * (suffix ? (BINARY[suffix] ?? DECIMAL[suffix]) : 1);
}
