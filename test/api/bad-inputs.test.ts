/**
 * Bad input a user might write, one per class issue 14 lists (Kubernetes names and lengths after
 * the library's suffixes, label keys and values, image references, reserved namespaces, CIDRs,
 * KEDA/HPA limits, durations that are not whole seconds, EKS names, capacity reservation ids,
 * SageMaker images outside ECR, S3 URIs for prefixes, registry mirrors with a scheme, alarms that
 * cannot fire): each fails at construction with a ValidationError naming the prop. Valid input
 * near those edges, and tokens, pass (through synth).
 */
import { Duration, Lazy, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  AiPlatform, ClusterCapacityMode, InferenceScaling, ProducerTrustSource, ScaleToZero, ServiceExposure,
} from '../../lib';
import { TEST_CA_PEM } from '../data/fixtures';
import { testApp } from '../harness/synth';
import { thrownBy } from '../harness/thrown';

const svc = (o: Record<string, unknown> = {}) => ({ name: 'llm', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', ...o });
const gng = [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: 4 } }];
const p = (props: Record<string, unknown>) => () => new AiPlatform(testApp(), 'P', { monitoring: false, ...props } as never);
const withSvc = (o: Record<string, unknown>, extra: Record<string, unknown> = {}) => p({ gpuNodeGroups: gng, inferenceServices: [{ id: 'S', service: svc(o), ...extra }] });
const lab = (site: Record<string, unknown> = {}, o: Record<string, unknown> = {}) => p({
  onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 16 }, trustSource: ProducerTrustSource.fromCertificateBundle(TEST_CA_PEM), rolesAnywhereHelperImage: 'registry.lab/helper:1', site, ...o }],
});

/** Builds and synthesizes the platform (token arithmetic happens in validations at synth too). */
const synthOf = (build: () => unknown) => () => (build() as AiPlatform).synth();

