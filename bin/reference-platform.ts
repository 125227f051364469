/**
 * The reference platform, as a function so the test suite synthesizes exactly what
 * `npm run synth` does.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { GpuCluster, GpuEnablement, KubernetesSite, WorkloadCredentials } from '../lib';

export interface ReferencePlatform {
  readonly computeStack: Stack;
  readonly gpuCluster: GpuCluster;
  readonly onPremisesSite: KubernetesSite;
}

export function buildReferencePlatform(scope: Construct): ReferencePlatform {
  const computeStack = new Stack(scope, 'ScalableAiCompute', {
    description: 'cdk-scalable-ai reference platform: GPU EKS cluster',
  });
  const gpuCluster = new GpuCluster(computeStack, 'GpuCluster', { siteName: 'eks' });
  gpuCluster.addGpuNodeGroup('L40sNodes', {
    instanceTypes: [new ec2.InstanceType('g6e.xlarge'), new ec2.InstanceType('g6e.2xlarge')],
    capacityType: eks.CapacityType.ON_DEMAND,
    maxSize: 4,
  });

  const onPremisesSite = new KubernetesSite(scope, 'OnPremises', {
    siteName: 'on-premises',
    gpuCapacity: { gpusPerNode: 8, totalGpus: 16 },
    workloadCredentials: WorkloadCredentials.IAM_ROLES_ANYWHERE,
    storageClassName: 'local-path',
  });
  GpuEnablement.addToSite({ site: onPremisesSite, devicePluginNodeLabels: { ...onPremisesSite.gpuNodeLabels } });

  return { computeStack, gpuCluster, onPremisesSite };
}
