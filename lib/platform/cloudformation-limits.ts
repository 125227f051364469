/**
 * CloudFormation's per-template quotas (and IAM's managed policies per role), checked on the
 * written templates (nested ones included) when the app synthesizes. aws-cdk-lib only warns about a template over 1 MB, and for stacks
 * inside a Stage `cdk synth` shows nothing; CloudFormation then rejects the stack at deploy,
 * after the stacks before it have deployed. This plugin turns every quota into a synth error
 * that names the stack, the count and the fix.
 *
 * AiPlatform registers it on itself; in your own app, register it on the App or a Stage:
 * `Validations.of(app).addPlugins(new CloudFormationLimits())`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { IPolicyValidationContext, IPolicyValidationPlugin, PolicyValidationPluginReport, PolicyViolation } from 'aws-cdk-lib';

/** Resources one template may declare. */
export const CLOUDFORMATION_MAX_RESOURCES = 500;
/** Bytes of a template body uploaded through S3 (what the CDK CLI deploys): 1 MB. */
export const CLOUDFORMATION_MAX_TEMPLATE_BYTES = 1_000_000;
/** Outputs, parameters and mappings one template may declare. */
export const CLOUDFORMATION_MAX_OUTPUTS = 200;
export const CLOUDFORMATION_MAX_PARAMETERS = 200;
export const CLOUDFORMATION_MAX_MAPPINGS = 200;
/** IAM's default quota of managed policies attached to one role (adjustable up to 25). */
export const IAM_DEFAULT_MANAGED_POLICIES_PER_ROLE = 10;

/** Rule ids of the plugin, as they appear in the validation report. */
export enum CloudFormationLimitRule {
  RESOURCES = 'cfn-max-resources',
  TEMPLATE_SIZE = 'cfn-max-template-size',
  OUTPUTS = 'cfn-max-outputs',
  PARAMETERS = 'cfn-max-parameters',
  MAPPINGS = 'cfn-max-mappings',
  /** IAM: managed policies attached to one role (aws-cdk-lib spills large policies into managed ones). */
  MANAGED_POLICIES_PER_ROLE = 'iam-max-managed-policies-per-role',
}

export interface CloudFormationLimitsProps {
  /**
   * Fix suggested in each violation (what to split in your app).
   * @default - spread the resources over more stacks (sibling or nested)
   */
  readonly fix?: string;
  /**
   * Share of each quota a template may use, in (0, 1]: below 1 leaves headroom for growth
   * between releases.
   * @default 1
   */
  readonly headroom?: number;
  /**
   * The account's quota of managed policies per role, when raised in Service Quotas.
   * @default 10
   */
  readonly managedPoliciesPerRole?: number;
}

interface TemplateFacts {
  readonly templatePath: string;
  readonly bytes: number;
  readonly resources: number;
  readonly outputs: number;
  readonly parameters: number;
  readonly mappings: number;
  /** Managed policies attached to each role of the template, by logical id. */
  readonly managedPoliciesByRole: Map<string, number>;
}

/** Nested stacks are written beside their parents as `<unique id>.nested.template.json`. */
const NESTED_TEMPLATE_SUFFIX = '.nested.template.json';

function readTemplate(templatePath: string): TemplateFacts {
  const text = fs.readFileSync(templatePath, 'utf8');
  const template = JSON.parse(text);
  return {
    templatePath,
    bytes: Buffer.byteLength(text, 'utf8'),
    resources: Object.keys(template.Resources ?? {}).length,
    outputs: Object.keys(template.Outputs ?? {}).length,
    parameters: Object.keys(template.Parameters ?? {}).length,
    mappings: Object.keys(template.Mappings ?? {}).length,
    managedPoliciesByRole: managedPoliciesByRole(template.Resources ?? {}),
  };
}

type TemplateResources = Record<string, { Type?: string; Properties?: Record<string, unknown> }>;

/** Per role of the template: its ManagedPolicyArns plus the template's managed policies naming it in Roles. */
function managedPoliciesByRole(resources: TemplateResources): Map<string, number> {
  const counts = new Map<string, number>();
  for (const [id, r] of Object.entries(resources)) {
    if (r.Type === 'AWS::IAM::Role') counts.set(id, ((r.Properties?.ManagedPolicyArns as unknown[] | undefined) ?? []).length);
  }
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::IAM::ManagedPolicy') continue;
    for (const role of (r.Properties?.Roles as Array<{ Ref?: string }> | undefined) ?? []) {
      if (role.Ref !== undefined && counts.has(role.Ref)) counts.set(role.Ref, counts.get(role.Ref)! + 1);
    }
  }
  return counts;
}

