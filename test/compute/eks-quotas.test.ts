/** EKS quotas on managed node groups fail synth instead of CreateNodegroup at deploy. */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { GpuCluster, GpuClusterProps } from '../../lib'
import { synthFindings, testApp } from '../harness/synth';
import { EKS_DEFAULT_MANAGED_NODE_GROUPS_PER_CLUSTER } from '../../lib/compute/eks-quotas';

function clusterWith(groups: number, maxSize: number, props: GpuClusterProps = {}): () => unknown {
  const stack = new Stack(testApp(), 'Compute');
  const cluster = new GpuCluster(stack, 'Gpu', { gpuEnablement: false, ...props });
  for (let i = 0; i < groups; i++) cluster.addGpuNodeGroup(`G${i}`, { instanceTypes: [new ec2.InstanceType('g6.xlarge')], maxSize });
  return () => synthFindings(stack.node.root as never);
}

describe('EKS quotas', () => {
  test('the system node group and GPU node groups count against 30 per cluster', () => {
    expect(clusterWith(EKS_DEFAULT_MANAGED_NODE_GROUPS_PER_CLUSTER, 2)).toThrow(
      /Gpu\] the cluster has 31 managed node groups, more than the EKS quota of 30 per cluster: CreateNodegroup would fail at deploy\. .*declare it \(eksQuotas\.managedNodeGroupsPerCluster\)/);
    expect(clusterWith(EKS_DEFAULT_MANAGED_NODE_GROUPS_PER_CLUSTER - 1, 2)).not.toThrow();
  });

  test('a declared raised quota is followed', () => {
    expect(clusterWith(31, 2, { eksQuotas: { managedNodeGroupsPerCluster: 40 } })).not.toThrow();
  });

  test('maxSize beyond 450 nodes per node group fails, naming the node group', () => {
    expect(clusterWith(1, 451)).toThrow(/node group Compute\/Gpu\/G0\/Resource has maxSize 451, more than the EKS quota of 450 nodes per managed node group/);
    expect(clusterWith(1, 451, { eksQuotas: { nodesPerManagedNodeGroup: 1000 } })).not.toThrow();
  });

  test.each([0, 2.5, Number.NaN])('a declared quota of %p fails with the prop', (value) => {
    expect(() => new GpuCluster(new Stack(testApp(), 'S'), 'Gpu', { eksQuotas: { managedNodeGroupsPerCluster: value } }))
      .toThrow(/eksQuotas\.managedNodeGroupsPerCluster = (0|2\.5|NaN) is not (an integer|a finite number)/);
  });
});
