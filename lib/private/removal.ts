/**
 * Removal policy of stateful resources (buckets, keys, streams, catalogs). Data is retained
 * unless the user opts in twice: the construct prop asks for `RemovalPolicy.DESTROY` AND the
 * app context flag `cdk-scalable-ai:allowDestroy` is `true`. One switch alone never deletes
 * data: a DESTROY prop without the flag stays RETAIN and says why in a warning.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { warn } from './validation';

/** Context key that allows stateful resources to be destroyed: `cdk deploy -c cdk-scalable-ai:allowDestroy=true`. */
export const ALLOW_DESTROY_CONTEXT = 'cdk-scalable-ai:allowDestroy';

/** Removal policy of stateful resources when the user asks for nothing. */
export const DEFAULT_STATEFUL_REMOVAL_POLICY = RemovalPolicy.RETAIN;

/** Warning id when DESTROY is requested without the context flag (data is retained). */
export const WARNING_DESTROY_NOT_ALLOWED = 'destroyNotAllowed';
/** Warning id when DESTROY is in effect (data is deleted with the stack). */
export const WARNING_DESTROY_ENABLED = 'destroyEnabled';

/** Whether the app context allows destruction (`true` or the string `"true"` from the CLI). */
export function destroyAllowed(scope: IConstruct): boolean {
  const value = scope.node.tryGetContext(ALLOW_DESTROY_CONTEXT);
  return value === true || value === 'true';
}

/**
 * The removal policy to apply to the stateful resources of `scope`.
 *
 * - undefined -> RETAIN (DEFAULT_STATEFUL_REMOVAL_POLICY)
 * - DESTROY with the context flag -> DESTROY, plus a warning listing what is deleted
 * - DESTROY without the flag -> RETAIN, plus a warning naming the missing flag
 * - any other policy -> unchanged
 *
 * @param prop name of the construct prop, for messages (e.g. `removalPolicy`)
 * @param what what gets deleted, for messages (e.g. `the zone buckets, the KMS key and the Glue databases`)
 */
export function statefulRemovalPolicy(scope: IConstruct, prop: string, requested: RemovalPolicy | undefined, what: string): RemovalPolicy {
  if (requested === undefined) return DEFAULT_STATEFUL_REMOVAL_POLICY;
  if (requested !== RemovalPolicy.DESTROY) return requested;
  if (!destroyAllowed(scope)) {
    warn(scope, WARNING_DESTROY_NOT_ALLOWED,
      `${prop} is DESTROY but the context flag ${ALLOW_DESTROY_CONTEXT} is not true, so ${what} are RETAINED. ` +
      `To delete them with the stack, also set the flag (cdk.json context or \`-c ${ALLOW_DESTROY_CONTEXT}=true\`).`);
    return DEFAULT_STATEFUL_REMOVAL_POLICY;
  }
  warn(scope, WARNING_DESTROY_ENABLED,
    `${prop} is DESTROY and ${ALLOW_DESTROY_CONTEXT} is true: ${what} are deleted when they leave the stack or are replaced.`);
  return RemovalPolicy.DESTROY;
}