/** Every template of the app: top-level stacks and the nested stacks written beside them. */
function allTemplates(templatePaths: string[]): TemplateFacts[] {
  const directories = [...new Set(templatePaths.map((p) => path.dirname(p)))];
  const nested = directories.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith(NESTED_TEMPLATE_SUFFIX)).sort().map((f) => path.join(d, f)));
  return [...new Set([...templatePaths, ...nested])].map(readTemplate);
}

/** A policy validation plugin that fails synth when a template exceeds a CloudFormation quota. */
export class CloudFormationLimits implements IPolicyValidationPlugin {
  public readonly name = 'cdk-scalable-ai CloudFormation limits';
  public readonly ruleIds?: string[] = Object.values(CloudFormationLimitRule);
  private readonly fix: string;
  private readonly headroom: number;
  private readonly managedPoliciesPerRole: number;

  constructor(props: CloudFormationLimitsProps = {}) {
    this.fix = props.fix ?? 'Spread the resources over more stacks (sibling or nested stacks), or split the app.';
    const headroom = props.headroom ?? 1;
    if (typeof headroom !== 'number' || !(headroom > 0 && headroom <= 1)) {
      throw new Error(`CloudFormationLimits: headroom = ${String(headroom)} is not in (0, 1]. Give the share of each quota a template may use, e.g. 0.8.`);
    }
    this.headroom = headroom;
    const perRole = props.managedPoliciesPerRole ?? IAM_DEFAULT_MANAGED_POLICIES_PER_ROLE;
    if (typeof perRole !== 'number' || !Number.isInteger(perRole) || perRole < 1) {
      throw new Error(`CloudFormationLimits: managedPoliciesPerRole = ${String(perRole)} is not a whole number >= 1. Give the quota "Managed policies per role" of the account (10 by default, up to 25).`);
    }
    this.managedPoliciesPerRole = perRole;
  }

  public validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations: PolicyViolation[] = [];
    for (const t of allTemplates(context.templatePaths)) {
      const name = path.basename(t.templatePath);
      const check = (rule: CloudFormationLimitRule, what: string, actual: number, quota: number, location: string) => {
        const limit = Math.floor(quota * this.headroom);
        if (actual <= limit) return;
        violations.push({
          ruleName: rule,
          description: `${name} has ${actual} ${what}, more than ${limit}${limit === quota ? ` (CloudFormation's quota)` : ` (${Math.round(this.headroom * 100)}% of CloudFormation's ${quota})`}: CloudFormation would reject the stack at deploy.`,
          fix: this.fix,
          violatingResources: [{ resourceLogicalId: name, templatePath: t.templatePath, locations: [location] }],
        });
      };
      check(CloudFormationLimitRule.RESOURCES, 'resources', t.resources, CLOUDFORMATION_MAX_RESOURCES, 'Resources');
      check(CloudFormationLimitRule.TEMPLATE_SIZE, 'bytes', t.bytes, CLOUDFORMATION_MAX_TEMPLATE_BYTES, '');
      check(CloudFormationLimitRule.OUTPUTS, 'outputs', t.outputs, CLOUDFORMATION_MAX_OUTPUTS, 'Outputs');
      check(CloudFormationLimitRule.PARAMETERS, 'parameters', t.parameters, CLOUDFORMATION_MAX_PARAMETERS, 'Parameters');
      check(CloudFormationLimitRule.MAPPINGS, 'mappings', t.mappings, CLOUDFORMATION_MAX_MAPPINGS, 'Mappings');
      for (const [role, count] of t.managedPoliciesByRole) {
        if (count <= this.managedPoliciesPerRole) continue;
        violations.push({
          ruleName: CloudFormationLimitRule.MANAGED_POLICIES_PER_ROLE,
          description: `${name}: role ${role} has ${count} managed policies attached (aws-cdk-lib moves what its inline policy cannot hold into managed policies), more than the ${this.managedPoliciesPerRole} per role IAM allows: attaching them would fail at deploy.`,
          fix: 'Grant the role less (the IAM Roles Anywhere role of a KubernetesSite serving hundreds of models: rolesAnywhereModelReadScope ModelReadScope.WHOLE_ZONE grants each models zone once), '
            + 'or raise the IAM quota "Managed policies per role" (up to 25) and declare it (managedPoliciesPerRole).',
          violatingResources: [{ resourceLogicalId: role, templatePath: t.templatePath, locations: ['Properties/ManagedPolicyArns'] }],
        });
      }
    }
    return { success: violations.length === 0, violations };
  }
}
