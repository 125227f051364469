/**
 * A team's place on a cluster: namespace baseline with a GPU quota, EKS access entries scoped to
 * the namespace, and lake grants for the team's workloads through Pod Identity. What must hold
 * at deploy time: each role has one access entry per cluster (EKS rejects a second), the
 * namespace's manifest (with the service account) is applied after the Pod Identity
 * association, and a service of the namespace lands in the team's namespace, with its quota.
 */
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataLake, GpuCluster, InferenceService, KubernetesSite, Team } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation and manifests are untyped */

function platform(): { stack: Stack; cluster: GpuCluster; lake: DataLake; admin: iam.Role; dev: iam.Role } {
  const stack = new Stack(testApp(), 'Platform');
  const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
  const dev = new iam.Role(stack, 'Dev', { assumedBy: new iam.AccountRootPrincipal() });
  const cluster = new GpuCluster(stack, 'Gpu', { adminRoles: [admin] });
  cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 });
  return { stack, cluster, lake: new DataLake(stack, 'Lake'), admin, dev };
}

describe('Team on EKS', () => {
  let built: ReturnType<typeof platform>;
  let team: Team;
  let template: Template;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = platform();
    team = new Team(built.stack, 'Fraud', {
      site: built.cluster.site, namespace: 'fraud', maxGpus: 4,
      members: [built.dev, built.admin], viewers: [built.dev],
      dataAccess: [{ zone: built.lake.zone('features'), prefix: 'fraud/' }, { zone: built.lake.zone('models'), prefix: 'fraud', write: true }],
    });
    new InferenceService(built.stack, 'Scorer', { site: built.cluster.site, name: 'scorer', namespace: 'fraud', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });
    template = cleanTemplate(built.stack);
    objects = siteObjects(built.cluster.site);
  });

  test('members edit and viewers view only the namespace; one access entry per role, shared with cluster admin', () => {
    const entries = Object.values<any>(template.findResources('AWS::EKS::AccessEntry'));
    const principals = entries.map((e) => JSON.stringify(e.Properties.PrincipalArn));
    expect(new Set(principals).size).toBe(principals.length);
    const policiesOf = (role: iam.Role) => entries.find((e) => JSON.stringify(e.Properties.PrincipalArn) === JSON.stringify(built.stack.resolve(role.roleArn)))!.Properties.AccessPolicies;
    const scoped = (name: string) => ({ PolicyArn: Match.stringLikeRegexp(`:cluster-access-policy/${name}$`), AccessScope: { Type: 'namespace', Namespaces: ['fraud'] } });
    expect(policiesOf(built.dev)).toEqual([expect.objectContaining({ AccessScope: { Type: 'namespace', Namespaces: ['fraud'] } }), expect.objectContaining({ AccessScope: { Type: 'namespace', Namespaces: ['fraud'] } })]);
    expect(JSON.stringify(built.stack.resolve(policiesOf(built.dev)))).toMatch(/AmazonEKSEditPolicy.*AmazonEKSViewPolicy/);
    expect(JSON.stringify(built.stack.resolve(policiesOf(built.admin)))).toMatch(/AmazonEKSClusterAdminPolicy.*AmazonEKSEditPolicy/);
    expect(scoped('AmazonEKSEditPolicy').AccessScope.Namespaces).toEqual([team.namespace]);
  });

  test('members may describe the cluster (kubeconfig), nothing else on it', () => {
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(built.stack.getLogicalId(built.dev.node.defaultChild as iam.CfnRole)))
      .flatMap((p) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([expect.objectContaining({ Action: 'eks:DescribeCluster', Effect: 'Allow' })]);
  });

  test('the namespace has the restricted baseline and the GPU quota, and the team\'s service runs in it', () => {
    expectSafeManifests(objects);
    expect(findObject(objects, 'Namespace', 'fraud').metadata!.labels).toEqual(expect.objectContaining({ 'pod-security.kubernetes.io/enforce': 'restricted' }));
    const quota = objects.find((o) => o.kind === 'ResourceQuota' && o.metadata?.namespace === 'fraud')!;
    expect((quota.spec as any).hard).toEqual({ 'requests.nvidia.com/gpu': 4, 'gpu.nvidia.com.deviceclass.resource.k8s.io/devices': 4 });
    expect(objects.filter((o) => o.kind === 'Namespace' && o.metadata?.name === 'fraud')).toHaveLength(1);
    expect(findObject(objects, 'Deployment', 'scorer', 'fraud')).toBeDefined();
  });

  test('the workloads service account reads its prefixes (and writes where asked) through Pod Identity, applied after the association', () => {
    expect(team.serviceAccountName).toBe('workloads');
    expect(findObject(objects, 'ServiceAccount', 'workloads', 'fraud')).toBeDefined();
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { Namespace: 'fraud', ServiceAccount: 'workloads' });
    const roleId = built.stack.getLogicalId(team.workloadRole!.node.defaultChild as iam.CfnRole);
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const text = JSON.stringify(statements);
    expect(text).toMatch(/fraud\/\*/);
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('s3:Put'))).not.toHaveLength(0);
    const association = Object.keys(template.findResources('AWS::EKS::PodIdentityAssociation', { Properties: { ServiceAccount: 'workloads' } }))[0];
    const namespaceManifest = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .find((m) => JSON.stringify(m.Properties.Manifest).includes('"name\\":\\"workloads\\"'))!;
    expect(namespaceManifest.DependsOn).toEqual(expect.arrayContaining([association]));
  });
});

describe('Team validation', () => {
  test('a team after a service of its namespace fails with the order to use', () => {
    const { stack, cluster } = platform();
    new InferenceService(stack, 'Scorer', { site: cluster.site, name: 'scorer', namespace: 'fraud', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });
    expect(() => new Team(stack, 'Fraud', { site: cluster.site, namespace: 'fraud' }))
      .toThrow(/namespace = "fraud" already has its chart on site "gpu" .*Create the Team before the InferenceServices of its namespace/);
  });

  test('members on a site outside EKS fail; a namespace and quota there work', () => {
    const stack = new Stack(testApp(), 'Lab');
    const site = new KubernetesSite(stack, 'Lab');
    const role = new iam.Role(stack, 'Dev', { assumedBy: new iam.AccountRootPrincipal() });
    expect(() => new Team(stack, 'Fraud', { site, namespace: 'fraud', members: [role] }))
      .toThrow(/site = "lab" is not an EKS site, so it has no access entries or Pod Identity for members, viewers and dataAccess/);
    new Team(stack, 'Vision', { site, namespace: 'vision', maxGpus: 2 });
    expect(findObject(siteObjects(site), 'Namespace', 'vision')).toBeDefined();
  });

  test('reserved namespaces and S3 URIs as prefixes fail', () => {
    const { stack, cluster, lake } = platform();
    expect(() => new Team(stack, 'Sys', { site: cluster.site, namespace: 'kube-system' })).toThrow(/namespace = "kube-system" is a namespace Kubernetes or other workloads own/);
    expect(() => new Team(stack, 'Bad', { site: cluster.site, namespace: 'bad', dataAccess: [{ zone: lake.zone('raw'), prefix: 's3://x/y' }] }))
      .toThrow(/dataAccess\[0\]\.prefix = "s3:\/\/x\/y" is an S3 URI, not a key prefix/);
  });
});