const badInputs: Array<[string, string, () => unknown]> = [
  ['name underscore', 'name', withSvc({ name: 'Llama_3' })],
  ['name 60 chars + wake', 'name', withSvc({ name: 'a'.repeat(60), scaleToZero: ScaleToZero.onRequest() })],
  ['name 63 chars', 'name', withSvc({ name: 'a'.repeat(63) })],
  ['name 50 + canary', 'name', withSvc({ name: 'a'.repeat(58), canary: { modelVersion: 'v2' } })],
  ['modelVersion bad', 'modelVersion', withSvc({ modelVersion: 'v1 final' })],
  ['image with scheme', 'image', withSvc({ image: 'https://registry.example.com/x:1' })],
  ['image with space', 'image', withSvc({ image: 'vllm/vllm openai:1' })],
  ['image uppercase repo', 'image', withSvc({ image: 'VLLM/vllm-openai:1' })],
  ['namespace kube-system', 'namespace', withSvc({ namespace: 'kube-system' })],
  ['namespace default', 'namespace', withSvc({ namespace: 'default' })],
  ['polling 500ms', 'scalingBehavior.pollingInterval', withSvc({ scaling: InferenceScaling.onQueueDepth(8), scalingBehavior: { pollingInterval: Duration.millis(500) } })],
  ['stabilization 2 days', 'scalingBehavior.scaleDownStabilization', withSvc({ scaling: InferenceScaling.onQueueDepth(8), scalingBehavior: { scaleDownStabilization: Duration.days(2) } })],
  ['maxStartupTime 1500ms', 'maxStartupTime', withSvc({ maxStartupTime: Duration.millis(1500) })],
  ['terminationGrace 0.5s', 'terminationGracePeriod', withSvc({ terminationGracePeriod: Duration.millis(500) })],
  ['gpusPerReplica 0.5', 'gpusPerReplica', withSvc({ gpusPerReplica: 0.5 })],
  ['cpu bad', 'cpu', withSvc({ cpu: '4 cores' })],
  ['memory bad', 'memory', withSvc({ memory: '24GB' })],
  ['sharedMemory bad', 'sharedMemory', withSvc({ sharedMemory: 'lots' })],
  ['healthPath no slash', 'healthPath', withSvc({ healthPath: 'health' })],
  ['port 70000', 'port', withSvc({ port: 70000 })],
  ['modelPrefix s3 url', 'model.prefix', withSvc({}, { modelPrefix: 's3://bucket/models/llm' })],
  ['modelPrefix leading slash', 'model.prefix', withSvc({}, { modelPrefix: '/models/llm' })],
  ['ingress host bad', 'exposure.host', () => new AiPlatform(testApp(), 'P', { monitoring: false, cluster: { awsLoadBalancerController: {} }, gpuNodeGroups: gng, inferenceServices: [{ id: 'S', service: svc({ scaling: InferenceScaling.onQueueDepth(8), exposure: ServiceExposure.ingressWithCertificate('Bad_Host', 'arn:aws:acm:eu-west-1:111122223333:certificate/abc') }) }] } as never)],
  ['gpuRequirements model unknown', 'gpuRequirements.models', withSvc({ gpuRequirements: { models: ['H200X'] } })],
  ['min gpu memory 0', 'gpuRequirements.minGpuMemory', withSvc({ gpuRequirements: { minGpuMemory: Size.gibibytes(0) } })],
  ['clusterName bad', 'clusterName', p({ cluster: { clusterName: 'my cluster!' } })],
  ['clusterName 101', 'clusterName', p({ cluster: { clusterName: 'a'.repeat(101) } })],
  ['systemNodeCount 0', 'systemNodeCount', p({ cluster: { systemNodeCount: 0 } })],
  ['remote CIDR /33', 'hybridNodes.remoteNodeCidrs', p({ cluster: { hybridNodes: { remoteNodeCidrs: ['10.0.0.0/33'] } } })],
  ['remote CIDR 300.', 'hybridNodes.remoteNodeCidrs', p({ cluster: { hybridNodes: { remoteNodeCidrs: ['300.0.0.0/8'] } } })],
  ['remote CIDR overlaps VPC', 'hybridNodes.remoteNodeCidrs', p({ cluster: { hybridNodes: { remoteNodeCidrs: ['10.0.0.0/24'] } } })],
  ['remote CIDR public', 'hybridNodes.remoteNodeCidrs', p({ cluster: { hybridNodes: { remoteNodeCidrs: ['8.8.8.0/24'] } } })],
  ['remote node/pod CIDR overlap', 'hybridNodes.remotePodCidrs', p({ cluster: { hybridNodes: { remoteNodeCidrs: ['192.168.0.0/16'], remotePodCidrs: ['192.168.128.0/18'] } } })],
  ['nodegroupName bad', 'nodegroupName', p({ gpuNodeGroups: [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], nodegroupName: 'bad name!' } }] })],
  ['capacityReservationId bad', 'capacityReservationId', p({ gpuNodeGroups: [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], capacityReservationId: 'cr-123' } }] })],
  ['instance type not GPU', 'instanceTypes', p({ gpuNodeGroups: [{ id: 'M', options: { instanceTypes: [new ec2.InstanceType('m7i.large')] } }] })],
  ['labels bad key', 'labels key', p({ gpuNodeGroups: [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], labels: { 'bad key': 'x' } } }] })],
  ['labels bad value', 'labels.team', p({ gpuNodeGroups: [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], labels: { team: 'a b' } } }] })],
  ['volume 1 GiB', 'volumeSize (GiB)', p({ gpuNodeGroups: [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], volumeSize: Size.gibibytes(1) } }] })],
  ['node pool on managed node groups', 'capacityMode', p({ gpuNodePools: [{ id: 'Pool', options: { instanceFamilies: ['g6'] } }] })],
  ['node pool family bad', 'instanceFamilies', p({ cluster: { capacityMode: ClusterCapacityMode.AUTO_MODE }, gpuNodePools: [{ id: 'Pool', options: { instanceFamilies: ['g6.xlarge'] } }] })],
  ['node pool name bad', 'name', p({ cluster: { capacityMode: ClusterCapacityMode.AUTO_MODE }, gpuNodePools: [{ id: 'Pool', options: { instanceFamilies: ['g6'], name: 'Pool_1' } }] })],
  ['registry mirror scheme', 'imageRegistryMirror', lab({ imageRegistryMirror: 'https://mirror.example.com' })],
  ['registry mirror trailing slash', 'imageRegistryMirror', lab({ imageRegistryMirror: 'mirror.example.com/' })],
  ['storage class bad', 'storageClassName', lab({ storageClassName: 'Fast SSD' })],
  ['gpu node labels bad key', 'gpuNodeLabels key', lab({ gpuNodeLabels: { 'a b': 'x' } })],
  ['taint key bad', 'gpuNodeTaints[0].key', lab({ gpuNodeTaints: [{ key: 'a b', effect: 'NoSchedule' }] })],
  ['taint value bad', 'gpuNodeTaints[0].value', lab({ gpuNodeTaints: [{ key: 'gpu', value: 'a b', effect: 'NoSchedule' }] })],
  ['prometheus url no scheme', 'prometheusQueryUrl', lab({ prometheusQueryUrl: 'prometheus:9090' })],
  ['helper image bad', 'rolesAnywhereHelperImage', lab({}, { rolesAnywhereHelperImage: 'https://x/y:1' })],
  ['site gpusPerNode 0', 'gpuCapacity.gpusPerNode', p({ onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 0, totalGpus: 16 } }] })],
  ['site total < per node', 'gpuCapacity.totalGpus', p({ onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 4 } }] })],
  ['site id bad', 'siteName', p({ onPremisesSites: [{ id: 'Lab 1', gpuCapacity: { gpusPerNode: 8, totalGpus: 16 } }] })],
  ['sagemaker image docker hub', 'image', p({ sageMakerEndpoints: [{ id: 'E', modelPrefix: 'm/v1', endpoint: { image: 'vllm/vllm-openai:v0.11.0', instanceType: 'ml.g6e.2xlarge' } }] })],
  ['sagemaker instance no ml.', 'instanceType', p({ sageMakerEndpoints: [{ id: 'E', modelPrefix: 'm/v1', endpoint: { image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/x:1', instanceType: 'g6e.2xlarge' } }] })],
  ['sagemaker modelPrefix s3', 'modelData.prefix', p({ sageMakerEndpoints: [{ id: 'E', modelPrefix: 's3://b/m', endpoint: { image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/x:1', instanceType: 'ml.g6e.2xlarge' } }] })],
  ['sagemaker endpointName bad', 'endpointName', p({ sageMakerEndpoints: [{ id: 'E', modelPrefix: 'm/v1', endpoint: { image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/x:1', instanceType: 'ml.g6e.2xlarge', endpointName: 'bad_name' } }] })],
  ['stream prefix s3', 'prefix', p({ streams: [{ id: 'S', options: { prefix: 's3://b/events/' } }] })],
  ['stream retention 12h', 'retentionPeriod', p({ streams: [{ id: 'S', options: { retentionPeriod: Duration.hours(12) } }] })],
  ['iterator age alarm > retention', 'iteratorAgeAlarmThreshold', p({ streams: [{ id: 'S', options: { retentionPeriod: Duration.hours(24), iteratorAgeAlarmThreshold: Duration.hours(30) } }] })],
  ['buffering 1.5 s', 'bufferingInterval', p({ streams: [{ id: 'S', options: { bufferingInterval: Duration.millis(1500) } }] })],
  ['freshness alarm < buffering', 'deliveryFreshnessAlarmThreshold', p({ streams: [{ id: 'S', options: { bufferingInterval: Duration.minutes(10), deliveryFreshnessAlarmThreshold: Duration.minutes(5) } }] })],
  ['zone name bad', 'zones[0].name', p({ dataLake: { zones: [{ name: 'Raw Zone' }] } })],
  ['bucket name bad', 'zones[0].bucketName', p({ dataLake: { zones: [{ name: 'raw', bucketName: 'My_Bucket' }] } })],
  ['stream zone unknown', 'zone', p({ streams: [{ id: 'S', zone: 'nope' }] })],
  ['dashboard name bad', 'dashboardName', p({ monitoring: true, monitoringOptions: { dashboardName: 'my dashboard!' } })],
  ['monitoring interval 0', 'defaultInterval', p({ monitoring: true, monitoringOptions: { defaultInterval: Duration.seconds(0) } })],
  ['stageName bad', 'stageName', p({ stageName: 'bad stage!' })],
];

const validInputs: Array<[string, () => unknown]> = [
  ['a model latency of 500 ms for blue/green rollback', p({ sageMakerEndpoints: [{ id: 'E', modelPrefix: 'm/v1', endpoint: { image: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/x:1', instanceType: 'ml.g6e.2xlarge', deployment: { maxModelLatency: Duration.millis(500) } } }] })],
  ['env key bad', withSvc({ env: { 'my key': 'x' } })],
  ['maxStartupTime 90s + onRequest', withSvc({ scaling: InferenceScaling.onQueueDepth(8), scaleToZero: ScaleToZero.onRequest(), maxStartupTime: Duration.seconds(90) })],
  ['onRequest idle 30s', withSvc({ scaling: InferenceScaling.onQueueDepth(8), scaleToZero: ScaleToZero.onRequest(Duration.seconds(30)) })],
  ['gpusPerReplica token (synthesized)', synthOf(withSvc({ gpusPerReplica: Lazy.number({ produce: () => 1 }) }))],
  ['maxReplicas token (synthesized)', synthOf(withSvc({ maxReplicas: Lazy.number({ produce: () => 4 }) }))],
  ['maxSize token (synthesized)', synthOf(p({ gpuNodeGroups: [{ id: 'L4', options: { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: Lazy.number({ produce: () => 4 }) } }], inferenceServices: [{ id: 'S', service: svc() }] }))],
  ['site totalGpus token (synthesized)', synthOf(p({ onPremisesSites: [{ id: 'Lab', heartbeat: false, gpuCapacity: { gpusPerNode: 8, totalGpus: Lazy.number({ produce: () => 16 }) } }], inferenceServices: [{ id: 'S', site: 'p-lab', service: svc() }] }))],
  ['image token (synthesized)', synthOf(withSvc({ image: Lazy.string({ produce: () => 'vllm/vllm-openai:v1' }) }))],
  ['node pool consolidateAfter 90s', p({ cluster: { capacityMode: ClusterCapacityMode.AUTO_MODE }, gpuNodePools: [{ id: 'Pool', options: { instanceFamilies: ['g6'], consolidateAfter: Duration.seconds(90) } }] })],
  ['site total not multiple', p({ onPremisesSites: [{ id: 'Lab', gpuCapacity: { gpusPerNode: 8, totalGpus: 12 } }] })],
];

test.each(badInputs)('%s fails with a ValidationError naming %s', (_, prop, build) => {
  const error = thrownBy(build);
  expect({ name: error?.name, message: error?.message }).toEqual({ name: 'ValidationError', message: expect.stringContaining(`${prop} = `) });
});

test.each(validInputs)('%s is accepted', (_, build) => {
  expect(thrownBy(build)).toBeUndefined();
}, 120_000);
