import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, GpuPlacement, HybridNodes, InferenceService } from '../../lib';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { cleanTemplate, synthFindings, testApp } from '../harness/synth';

const HYBRID = { remoteNodeCidrs: ['192.168.100.0/24'], remotePodCidrs: ['192.168.128.0/18'], gpuNodes: { gpusPerNode: 4, nodeCount: 2 } };

describe('EKS Hybrid Nodes', () => {
  test('remote networks, hybrid role with access entry, and hybrid GPU capacity', () => {
    const stack = new Stack(testApp(), 'Hybrid');
    const cluster = new GpuCluster(stack, 'Gpu', { hybridNodes: HYBRID });
    const template = cleanTemplate(stack);
    template.hasResourceProperties('AWS::EKS::Cluster', {
      RemoteNetworkConfig: { RemoteNodeNetworks: [{ Cidrs: ['192.168.100.0/24'] }], RemotePodNetworks: [{ Cidrs: ['192.168.128.0/18'] }] },
    });
    template.hasResourceProperties('AWS::EKS::AccessEntry', { Type: 'HYBRID_LINUX', PrincipalArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^GpuHybridNodesRole'), 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ssm.amazonaws.com' } })] },
      ManagedPolicyArns: Match.arrayWith([{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AmazonSSMManagedInstanceCore']] }]),
    });
    expect(cluster.hybridNodes?.gpuCapacity).toMatchObject({ gpusPerNode: 4, maxGpus: 8, hybrid: true });
    expect(HybridNodes.podIdentityNodeadmSettings()).toEqual({ enableCredentialsFile: true });
    expect(HybridNodes.gpuKubeletFlags()).toEqual([
      '--node-labels=nvidia.com/gpu.present=true,cdk-scalable-ai.io/nvidia-device-plugin=daemonset',
      '--register-with-taints=nvidia.com/gpu=true:NoSchedule',
    ]);
  });

  test('EKS Pod Identity on hybrid nodes: the agent\'s hybrid DaemonSet and the node role\'s eks-auth right', () => {
    const stack = new Stack(testApp(), 'HybridPodIdentity');
    new GpuCluster(stack, 'Gpu', { hybridNodes: HYBRID, gpuEnablement: false });
    const template = cleanTemplate(stack);
    const [agent] = Object.values(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'eks-pod-identity-agent' } }));
    expect(JSON.parse(agent.Properties.ConfigurationValues)).toEqual({ daemonsets: { hybrid: { create: true } } });
    const roleId = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ssm.amazonaws.com' } })] } } }))[0];
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      // Merged with eks:DescribeCluster: both on this cluster only.
      PolicyDocument: { Statement: Match.arrayWith([{ Action: ['eks-auth:AssumeRoleForPodIdentity', 'eks:DescribeCluster'], Effect: 'Allow', Resource: { 'Fn::GetAtt': ['Gpu05B72DCE', 'Arn'] } }]) },
    });
  });

  test('without hybrid nodes the Pod Identity agent keeps its default configuration', () => {
    const template = cleanTemplate(new GpuCluster(new Stack(testApp(), 'NoHybrid'), 'Gpu', { gpuEnablement: false }).node.scope as Stack);
    const [agent] = Object.values(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'eks-pod-identity-agent' } }));
    expect(agent.Properties.ConfigurationValues).toBeUndefined();
  });

  test('services can be placed on hybrid or cloud GPUs, and capacity is checked per placement', () => {
    const stack = new Stack(testApp(), 'Placement');
    const cluster = new GpuCluster(stack, 'Gpu', { hybridNodes: HYBRID });
    cluster.addGpuNodeGroup('Cloud', { instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g6.2xlarge')], maxSize: 2 });
    new InferenceService(stack, 'OnPrem', { site: cluster.site, name: 'on-prem', image: 'img:1', modelVersion: 'v1', gpusPerReplica: 4, placement: GpuPlacement.HYBRID, maxReplicas: 1 });
    new InferenceService(stack, 'Cloud', { site: cluster.site, name: 'cloud', image: 'img:1', modelVersion: 'v1', placement: GpuPlacement.CLOUD, maxReplicas: 1 });
    const objects = siteObjects(cluster.site);
    expectSafeManifests(objects);
    const terms = (name: string) => (findObject(objects, 'Deployment', name).spec as any).template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(terms('on-prem')).toContainEqual({ key: 'eks.amazonaws.com/compute-type', operator: 'In', values: ['hybrid'] });
    expect(terms('cloud')).toContainEqual({ key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['hybrid'] });
    expect(synthFindings(stack.node.root as never).findings).toEqual([]);
  });

  test('4-GPU replicas fit hybrid servers but no cloud node', () => {
    const stack = new Stack(testApp(), 'TooBig');
    const cluster = new GpuCluster(stack, 'Gpu', { hybridNodes: HYBRID });
    cluster.addGpuNodeGroup('Cloud', { instanceTypes: [new ec2.InstanceType('g6.xlarge')], maxSize: 2 });
    new InferenceService(stack, 'TooBig', { site: cluster.site, name: 'too-big', image: 'img:1', modelVersion: 'v1', gpusPerReplica: 4, placement: GpuPlacement.CLOUD });
    expect(() => synthFindings(stack.node.root as never)).toThrow(/gpusPerReplica = 4 is more than any node of site "gpu" offers \(1\)/);
  });

  test.each([
    [{ remoteNodeCidrs: ['10.0.5.0/24'] }, /hybridNodes.remoteNodeCidrs = "10.0.5.0\/24" overlaps the VPC CIDR 10.0.0.0\/16/],
    [{ remoteNodeCidrs: ['100.64.0.0/24'] }, /is not an RFC 1918 IPv4 CIDR/],
    [{ remoteNodeCidrs: ['192.168.0.0/16'], remotePodCidrs: ['192.168.10.0/24'] }, /hybridNodes.remotePodCidrs = "192.168.10.0\/24" overlaps 192.168.0.0\/16/],
    [{ remoteNodeCidrs: [] }, /hybridNodes.remoteNodeCidrs = \[\] is empty/],
    [{ remoteNodeCidrs: ['192.168.1.0/33'] }, /is not an RFC 1918 IPv4 CIDR/],
  ])('rejects %j', (hybridNodes, message) => {
    expect(() => new GpuCluster(new Stack(testApp(), 'Bad'), 'Gpu', { hybridNodes })).toThrow(message);
  });
});
