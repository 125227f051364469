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
