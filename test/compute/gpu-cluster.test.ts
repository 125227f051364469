import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { GpuCluster, GpuClusterPreset, GpuNodeGroup } from '../../lib'
import { expectNagClean } from '../harness/nag';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, testApp } from '../harness/synth';
import { CLOUDWATCH_OBSERVABILITY_DCGM_INSTANCE_TYPES } from '../../lib/k8s/cloudwatch-dcgm-exporter';
import { DCGM_EXPORTER_NAME, GPU_SYSTEM_NAMESPACE } from '../../lib/k8s/gpu-enablement';

/** One cluster stack shared by the assertions: synthesis of an EKS stack takes seconds. */
function clusterStack(configure?: (c: GpuCluster, stack: Stack) => void): { stack: Stack; cluster: GpuCluster; group: GpuNodeGroup } {
  const app = testApp();
  const stack = new Stack(app, 'Compute');
  const cluster = new GpuCluster(stack, 'Gpu');
  const group = cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.xlarge'), new ec2.InstanceType('g6e.2xlarge')] });
  configure?.(cluster, stack);
  return { stack, cluster, group };
}

describe('GpuCluster defaults', () => {
  let template: Template;
  let cluster: GpuCluster;
  beforeAll(() => {
    const built = clusterStack();
    cluster = built.cluster;
    template = cleanTemplate(built.stack);
  });

  test('Kubernetes 1.36 with every control plane log type and a private endpoint', () => {
    template.hasResourceProperties('AWS::EKS::Cluster', {
      Version: '1.36',
      Logging: { ClusterLogging: { EnabledTypes: [{ Type: 'api' }, { Type: 'audit' }, { Type: 'authenticator' }, { Type: 'controllerManager' }, { Type: 'scheduler' }] } },
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: false }),
    });
  });

  test('secrets are envelope-encrypted with a rotated, retained customer managed key', () => {
    const keys = template.findResources('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, Description: Match.stringLikeRegexp('Kubernetes secrets') } });
    expect(Object.values(keys)).toHaveLength(1);
    const [keyId, key] = Object.entries(keys)[0];
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::EKS::Cluster', {
      EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] }],
    });
  });

  test('add-ons are native resources, with VPC CNI and CloudWatch rights through Pod Identity', () => {
    for (const name of ['vpc-cni', 'coredns', 'kube-proxy', 'eks-pod-identity-agent', 'amazon-cloudwatch-observability']) {
      template.hasResourceProperties('AWS::EKS::Addon', { AddonName: name });
    }
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'vpc-cni',
      PodIdentityAssociations: [{ ServiceAccount: 'aws-node', RoleArn: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::EKS::Addon', {
      AddonName: 'amazon-cloudwatch-observability',
      PodIdentityAssociations: [{ ServiceAccount: 'cloudwatch-agent', RoleArn: Match.anyValue() }],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Action: ['sts:AssumeRole', 'sts:TagSession'], Principal: { Service: 'pods.eks.amazonaws.com' } }] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKS_CNI_Policy']] }],
    });
  });

  test('the node role has worker and ECR pull-only rights but no CNI policy', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ec2.amazonaws.com' } })] },
      ManagedPolicyArns: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEKSWorkerNodePolicy']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonEC2ContainerRegistryPullOnly']] },
      ],
    });
  });

  test('system node group: two m7i.large AL2023 nodes', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_STANDARD',
      InstanceTypes: ['m7i.large'],
      ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 3 },
      Labels: { 'cdk-scalable-ai.io/node-role': 'system' },
    });
  });

  test('GPU node group: AL2023 NVIDIA, GPU taint and labels, scale from zero', () => {
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      AmiType: 'AL2023_x86_64_NVIDIA',
      InstanceTypes: ['g6e.xlarge', 'g6e.2xlarge'],
      CapacityType: 'ON_DEMAND',
      ScalingConfig: { MinSize: 0, DesiredSize: 1, MaxSize: 2 },
      Taints: [{ Key: 'nvidia.com/gpu', Value: 'true', Effect: 'NO_SCHEDULE' }],
      Labels: {
        'nvidia.com/gpu.present': 'true',
        'k8s.amazonaws.com/accelerator': 'nvidia-l40s',
        'cdk-scalable-ai.io/nvidia-device-plugin': 'daemonset',
      },
      NodeRepairConfig: { Enabled: true },
      Subnets: Match.anyValue(),
    });
  });

  test('GPU launch template: IMDSv2 required, hop limit 1, encrypted 200 GiB gp3 root volume', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 200, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }],
      }),
    });
  });

  test('a created VPC spans AZs with private subnets and KMS-encrypted flow logs; public subnets hand out no public IPs', () => {
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuLogsKey'), 'Arn'] } });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({
        Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
        Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': Match.anyValue() } },
      })]) },
    });
    template.allResourcesProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.0.0.0/16' });
    const [eksCluster] = Object.values(template.findResources('AWS::EKS::Cluster'));
    const subnets: Array<{ Ref: string }> = eksCluster.Properties.ResourcesVpcConfig.SubnetIds;
    // An environment-agnostic stack sees two AZs; the cluster uses only the private subnets.
    expect(subnets.map((s) => s.Ref)).toEqual([expect.stringMatching(/^GpuVpcPrivateSubnet1/), expect.stringMatching(/^GpuVpcPrivateSubnet2/)]);
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 0);
  });

  test('the GPU enablement chart is applied through the kubectl provider', () => {
    template.hasResourceProperties('Custom::AWSCDK-EKS-KubernetesResource', {
      Manifest: Match.stringLikeRegexp(`"name":"${DCGM_EXPORTER_NAME}"`),
    });
    // One Lambda-backed provider (kubectl): the handler and the provider framework function.
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  test('the site reports the node group capacity', () => {
    expect(cluster.site.gpuCapacities.map((c) => [c.gpusPerNode, c.maxGpus])).toEqual([[1, 2]]);
  });

  test('GPU enablement manifests validate, and only gpu-system is privileged', () => {
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    expect(findObject(objects, 'Namespace', GPU_SYSTEM_NAMESPACE).metadata?.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'privileged' });
    const devicePlugin = findObject(objects, 'DaemonSet', 'nvidia-device-plugin', GPU_SYSTEM_NAMESPACE);
    expect(JSON.stringify(devicePlugin)).toContain('"key":"cdk-scalable-ai.io/nvidia-device-plugin","operator":"In","values":["daemonset"]');
  });

  test('the VPC CNI enforces NetworkPolicies (enableNetworkPolicy in its configuration values)', () => {
    const [cni] = Object.values(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'vpc-cni' } }));
    expect(JSON.parse(cni.Properties.ConfigurationValues)).toEqual({ enableNetworkPolicy: 'true' });
    expect(cluster.networkPoliciesEnforced).toBe(true);
  });

  test('every node group waits for the VPC CNI and the Pod Identity agent; neither waits for nodes', () => {
    const addonId = (name: string) => Object.keys(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: name } }))[0];
    const [cni, agent, coreDns] = ['vpc-cni', 'eks-pod-identity-agent', 'coredns'].map(addonId);
    const nodegroups = template.findResources('AWS::EKS::Nodegroup');
    expect(Object.keys(nodegroups)).toHaveLength(2);
    for (const nodegroup of Object.values(nodegroups)) expect(nodegroup.DependsOn).toEqual(expect.arrayContaining([cni, agent]));
    const resources = template.toJSON().Resources;
    const dependsOnNodes = (id: string) => ((resources[id].DependsOn ?? []) as string[]).some((d) => d in nodegroups);
    expect(dependsOnNodes(cni)).toBe(false);
    expect(dependsOnNodes(agent)).toBe(false);
    expect(dependsOnNodes(coreDns)).toBe(true);
  });

  test('kubectl provider: KMS-encrypted log groups with retention, its own HTTPS-only security group', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key', { Properties: { Description: Match.stringLikeRegexp('CloudWatch Logs') } }))[0];
    const providerLogGroups = template.findResources('AWS::Logs::LogGroup', { Properties: { LogGroupName: Match.anyValue() } });
    expect(Object.keys(providerLogGroups)).toHaveLength(2);
    for (const logGroup of Object.values(providerLogGroups)) {
      expect(logGroup.Properties).toMatchObject({ KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, RetentionInDays: 731 });
    }
    const groups = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('kubectl provider handler') } });
    const [groupId, group] = Object.entries(groups)[0];
    expect(group.Properties.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: expect.any(String) }]);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.VpcConfig.SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [groupId, 'GroupId'] }]);
    }
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': ['Gpu05B72DCE', 'ClusterSecurityGroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [groupId, 'GroupId'] },
      IpProtocol: 'tcp', FromPort: 443, ToPort: 443,
    });
  });

  test('launch templates without detailed monitoring by default', () => {
    const templates = Object.values(template.findResources('AWS::EC2::LaunchTemplate'));
    expect(templates).toHaveLength(2);
    for (const lt of templates) expect(lt.Properties.LaunchTemplateData.Monitoring).toEqual({ Enabled: false });
  });

  test('our DCGM exporter keeps off the instance types where the CloudWatch add-on runs its own', () => {
    const dcgm = findObject(siteObjects(cluster.site), 'DaemonSet', DCGM_EXPORTER_NAME, GPU_SYSTEM_NAMESPACE) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    const expressions = dcgm.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions;
    const exclusion = expressions.find((e: { key: string }) => e.key === 'node.kubernetes.io/instance-type');
    expect(exclusion).toEqual({ key: 'node.kubernetes.io/instance-type', operator: 'NotIn', values: [...CLOUDWATCH_OBSERVABILITY_DCGM_INSTANCE_TYPES] });
    expect(exclusion.values).toEqual(expect.arrayContaining(['g6e.xlarge', 'g6e.2xlarge', 'p5.48xlarge']));
  });

  test('logical ids of the cluster and its key are pinned', () => {
    expect(Object.keys(template.findResources('AWS::EKS::Cluster'))).toEqual(['Gpu05B72DCE']);
    expect(Object.keys(template.findResources('AWS::KMS::Key')).sort()).toEqual(['GpuLogsKey7804A263', 'GpuSecretsKey0C4B4737']);
  });

  test('snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('GpuCluster options', () => {
  test('cdk-nag AwsSolutions finds nothing unacknowledged', () => {
    const app = testApp();
    const stack = new Stack(app, 'Nag');
    new GpuCluster(stack, 'Gpu').addGpuNodeGroup('P5', { instanceTypes: [new ec2.InstanceType('p5.48xlarge')] });
    expect(() => expectNagClean(app)).not.toThrow();
  });

  test('development preset opens the public endpoint too and grants admin roles through access entries', () => {
    const app = testApp();
    const stack = new Stack(app, 'Dev');
    const admin = new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() });
    new GpuCluster(stack, 'Gpu', { preset: GpuClusterPreset.DEVELOPMENT, adminRoles: [admin], gpuEnablement: false });
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      ResourcesVpcConfig: Match.objectLike({ EndpointPrivateAccess: true, EndpointPublicAccess: true }),
    });
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Admin'), 'Arn'] },
      AccessPolicies: [{ AccessScope: { Type: 'cluster' }, PolicyArn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy']] } }],
    });
    template.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 0);
  });

  test('detailed monitoring of system and GPU launch templates can be turned on', () => {
    const stack = new Stack(testApp(), 'Monitored');
    const cluster = new GpuCluster(stack, 'Gpu', { systemNodeDetailedMonitoring: true, gpuEnablement: false });
    cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.xlarge')], detailedMonitoring: true });
    const templates = Object.values(cleanTemplate(stack).findResources('AWS::EC2::LaunchTemplate'));
    expect(templates.map((lt) => lt.Properties.LaunchTemplateData.Monitoring)).toEqual([{ Enabled: true }, { Enabled: true }]);
  });

  test('an unsupported Kubernetes version fails with the fix', () => {
    const stack = new Stack(testApp(), 'Old');
    expect(() => new GpuCluster(stack, 'Gpu', { version: eks.KubernetesVersion.V1_31 }))
      .toThrow(/version = "1.31" is not a supported Kubernetes version.*V1_36/);
  });

  test('a version without bundled layer asks for the matching layer', () => {
    const stack = new Stack(testApp(), 'V35');
    expect(() => new GpuCluster(stack, 'Gpu', { version: eks.KubernetesVersion.V1_35 }))
      .toThrow(/KubectlV35Layer.*lambda-layer-kubectl-v35/);
    const newer = new Stack(testApp(), 'V37');
    expect(() => new GpuCluster(newer, 'Gpu', { version: eks.KubernetesVersion.V1_37 }))
      .toThrow(/no kubectl layer for 1.37 is published/);
  });
});
