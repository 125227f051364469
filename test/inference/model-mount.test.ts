/**
 * Models mounted with the Mountpoint for Amazon S3 CSI driver instead of copied at start. What
 * must hold at deploy time: the driver runs (with its Pod Identity association in place) before
 * any pod mounts, its role may read the models zone (objects and the key), each claim binds
 * exactly its volume (static provisioning: no storage class, matching claimRef and
 * volumeName, a unique volume handle), the pod mounts the claim read-only where the server
 * expects the model, and needs no AWS credentials of its own.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { ClusterCapacityMode, DataLake, GpuCluster, InferenceService, KubernetesSite, ModelSource } from '../../lib';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { expectSafeManifests, findObject, siteObjects } from '../harness/manifests';
import { expectNagClean, RulePack } from '../harness/nag';
import { cleanTemplate, testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation and manifests are untyped */

const spec = (o: KubernetesObject): any => o.spec as any;

function mounted(): { stack: Stack; cluster: GpuCluster; lake: DataLake } {
  const stack = new Stack(testApp(), 'Serving');
  const lake = new DataLake(stack, 'Lake');
  const cluster = new GpuCluster(stack, 'Gpu', {});
  cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 4 });
  cluster.addMountpointS3();
  new InferenceService(stack, 'Llm', {
    site: cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1',
    model: ModelSource.mountFromDataLake(lake.zone('models'), 'llama-3-8b/v1'),
    canary: { modelVersion: 'v2', model: ModelSource.mountFromDataLake(lake.zone('models'), 'llama-3-8b/v2') },
  });
  return { stack, cluster, lake };
}

describe('a model mounted from the lake', () => {
  let built: ReturnType<typeof mounted>;
  let template: Template;
  let objects: KubernetesObject[];
  beforeAll(() => {
    built = mounted();
    template = cleanTemplate(built.stack);
    objects = siteObjects(built.cluster.site);
  });

  test('the driver add-on runs with a Pod Identity role that reads the models zone, before any service manifest', () => {
    const [addonId, addon] = Object.entries<any>(template.findResources('AWS::EKS::Addon', { Properties: { AddonName: 'aws-mountpoint-s3-csi-driver' } }))[0];
    const roleId = built.stack.getLogicalId(built.cluster.site.mountpointS3!.driverRole.node.defaultChild as any);
    expect(addon.Properties.PodIdentityAssociations).toEqual([{ ServiceAccount: 's3-csi-driver-sa', RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] } }]);
    const statements = Object.values<any>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId)).flatMap((p) => p.Properties.PolicyDocument.Statement);
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 'kms:Decrypt']));
    const serviceManifest = Object.values<any>(template.findResources('Custom::AWSCDK-EKS-KubernetesResource'))
      .find((m) => JSON.stringify(m.Properties.Manifest).includes('PersistentVolumeClaim'))!;
    expect(serviceManifest.DependsOn).toEqual(expect.arrayContaining([addonId]));
  });

  test('each track\'s claim binds exactly its volume, a read-only prefix mount of the lake bucket', () => {
    expectSafeManifests(objects);
    for (const [claim, prefix] of [['llama-model', 'llama-3-8b/v1/'], ['llama-canary-model', 'llama-3-8b/v2/']]) {
      const pvc = findObject(objects, 'PersistentVolumeClaim', claim, 'inference');
      const pv = findObject(objects, 'PersistentVolume', spec(pvc).volumeName);
      expect(spec(pv).claimRef).toEqual({ namespace: 'inference', name: claim });
      expect(spec(pv).storageClassName).toBe('');
      expect(spec(pvc).storageClassName).toBe('');
      expect(spec(pv).accessModes).toEqual(['ReadOnlyMany']);
      expect(spec(pv).csi.driver).toBe('s3.csi.aws.com');
      expect(spec(pv).csi.volumeHandle).toBe(pv.metadata!.name);
      expect(spec(pv).mountOptions[0]).toBe(`prefix ${prefix}`);
      expect(spec(pv).mountOptions[1]).toMatch(/^region /);
    }
    const handles = objects.filter((o) => o.kind === 'PersistentVolume').map((pv) => spec(pv).csi.volumeHandle);
    expect(new Set(handles).size).toBe(handles.length);
  });

  test('the pod mounts its claim read-only where the server expects the model, with no copy and no AWS credentials', () => {
    for (const [deployment, claim] of [['llama', 'llama-model'], ['llama-canary', 'llama-canary-model']]) {
      const pod = spec(findObject(objects, 'Deployment', deployment, 'inference')).template.spec;
      expect(pod.initContainers).toBeUndefined();
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.volumes).toContainEqual({ name: 'models', persistentVolumeClaim: { claimName: claim, readOnly: true } });
      expect(pod.containers[0].volumeMounts).toContainEqual({ name: 'models', mountPath: '/models/llama', readOnly: true });
      expect(pod.containers[0].env).toContainEqual({ name: 'MODEL_PATH', value: '/models/llama' });
      expect(pod.securityContext.fsGroup).toBeDefined();
    }
    expect(Object.keys(template.findResources('AWS::EKS::PodIdentityAssociation', { Properties: { ServiceAccount: 'llama' } }))).toEqual([]);
  });

  test('cdk-nag (AwsSolutions, NIST 800-53 rev 5) is clean', () => {
    const again = mounted();
    expectNagClean(again.stack.node.root as App, [RulePack.AWS_SOLUTIONS, RulePack.NIST_800_53_R5]);
  });
});

describe('mounted model errors', () => {
  test('without the driver, on Auto Mode, and outside EKS, each fails with the fix', () => {
    const stack = new Stack(testApp(), 'S');
    const lake = new DataLake(stack, 'Lake');
    const cluster = new GpuCluster(stack, 'Gpu', {});
    cluster.addGpuNodeGroup('L40s', { instanceTypes: [new ec2.InstanceType('g6e.2xlarge')], maxSize: 2 });
    const model = ModelSource.mountFromDataLake(lake.zone('models'), 'm/v1');
    expect(() => new InferenceService(stack, 'A', { site: cluster.site, name: 'a', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', model }))
      .toThrow(/model = "m\/v1" is mounted, but site "gpu" has no Mountpoint for Amazon S3 CSI driver\. Call gpuCluster\.addMountpointS3\(\)/);
    const auto = new GpuCluster(new Stack(testApp(), 'Auto'), 'Gpu', { capacityMode: ClusterCapacityMode.AUTO_MODE });
    expect(() => auto.addMountpointS3()).toThrow(/capacityMode = "auto-mode" has no confirmed support/);
    const lab = new KubernetesSite(testApp(), 'Lab', { gpuCapacity: { gpusPerNode: 1, totalGpus: 2 } });
    expect(() => new InferenceService(lab, 'B', { site: lab, name: 'b', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', model }))
      .toThrow(/is mounted, but site "lab" has no Mountpoint .* on clusters outside EKS/);
  });
});
