import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildReferencePlatform, ReferencePlatform } from '../../bin/reference-platform';
import { expectNagClean } from '../harness/nag';
import { expectSafeManifests, siteObjects } from '../harness/manifests';
import { cleanTemplates, testApp } from '../harness/synth';

describe('reference platform (npm run synth)', () => {
  let platform: ReferencePlatform;
  let app: App;
  let compute: Template;
  beforeAll(() => {
    app = testApp();
    platform = buildReferencePlatform(app);
    [compute] = cleanTemplates(platform.computeStack);
  });

  test('builds a GPU cluster with one GPU node group', () => {
    compute.resourceCountIs('AWS::EKS::Cluster', 1);
    compute.resourceCountIs('AWS::EKS::Nodegroup', 2);
    compute.hasResourceProperties('AWS::EKS::Nodegroup', { InstanceTypes: ['g6e.xlarge', 'g6e.2xlarge'], AmiType: 'AL2023_x86_64_NVIDIA' });
  });

  test('every manifest of every site validates and workloads are restricted', () => {
    expectSafeManifests(siteObjects(platform.gpuCluster.site));
    expectSafeManifests(siteObjects(platform.onPremisesSite));
  });

  test('at most one Lambda-backed provider (kubectl)', () => {
    compute.resourceCountIs('AWS::Lambda::Function', 2);
  });

  test('cdk-nag AwsSolutions is clean', () => {
    const nagApp = testApp();
    buildReferencePlatform(nagApp);
    expect(() => expectNagClean(nagApp)).not.toThrow();
  });

  test('snapshot of the compute stack', () => {
    expect(compute.toJSON()).toMatchSnapshot();
  });
});
