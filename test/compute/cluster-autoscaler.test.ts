/**
 * The Cluster Autoscaler for managed node groups. What must hold at deploy time: its pod gets
 * AWS credentials (the release after the Pod Identity association of the service account the
 * release names), it finds the cluster's node groups by the tags EKS puts on their Auto Scaling
 * groups (auto-discovery by cluster name), it learns a GPU group's labels and taints for scale
 * from zero (eks:DescribeNodegroup, and taints with a value), it may resize only this cluster's
 * groups, its image's minor is the cluster's Kubernetes minor, and it passes Pod Security
 * "restricted" on the system nodes.
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ClusterCapacityMode, ConformanceEvidence, GpuCluster } from '../../lib';
import { siteObjects } from '../harness/manifests';
import { restrictedViolations } from '../harness/pod-security';
import { cleanTemplate, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped */

/** A value CloudFormation joins from tokens, with each token written as `<{'Ref':'X'}>`. */
function joined(value: any): string {
  if (typeof value === 'string') return value;
  const [separator, parts] = value['Fn::Join'];
  return parts.map((p: unknown) => (typeof p === 'string' ? p : `<${JSON.stringify(p).replace(/"/g, "'")}>`)).join(separator);
}

describe('Cluster Autoscaler on a managed node group cluster', () => {
  let cluster: GpuCluster;
  let template: Template;
  let release: any;
  let values: any;
  beforeAll(() => {
    const stack = new Stack(testApp(), 'Platform');
    cluster = new GpuCluster(stack, 'Gpu', {});
    cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], minSize: 0, maxSize: 4 });
    cluster.addClusterAutoscaler();
    ConformanceEvidence.addToSite({ site: cluster.site });
    template = cleanTemplate(stack);
    release = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-HelmChart', { Properties: { Chart: 'cluster-autoscaler' } }))[0];
    values = JSON.parse(joined(release.Properties.Values));
  });

  test('the release is pinned, discovers the cluster\'s node groups and runs the release matching Kubernetes 1.36', () => {
    expect(release.Properties).toEqual(expect.objectContaining({ Repository: 'https://kubernetes.github.io/autoscaler', Version: '9.59.0', Namespace: 'kube-system', Release: 'cluster-autoscaler' }));
    expect(values.cloudProvider).toBe('aws');
    expect(values.autoDiscovery.clusterName).toMatch(/^<\{'Ref':'Gpu[A-Za-z0-9]+'\}>$/);
    expect(values.awsRegion).toBe("<{'Ref':'AWS::Region'}>");
    expect(values.image).toEqual({ repository: 'registry.k8s.io/autoscaling/cluster-autoscaler', tag: 'v1.36.1' });
    expect(values.rbac.serviceAccount).toEqual({ create: true, name: 'cluster-autoscaler' });
    expect(values.extraArgs).toEqual({ 'balance-similar-node-groups': true, 'expander': 'least-waste', 'scale-down-unneeded-time': '600s' });
    expect(values.nodeSelector).toEqual({ 'cdk-scalable-ai.io/node-role': 'system' });
    expect(cluster.clusterAutoscaler?.imageTag).toBe('v1.36.1');
  });

  test('its pod passes Pod Security "restricted" with the values given to the chart', () => {
    const pod = { securityContext: values.securityContext, containers: [{ name: 'cluster-autoscaler', securityContext: values.containerSecurityContext }] };
    expect(restrictedViolations(pod)).toEqual([]);
  });

  test('the release waits for the Pod Identity association of the service account it names', () => {
    const associations = template.findResources('AWS::EKS::PodIdentityAssociation', { Properties: { ServiceAccount: 'cluster-autoscaler', Namespace: 'kube-system' } });
    expect(Object.keys(associations)).toHaveLength(1);
    expect(release.DependsOn).toEqual(expect.arrayContaining([Object.keys(associations)[0]]));
  });

  test('it may describe, but resize and terminate only Auto Scaling groups tagged with this cluster, and describe only its node groups', () => {
    const role = Object.values<any>(template.findResources('AWS::IAM::Role')).find((r) => r.Properties.Description?.startsWith('Cluster Autoscaler'));
    const statements = role.Properties.Policies[0].PolicyDocument.Statement;
    const resize = statements.find((s: any) => ([] as string[]).concat(s.Action).includes('autoscaling:SetDesiredCapacity'));
    expect(resize.Action).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    expect(resize.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/eks:cluster-name': { Ref: expect.stringMatching(/^Gpu/) } } });
    expect(JSON.stringify(resize.Resource)).toContain(':autoScalingGroup:*:autoScalingGroupName/*');
    const describeNodegroup = statements.find((s: any) => s.Action === 'eks:DescribeNodegroup');
    expect(JSON.stringify(describeNodegroup.Resource)).toContain(':nodegroup/');
    const describe = statements.find((s: any) => s.Resource === '*');
    expect(describe.Action.every((a: string) => /^(autoscaling|ec2):(Describe|Get)/.test(a))).toBe(true);
  });

  test('GPU node groups carry what scale from zero needs: a taint with a value and the accelerator label', () => {
    const nodegroup = Object.values<any>(template.findResources('AWS::EKS::Nodegroup')).find((n) => n.Properties.InstanceTypes?.[0] === 'g6e.2xlarge');
    expect(nodegroup.Properties.Taints).toEqual([{ Key: 'nvidia.com/gpu', Value: 'true', Effect: 'NO_SCHEDULE' }]);
    expect(nodegroup.Properties.Labels['k8s.amazonaws.com/accelerator']).toBe('nvidia-l40s');
    expect(nodegroup.Properties.ScalingConfig.MinSize).toBe(0);
  });

  test('the evidence shows cluster autoscaling by the autoscaler rolled out', () => {
    const job = siteObjects(cluster.site).find((o) => o.kind === 'Job' && o.metadata?.labels?.['cdk-scalable-ai.io/checklist-id'] === 'cluster_autoscaling') as any;
    expect(job.spec.template.spec.containers.map((c: any) => c.args)).toEqual([
      ['rollout', 'status', 'deployment/cluster-autoscaler', '--namespace=kube-system', '--timeout=15m'],
    ]);
  });
});

describe('Cluster Autoscaler validation', () => {
  test('EKS Auto Mode refuses it; a second call fails; the image follows the Kubernetes version', () => {
    const stack = new Stack(testApp(), 'Platform');
    const auto = new GpuCluster(stack, 'Auto', { capacityMode: ClusterCapacityMode.AUTO_MODE });
    expect(() => auto.addClusterAutoscaler()).toThrow(/capacityMode = "auto-mode" scales its node pools itself/);
    const older = new GpuCluster(stack, 'Older', { version: eks.KubernetesVersion.V1_35, kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'Layer', 'arn:aws:lambda:eu-west-1:111122223333:layer:kubectl-v35:1') });
    expect(older.addClusterAutoscaler({ scaleDownUnneededTime: undefined }).imageTag).toBe('v1.35.2');
    expect(() => older.addClusterAutoscaler()).toThrow(/addClusterAutoscaler\(\) = "a second call"/);
    const other = new GpuCluster(stack, 'Other', {});
    expect(() => other.addClusterAutoscaler({ imageTag: '1.36.1' })).toThrow(/imageTag = "1\.36\.1"/);
  });
});
