/**
 * Acknowledgements of cdk-nag findings, next to the constructs that need them. Each names the
 * exact finding, so nothing else is silenced: the granular IAM wildcard rule (AwsSolutions-IAM5)
 * names each wildcard action (`Action::s3:GetObject*`) and resource
 * (`Resource::<LogicalId.Arn>/prefix/*`), rendered the way the rule renders CloudFormation
 * references; AwsSolutions-IAM4 names each AWS managed policy.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The rule id of wildcard permissions. */
export const IAM_WILDCARD_RULE = 'AwsSolutions-IAM5';

/** Flattens a resolved CloudFormation value like cdk-nag does: `<Logical.Arn>`, `<Ref>`, joins concatenated. */
function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const obj = node as Record<string, unknown>;
    if (Array.isArray(obj['Fn::Join'])) {
      const [delimiter, items] = obj['Fn::Join'] as [string, unknown[]];
      return items.map(flatten).join(delimiter);
    }
    if (obj['Fn::Sub'] !== undefined) return flatten(obj['Fn::Sub']);
    if (Array.isArray(obj['Fn::GetAtt'])) {
      const [resource, attribute] = obj['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
    if (obj['Fn::ImportValue'] !== undefined) return flatten(obj['Fn::ImportValue']);
    // Cross-stack references in this aws-cdk-lib version; cdk-nag prints them as JSON.
    if (obj['Fn::GetStackOutput'] !== undefined) return JSON.stringify(obj);
    if (obj.Ref !== undefined) return `<${flatten(obj.Ref)}>`;
  }
  return JSON.stringify(node);
}

/**
 * A finding id rendered at synthesis: a reference to another stack only becomes the import
 * expression cdk-nag sees once synthesis has resolved cross-stack references.
 */
export type WildcardFinding = () => string;

/** The finding id of a wildcard resource, e.g. `Resource::<LakeZonerawBucket1234.Arn>/*`. */
export function wildcardResource(scope: IConstruct, arn: string): WildcardFinding {
  return () => `Resource::${flatten(Stack.of(scope).resolve(arn))}`;
}

/** The finding id of a wildcard action, e.g. `Action::kms:GenerateDataKey*`. */
export function wildcardAction(action: string): WildcardFinding {
  return () => `Action::${action}`;
}

/**
 * Acknowledges each granular finding (from wildcardResource / wildcardAction) on the construct
 * and its children. The ids are rendered when the app validates (after cross-stack references
 * are resolved, before rule packs run).
 */
export function acknowledgeWildcards(scope: IConstruct, reason: string, findings: WildcardFinding[]): void {
  scope.node.addValidation({
    validate: () => {
      for (const finding of findings) Validations.of(scope).acknowledge({ id: `${IAM_WILDCARD_RULE}[${finding()}]`, reason });
      return [];
    },
  });
}

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

/** Why roles carry inline (not customer managed) policies, for NIST 800-53 IAMNoInlinePolicy. */
export const INLINE_POLICY_REASON = 'Permissions come from aws-cdk-lib grants: inline policies attached to exactly one role, '
  + 'each statement scoped to named resources; a customer managed policy would be a separately attachable object that widens the blast radius.';

/** Acknowledges NIST 800-53 IAMNoInlinePolicy for the roles of a construct (grants are inline by design). */
export function acknowledgeInlinePolicies(scope: IConstruct): void {
  Validations.of(scope).acknowledge({ id: 'NIST.800.53.R5-IAMNoInlinePolicy', reason: INLINE_POLICY_REASON });
}
