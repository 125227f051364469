/** Model servers on an EKS cluster of another app: imported with its kubectl provider. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataLake, EksSite, InferenceService, ModelSource } from '../../lib';
import { testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

const ENV = { account: '111122223333', region: 'eu-west-1' };

function importedCluster(stack: Stack, withProvider: boolean): eks.ICluster {
  return eks.Cluster.fromClusterAttributes(stack, 'Shared', {
    clusterName: 'shared-gpu',
    kubectlProvider: withProvider ? eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', {
      serviceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:shared-kubectl-provider',
      role: iam.Role.fromRoleArn(stack, 'KubectlRole', 'arn:aws:iam::111122223333:role/shared-kubectl'),
    }) : undefined,
  });
}

describe('EksSite on an imported cluster', () => {
  test('an InferenceService is applied through the imported provider, after its Pod Identity association on that cluster', () => {
    const stack = new Stack(testApp(), 'Team', { env: ENV });
    const site = new EksSite(stack, 'Site', { cluster: importedCluster(stack, true), siteName: 'shared', gpuCapacity: { gpusPerNode: 1, totalGpus: 8, gpuModel: 'L40S' } });
    expect(site.gpuCapacities.map((c) => [c.gpusPerNode, c.maxGpus, c.gpuModels])).toEqual([[1, 8, ['L40S']]]);
    const lake = new DataLake(stack, 'Lake');
    new InferenceService(stack, 'Llm', { site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', model: ModelSource.fromDataLake(lake.zone('models'), 'llama/v1') });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::EKS::PodIdentityAssociation', { ClusterName: 'shared-gpu', Namespace: 'inference', ServiceAccount: 'llama' });
    const manifests = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'));
    expect(manifests.map((m) => m.Properties.ServiceToken)).toEqual(manifests.map(() => 'arn:aws:lambda:eu-west-1:111122223333:function:shared-kubectl-provider'));
    const inference = Object.entries<any>(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(([, m]) => JSON.stringify(m.Properties.Manifest).includes('Deployment'))!;
    const association = Object.keys(template.findResources('AWS::EKS::PodIdentityAssociation'))[0];
    expect(inference[1].DependsOn).toEqual(expect.arrayContaining([association]));
  });

  test('declared capacity is checked like an on-premises site\'s', () => {
    const stack = new Stack(testApp(), 'Team', { env: ENV });
    expect(() => new EksSite(stack, 'Site', { cluster: importedCluster(stack, true), gpuCapacity: { gpusPerNode: 8, totalGpus: 4 } }))
      .toThrow(/gpuCapacity.totalGpus = 4 is not an integer >= 8/);
  });

  test('a cluster without a kubectl provider fails with the fix', () => {
    const stack = new Stack(testApp(), 'Team', { env: ENV });
    expect(() => new EksSite(stack, 'Site', { cluster: importedCluster(stack, false) }))
      .toThrow(/cluster = "Team\/Shared" has no kubectl provider, so charts cannot be applied\. .*KubectlProvider\.fromKubectlProviderAttributes/);
  });
});
