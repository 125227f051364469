/**
 * CloudFormation's per-template quotas fail synth (aws-cdk-lib only warns about the 1 MB
 * template size, silently for Stage apps), for top-level and nested templates.
 */
import { App, CfnOutput, CfnResource, NestedStack, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  AiPlatform, CloudFormationLimits, CloudFormationLimitRule, DataLake, InferenceService, KubernetesSite, ModelReadScope, ModelSource, WorkloadCredentials,
} from '../../lib';
import { SynthFinding, synthFindings, testApp } from '../harness/synth';

function appWithLimits(props = {}): App {
  const app = testApp();
  Validations.of(app).addPlugins(new CloudFormationLimits(props));
  return app;
}

/** A resource whose template entry is about `bytes` long. */
function bulky(stack: Stack, id: string, bytes: number): void {
  new CfnResource(stack, id, { type: 'AWS::SSM::Parameter', properties: { Type: 'String', Value: 'x'.repeat(bytes) } });
}

/**
 * An app with limits checked: an on-premises site whose Roles Anywhere role reads `models`
 * model prefixes of one lake zone.
 */
function onPremisesModels(models: number, readScope?: ModelReadScope): App {
  const app = appWithLimits();
  const stack = new Stack(app, 'Cloud');
  const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'models', bucketName: 'lab-models-test' }] });
  const role = new iam.Role(stack, 'OnPrem', { assumedBy: new iam.ServicePrincipal('rolesanywhere.amazonaws.com') });
  const site = new KubernetesSite(stack, 'Lab', {
    gpuCapacity: { gpusPerNode: 8, totalGpus: 2000 }, workloadCredentials: WorkloadCredentials.IAM_ROLES_ANYWHERE, rolesAnywhereRole: role,
    rolesAnywhereHelperImage: 'registry.lab/aws-signing-helper:1.8.1', rolesAnywhereModelReadScope: readScope,
  });
  for (let i = 0; i < models; i++) {
    new InferenceService(stack, `M${i}`, { site, name: `model-${i}`, image: 'img:1', modelVersion: 'v1', model: ModelSource.fromDataLake(lake.zone('models'), `organisation/model-number-${i}/v1`) });
  }
  return app;
}

/** Findings of the template limits and IAM quotas. */
const limitFindings = (findings: SynthFinding[]) => findings.filter((f) => f.rule.startsWith('cfn-') || f.rule.startsWith('iam-'));

describe('CloudFormationLimits', () => {
  test('a template over 1 MB fails synth with its name and the fix', () => {
    const app = appWithLimits({ fix: 'Split the parameters.' });
    const stack = new Stack(app, 'Big');
    for (let i = 0; i < 11; i++) bulky(stack, `P${i}`, 100_000);
    const { findings } = synthFindings(app);
    expect(findings).toContainEqual(expect.objectContaining({
      rule: CloudFormationLimitRule.TEMPLATE_SIZE,
      message: expect.stringMatching(/^Big\.template\.json has 1\d{6} bytes, more than 1000000 \(CloudFormation's quota\): CloudFormation would reject the stack at deploy\.$/),
    }));
  });

  test('a template just under 1 MB passes', () => {
    const app = appWithLimits();
    const stack = new Stack(app, 'Almost');
    for (let i = 0; i < 9; i++) bulky(stack, `P${i}`, 100_000);
    expect(synthFindings(app).findings.filter((f) => f.rule.startsWith('cfn-max'))).toEqual([]);
  });

  test('nested templates are checked too', () => {
    const app = appWithLimits();
    const nested = new NestedStack(new Stack(app, 'Parent'), 'Child');
    for (let i = 0; i < 201; i++) new CfnOutput(nested, `O${i}`, { value: `v${i}` });
    const { findings } = synthFindings(app);
    expect(findings).toContainEqual(expect.objectContaining({
      rule: CloudFormationLimitRule.OUTPUTS,
      message: expect.stringMatching(/^ParentChild[0-9A-F]{8}\.nested\.template\.json has 201 outputs, more than 200/),
    }));
  });

  test('headroom lowers every quota', () => {
    const app = appWithLimits({ headroom: 0.5 });
    const stack = new Stack(app, 'Half');
    for (let i = 0; i < 101; i++) new CfnOutput(stack, `O${i}`, { value: `v${i}` });
    expect(synthFindings(app).findings).toContainEqual(expect.objectContaining({
      rule: CloudFormationLimitRule.OUTPUTS,
      message: expect.stringContaining('has 101 outputs, more than 100 (50% of CloudFormation\'s 200)'),
    }));
  });

  test('a role with more managed policies than IAM allows fails; a declared raised quota passes', () => {
    const build = (props = {}) => {
      const app = appWithLimits(props);
      const stack = new Stack(app, 'Iam');
      const role = new iam.Role(stack, 'Busy', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      for (let i = 0; i < 11; i++) {
        new iam.ManagedPolicy(stack, `P${i}`, { roles: [role], statements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:aws:s3:::b/${i}/*`] })] });
      }
      return synthFindings(app).findings.filter((f) => f.rule === CloudFormationLimitRule.MANAGED_POLICIES_PER_ROLE);
    };
    expect(build()).toEqual([expect.objectContaining({
      message: expect.stringMatching(/^Iam\.template\.json: role Busy[0-9A-F]{8} has 11 managed policies attached .* more than the 10 per role IAM allows/),
      fix: expect.stringContaining('rolesAnywhereModelReadScope ModelReadScope.WHOLE_ZONE'),
    })]);
    expect(build({ managedPoliciesPerRole: 25 })).toEqual([]);
  });

  test('an on-premises site role that reads 200 model prefixes stays within IAM\'s quotas', () => {
    expect(limitFindings(synthFindings(onPremisesModels(200)).findings)).toEqual([]);
  });

  test('with rolesAnywhereModelReadScope WHOLE_ZONE the role does not grow with the models: 500 fit', () => {
    const policyOf = (models: number): { size: number; findings: string[] } => {
      const { assembly, findings } = synthFindings(onPremisesModels(models, ModelReadScope.WHOLE_ZONE));
      const template = assembly!.getStackByName('Cloud').template;
      const policies = Object.values(template.Resources).filter((r) => (r as { Type: string }).Type === 'AWS::IAM::Policy' || (r as { Type: string }).Type === 'AWS::IAM::ManagedPolicy');
      return { size: JSON.stringify(policies).length, findings: limitFindings(findings).map((f) => f.message) };
    };
    const few = policyOf(2);
    const many = policyOf(500);
    expect(many.findings).toEqual([]);
    expect(many.size).toBe(few.size);
  });

  test.each([0, -1, 1.5, Number.NaN])('headroom %p is rejected with the fix', (headroom) => {
    expect(() => new CloudFormationLimits({ headroom })).toThrow(/headroom = .* is not in \(0, 1\]\. Give the share of each quota a template may use/);
  });

  test('AiPlatform checks its templates with it', () => {
    const app = testApp();
    const platform = new AiPlatform(app, 'P', { monitoring: false, inferenceAutoscaling: false });
    for (let i = 0; i < 11; i++) bulky(platform.inferenceStack, `P${i}`, 100_000);
    expect(synthFindings(app).findings).toContainEqual(expect.objectContaining({
      rule: CloudFormationLimitRule.TEMPLATE_SIZE,
      message: expect.stringMatching(/^PInference[0-9A-F]{8}\.template\.json has/),
    }));
  });
});
