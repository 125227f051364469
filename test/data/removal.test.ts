import { CfnWaitConditionHandle, RemovalPolicy } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { stackFixture } from './fixtures';
import { ALLOW_DESTROY_CONTEXT, DEFAULT_STATEFUL_REMOVAL_POLICY, destroyAllowed, statefulRemovalPolicy } from '../../lib/private/removal';

/** A stack with one resource (an empty template fails validation) and a scope in it. */
function scopeFixture(context: Record<string, unknown> = {}) {
  const { stack } = stackFixture({ context });
  new CfnWaitConditionHandle(stack, 'Placeholder');
  return { stack, scope: new Construct(stack, 'X') };
}

describe('statefulRemovalPolicy', () => {
  test('defaults to RETAIN without warnings', () => {
    const { stack, scope } = scopeFixture();
    expect(DEFAULT_STATEFUL_REMOVAL_POLICY).toBe(RemovalPolicy.RETAIN);
    expect(statefulRemovalPolicy(scope, 'removalPolicy', undefined, 'the things')).toBe(RemovalPolicy.RETAIN);
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('passes RETAIN and RETAIN_ON_UPDATE_OR_DELETE through', () => {
    const { scope } = scopeFixture();
    expect(statefulRemovalPolicy(scope, 'p', RemovalPolicy.RETAIN, 'x')).toBe(RemovalPolicy.RETAIN);
    expect(statefulRemovalPolicy(scope, 'p', RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, 'x')).toBe(RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE);
  });

  test.each<[unknown, boolean]>([[true, true], ['true', true], [false, false], ['yes', false], [undefined, false]])('context %p allows destroy: %p', (flag, allowed) => {
    const { stack, scope } = scopeFixture(flag === undefined ? {} : { [ALLOW_DESTROY_CONTEXT]: flag });
    expect(destroyAllowed(scope)).toBe(allowed);
    expect(statefulRemovalPolicy(scope, 'removalPolicy', RemovalPolicy.DESTROY, 'the things')).toBe(allowed ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN);
    Annotations.fromStack(stack).hasWarning('/S/X', allowed
      ? 'removalPolicy is DESTROY and cdk-scalable-ai:allowDestroy is true: the things are deleted when they leave the stack or are replaced. [ack: cdk-scalable-ai:destroyEnabled]'
      : Match.stringLikeRegexp('^removalPolicy is DESTROY but the context flag cdk-scalable-ai:allowDestroy is not true, so the things are RETAINED'));
  });
});
