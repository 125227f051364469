import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  buildReferencePlatform, LEGACY_ON_PREMISES_CA_CONTEXT, MODELS_BUCKET_NAME_CONTEXT, ON_PREMISES_CA_FILE_CONTEXT, ROLES_ANYWHERE_HELPER_IMAGE_CONTEXT,
} from '../../bin/reference-platform';
import { AiPlatform } from '../../lib';
import { expectNagClean, RulePack } from '../harness/nag';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplates, testApp } from '../harness/synth';

describe('reference platform (npm run synth)', () => {
  let platform: AiPlatform;
  let data: Template;
  let compute: Template;
  let inference: Template;
  let monitoringGroup: Template;
  beforeAll(() => {
    const app = testApp();
    platform = buildReferencePlatform(app);
    [data, compute, inference, monitoringGroup] = cleanTemplates(platform.dataStack, platform.computeStack, platform.inferenceStack, platform.monitoring!.groups[0]);
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

  test('the model server is monitored in its service group: a nested stack of the compute stack', () => {
    expect(platform.monitoring!.groups.map((g) => g.node.path)).toEqual(['ScalableAi/Compute/Monitoring/Group-inference']);
    monitoringGroup.resourceCountIs('AWS::CloudWatch::Alarm', 4);
    monitoringGroup.hasResourceProperties('AWS::APS::RuleGroupsNamespace', { Name: 'group-inference' });
    compute.resourceCountIs('AWS::APS::RuleGroupsNamespace', 0);
  });

  test('at most one Lambda-backed provider (kubectl) in the whole platform', () => {
    const functions = [data, compute, inference, monitoringGroup].reduce((n, t) => n + Object.keys(t.findResources('AWS::Lambda::Function')).length, 0);
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
    expect(monitoringGroup.toJSON()).toMatchSnapshot('monitoring group inference');
  });
});

const TEST_CA_FILE = path.join(__dirname, '..', 'examples', 'test-ca.pem');
const ON_PREMISES_CONTEXT = {
  [ON_PREMISES_CA_FILE_CONTEXT]: TEST_CA_FILE,
  [MODELS_BUCKET_NAME_CONTEXT]: 'scalable-ai-models-test',
  [ROLES_ANYWHERE_HELPER_IMAGE_CONTEXT]: 'registry.example.com/aws-signing-helper:1.8.1',
};

describe('reference platform with an on-premises CA bundle', () => {
  test('the on-premises site serves the model from the lake with Roles Anywhere credentials', () => {
    const app: App = testApp({ context: ON_PREMISES_CONTEXT });
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
    expect(pod.volumes).toContainEqual({ name: 'aws-roles-anywhere', secret: { secretName: 'aws-roles-anywhere', defaultMode: 0o440 } });
    // Apply-ready: the bucket is named, not a CloudFormation reference.
    expect(pod.initContainers[1].command).toContain('s3://scalable-ai-models-test/llama-3.1-8b-instruct/v1/');
  });

  test('the context takes a CA file; the PEM itself, a truncated PEM or missing values fail with what to pass', () => {
    expect(() => buildReferencePlatform(testApp({ context: { [LEGACY_ON_PREMISES_CA_CONTEXT]: '-----BEGIN CERTIFICATE-----' } })))
      .toThrow(/no longer read: -c passes only its first line\. Pass the file instead: -c cdk-scalable-ai:onPremisesCaBundleFile=ca\.pem/);
    expect(() => buildReferencePlatform(testApp({ context: { [ON_PREMISES_CA_FILE_CONTEXT]: TEST_CA_FILE } })))
      .toThrow(/also pass -c cdk-scalable-ai:modelsBucketName=.* and -c cdk-scalable-ai:rolesAnywhereHelperImage=/);
    const truncated = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ca-')), 'ca.pem');
    fs.writeFileSync(truncated, fs.readFileSync(TEST_CA_FILE, 'utf8').split('\n').slice(0, 4).join('\n'));
    expect(() => buildReferencePlatform(testApp({ context: { ...ON_PREMISES_CONTEXT, [ON_PREMISES_CA_FILE_CONTEXT]: truncated } })))
      .toThrow(/trustSource\.certificateBundlePem = .* holds no complete PEM certificate/);
    expect(() => buildReferencePlatform(testApp({ context: { ...ON_PREMISES_CONTEXT, [ON_PREMISES_CA_FILE_CONTEXT]: 'missing.pem' } })))
      .toThrow(/certificate bundle file = "missing\.pem" is not a readable file/);
  });
});

describe('in an app without this project\'s feature flags', () => {
  test('the whole platform still synthesizes (consumers may run older cdk.json defaults)', () => {
    const app = new App();
    buildReferencePlatform(app);
    expect(() => app.synth()).not.toThrow();
  });
});
