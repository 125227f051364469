import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildReferencePlatform, ON_PREMISES_CA_CONTEXT } from '../../bin/reference-platform';
import { AiPlatform } from '../../lib';
import { TEST_CA_PEM } from '../data/fixtures';
import { expectNagClean, RulePack } from '../harness/nag';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplates, testApp } from '../harness/synth';

describe('reference platform (npm run synth)', () => {
  let platform: AiPlatform;
  let data: Template;
  let compute: Template;
  let inference: Template;
  beforeAll(() => {
    const app = testApp();
    platform = buildReferencePlatform(app);
    [data, compute, inference] = cleanTemplates(platform.dataStack, platform.computeStack, platform.inferenceStack);
  });

  test('data: a lake with four zones and one stream into raw', () => {
    data.resourceCountIs('AWS::Glue::Database', 4);
    data.resourceCountIs('AWS::Kinesis::Stream', 1);
    data.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
  });

  test('compute: a GPU cluster with one GPU node group and inference autoscaling', () => {
    compute.resourceCountIs('AWS::EKS::Cluster', 1);
    compute.resourceCountIs('AWS::EKS::Nodegroup', 2);
    compute.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['g6e.xlarge', 'g6e.2xlarge'], AmiType: 'AL2023_x86_64_NVIDIA' });
    compute.resourceCountIs('AWS::APS::Workspace', 1);
    compute.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 1);
  });

  test('inference: one autoscaled model served on EKS, reading its model through Pod Identity', () => {
    inference.resourceCountIs('AWS::EKS::PodIdentityAssociation', 1);
    const objects = siteObjects(platform.cluster.site);
    expect(findObject(objects, 'ScaledObject', 'llama-3-1-8b', 'inference')).toBeDefined();
  });

  test('every manifest of every site validates and workloads are restricted', () => {
    for (const site of platform.sites) expectSafeManifests(siteObjects(site));
    expect(platform.sites.map((s) => s.siteName)).toEqual(['scalableai-eks', 'scalableai-onpremises']);
  });

  test('at most one Lambda-backed provider (kubectl) in the whole platform', () => {
    const functions = [data, compute, inference].reduce((n, t) => n + Object.keys(t.findResources('AWS::Lambda::Function')).length, 0);
    expect(functions).toBe(2);
  });

  test('cdk-nag AwsSolutions and NIST 800-53 rev 5 are clean', () => {
    const nagApp = testApp();
    buildReferencePlatform(nagApp);
    expect(() => expectNagClean(nagApp, [RulePack.AWS_SOLUTIONS, RulePack.NIST_800_53_R5])).not.toThrow();
  });

  test('snapshots', () => {
    expect(data.toJSON()).toMatchSnapshot('data');
    expect(compute.toJSON()).toMatchSnapshot('compute');
    expect(inference.toJSON()).toMatchSnapshot('inference');
  });
});

describe('reference platform with an on-premises CA bundle', () => {
  test('the on-premises site serves the model from the lake with Roles Anywhere credentials', () => {
    const app: App = testApp({ context: { [ON_PREMISES_CA_CONTEXT]: TEST_CA_PEM } });
    const platform = buildReferencePlatform(app);
    const [data] = cleanTemplates(platform.dataStack, platform.computeStack, platform.inferenceStack);
    data.resourceCountIs('AWS::RolesAnywhere::TrustAnchor', 1);
    data.resourceCountIs('AWS::RolesAnywhere::Profile', 1);
    // The site's role writes to the stream, reads the model prefix, and publishes metrics only into its namespace.
    data.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([
        { Action: 'cloudwatch:PutMetricData', Effect: 'Allow', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'cdk-scalable-ai/scalableai-onpremises' } } },
      ]) },
    });
    data.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(['kinesis:PutRecord', 'kinesis:PutRecords']) })]) },
    });
    const onPrem = siteObjects(platform.onPremisesSites[0]);
    expectSafeManifests(onPrem);
    const pod = (findObject(onPrem, 'Deployment', 'llama-3-1-8b', 'inference').spec as any).template.spec; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(pod.volumes).toContainEqual({ name: 'aws-credentials', secret: { secretName: 'aws-roles-anywhere', defaultMode: 0o440 } });
  });
});

describe('in an app without this project\'s feature flags', () => {
  test('the whole platform still synthesizes (consumers may run older cdk.json defaults)', () => {
    const app = new App();
    buildReferencePlatform(app);
    expect(() => app.synth()).not.toThrow();
  });
});
