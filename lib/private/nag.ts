/**
 * Acknowledgements of cdk-nag findings, next to the constructs that need them. Each names the
 * exact finding (rule plus managed policy or resource) so nothing else is silenced.
 */
import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** Acknowledges AwsSolutions-IAM4 for exactly these AWS managed policies (names or service-role/ paths). */
export function acknowledgeManagedPolicies(scope: IConstruct, policies: string[], reason: string): void {
  Validations.of(scope).acknowledge(...policies.map((policy) => ({
    id: `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policy}]`,
    reason,
  })));
}

/** Acknowledges one rule (optionally one finding of it) with a reason. */
export function acknowledgeRule(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
