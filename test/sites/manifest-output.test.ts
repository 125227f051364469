import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApiObject, Chart, Yaml } from 'cdk8s';
import {
  MODELS_BUCKET_NAME_CONTEXT, ON_PREMISES_CA_FILE_CONTEXT, ROLES_ANYWHERE_HELPER_IMAGE_CONTEXT, buildReferencePlatform,
} from '../../bin/reference-platform';
import { DataLake, GpuCluster, InferenceService, KubernetesSite, KubernetesSiteBase, ModelSource, WorkloadCredentials } from '../../lib';
import { synthFindings, synthesizeClean, testApp } from '../harness/synth';

const TEST_CA_FILE = path.join(__dirname, '..', 'examples', 'test-ca.pem');

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)).map((f) => path.join(e.name, f)) : [e.name]));
}

describe('manifests under cdk.out/manifests/<site>/', () => {
  test('are byte-identical across two synths of the reference platform (EKS review copies and on-premises files)', () => {
    const context = {
      [ON_PREMISES_CA_FILE_CONTEXT]: TEST_CA_FILE,
      [MODELS_BUCKET_NAME_CONTEXT]: 'scalable-ai-models-test',
      [ROLES_ANYWHERE_HELPER_IMAGE_CONTEXT]: 'registry.example.com/aws-signing-helper:1.8.1',
    };
    const dirs = [1, 2].map((i) => {
      const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `synth-${i}-`));
      const app = testApp({ outdir, context });
      buildReferencePlatform(app);
      app.synth();
      return path.join(outdir, 'manifests');
    });
    const files = listFiles(dirs[0]).sort();
    expect(listFiles(dirs[1]).sort()).toEqual(files);
    expect(files).toEqual(expect.arrayContaining([path.join('scalableai-eks', 'inference-inference-llama-3-1-8b.k8s.yaml'), path.join('scalableai-onpremises', 'heartbeat.k8s.yaml')]));
    for (const file of files) {
      const first = fs.readFileSync(path.join(dirs[0], file), 'utf8');
      expect({ file, text: fs.readFileSync(path.join(dirs[1], file), 'utf8') }).toEqual({ file, text: first });
      expect({ file, tokens: first.match(/\$\{Token\[[^\]]*\]\}/g) }).toEqual({ file, tokens: null });
    }
    // EKS review copies name deploy-time values after logical ids.
    const eks = fs.readFileSync(path.join(dirs[0], 'scalableai-eks', 'inference-inference-llama-3-1-8b.k8s.yaml'), 'utf8');
    expect(eks).toMatch(/serverAddress: https:\/\/aps-workspaces\.\$\{AWS::Region\}\.\$\{AWS::URLSuffix\}\/workspaces\/\$\{[^}]+\}/);
  });

  test('a non-EKS site fails synth when a manifest would hold a value known only at deploy time', () => {
    const app = testApp();
    const stack = new Stack(app, 'Cloud');
    const bucket = new DataLake(stack, 'Lake').zone('raw').bucket;
    const site = new KubernetesSite(app, 'Lab');
    const chart = site.newChart('apps');
    new ApiObject(chart, 'Config', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'config', namespace: 'apps' }, data: { bucket: bucket.bucketName } });
    site.addChart(chart);
    expect(() => app.synth()).toThrow(/chart "apps" of site "lab" holds values known only at deploy time \(ConfigMap\/config\.data\.bucket: \$\{Token\[.*kubectl cannot resolve them/);
  });

  test('each chart is rendered once for delivery and once to check it did not change since; the written file shares the first; cdk8s never resolves the whole App', () => {
    const chartToJson = jest.spyOn(Chart.prototype, 'toJson');
    const objectToJson = jest.spyOn(ApiObject.prototype, 'toJson');
    const app = testApp();
    const stack = new Stack(app, 'S');
    const cluster = new GpuCluster(stack, 'Gpu');
    cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: 2 });
    synthesizeClean(app);
    const site = cluster.site as KubernetesSiteBase;
    const objects = site.charts.reduce((n, c) => n + site.renderedObjects(c).length, 0);
    expect(chartToJson).not.toHaveBeenCalled();
    // Linear: each object twice (delivery, and the check that nothing changed after delivery).
    expect(objectToJson).toHaveBeenCalledTimes(2 * objects);
    chartToJson.mockRestore();
    objectToJson.mockRestore();
    // What is rendered is exactly what cdk8s renders.
    for (const chart of site.charts) expect(site.renderedObjects(chart)).toEqual(chart.toJson());
  });
});

describe('an InferenceService on EKS: the manifest that runs its pods waits for their Pod Identity association', () => {
  function platform(separateStacks: boolean) {
    const app = testApp();
    const compute = new Stack(app, 'Compute');
    const inference = separateStacks ? new Stack(app, 'Inference') : compute;
    const cluster = new GpuCluster(compute, 'Gpu');
    cluster.addGpuNodeGroup('L4', { instanceTypes: [new ec2.InstanceType('g6.2xlarge')], maxSize: 2 });
    const lake = new DataLake(compute, 'Lake');
    new InferenceService(inference, 'Llm', {
      site: cluster.site, name: 'llama', image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1',
      model: ModelSource.fromDataLake(lake.zone('models'), 'llama/v1'),
    });
    return { app, compute, inference };
  }

  /** The KubernetesManifest of chart `inference-inference-llama` (logical ids keep the chart id). */
  function manifestOfService(template: Template): { DependsOn: string[] } {
    const manifests = template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
    return Object.entries(manifests).find(([id]) => /inferenceinferencellama/.test(id))?.[1] as { DependsOn: string[] };
  }

  test('one stack: DependsOn the association', () => {
    const { compute } = platform(false);
    const template = Template.fromStack(compute);
    const [association] = Object.keys(template.findResources('AWS::EKS::PodIdentityAssociation'));
    expect(manifestOfService(template).DependsOn).toContain(association);
  });

  test('separate stacks: the manifest lives with the association (the InferenceService\'s stack), after its namespace', () => {
    const { app, compute, inference } = platform(true);
    const assembly = synthesizeClean(app);
    const inferenceTemplate = Template.fromJSON(assembly.getStackArtifact(inference.artifactId).template);
    const [association] = Object.keys(inferenceTemplate.findResources('AWS::EKS::PodIdentityAssociation'));
    expect(manifestOfService(inferenceTemplate).DependsOn).toContain(association);
    const computeTemplate = Template.fromJSON(assembly.getStackArtifact(compute.artifactId).template);
    expect(manifestOfService(computeTemplate)).toBeUndefined();
    expect(assembly.getStackArtifact(inference.artifactId).dependencies.map((d) => d.id)).toContain(compute.artifactId);
  });
});

describe('on-premises model servers and heartbeat with IAM Roles Anywhere', () => {
  function labSite(stack: Stack, helperImage?: string): KubernetesSite {
    const role = new iam.Role(stack, 'LabRole', { assumedBy: new iam.ServicePrincipal('rolesanywhere.amazonaws.com') });
    return new KubernetesSite(stack.node.root as never, 'Lab', {
      gpuCapacity: { gpusPerNode: 4, totalGpus: 8 },
      workloadCredentials: WorkloadCredentials.IAM_ROLES_ANYWHERE,
      rolesAnywhereRole: role,
      rolesAnywhereHelperImage: helperImage,
    });
  }

  test('a model from a zone without a literal bucket name fails at construction with the fix', () => {
    const app = testApp();
    const stack = new Stack(app, 'Cloud');
    const lake = new DataLake(stack, 'Lake');
    const site = labSite(stack, 'registry.lab/aws-signing-helper:1.8.1');
    expect(() => new InferenceService(stack, 'Llm', { site, name: 'llama', image: 'img:1', modelVersion: 'v1', model: ModelSource.fromDataLake(lake.zone('models'), 'llama/v1') }))
      .toThrow(/model = "llama\/v1" is read from zone "models", whose bucket name is only known at deploy time.*DataLakeZoneProps\.bucketName/);
  });

  test('without a helper image, a model download fails at construction and names rolesAnywhereHelperImage', () => {
    const app = testApp();
    const stack = new Stack(app, 'Cloud');
    const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'models', bucketName: 'lab-models-test' }] });
    const site = labSite(stack);
    expect(() => new InferenceService(stack, 'Llm', { site, name: 'llama', image: 'img:1', modelVersion: 'v1', model: ModelSource.fromDataLake(lake.zone('models'), 'llama/v1') }))
      .toThrow(/site "lab" declares no rolesAnywhereHelperImage.*README "On-premises setup"/);
    expect(() => site.addHeartbeat()).toThrow(/rolesAnywhereHelperImage = undefined is needed for the heartbeat of site "lab"/);
  });

  test('the model downloader gets credentials from an aws_signing_helper serve native sidecar; files are apply-ready', () => {
    const app = testApp();
    const stack = new Stack(app, 'Cloud');
    const lake = new DataLake(stack, 'Lake', { zones: [{ name: 'models', bucketName: 'lab-models-test' }] });
    const site = labSite(stack, 'registry.lab/aws-signing-helper:1.8.1');
    new InferenceService(stack, 'Llm', { site, name: 'llama', image: 'img:1', modelVersion: 'v1', model: ModelSource.fromDataLake(lake.zone('models'), 'llama/v1') });
    const assembly = synthesizeClean(app);
    const [deployment] = Yaml.load(path.join(assembly.directory, 'manifests', 'lab', 'inference-inference-llama.k8s.yaml')).filter((o: { kind: string }) => o.kind === 'Deployment');
    const pod = deployment.spec.template.spec;
    const secretEnv = (name: string, key: string) => ({ name, valueFrom: { secretKeyRef: { name: 'aws-roles-anywhere', key } } });
    expect(pod.initContainers.map((c: { name: string }) => c.name)).toEqual(['aws-credentials', 'model-download']);
    expect(pod.initContainers[0]).toMatchObject({
      image: 'registry.lab/aws-signing-helper:1.8.1',
      restartPolicy: 'Always',
      command: ['aws_signing_helper', 'serve', '--certificate', '/etc/aws-roles-anywhere/certificate.pem', '--private-key', '/etc/aws-roles-anywhere/private-key.pem',
        '--trust-anchor-arn', '$(TRUST_ANCHOR_ARN)', '--profile-arn', '$(PROFILE_ARN)', '--role-arn', '$(ROLE_ARN)', '--port', '9911'],
      env: [secretEnv('TRUST_ANCHOR_ARN', 'trust-anchor-arn'), secretEnv('PROFILE_ARN', 'profile-arn'), secretEnv('ROLE_ARN', 'role-arn')],
    });
    expect(pod.initContainers[1].command).toEqual(['aws', 's3', 'sync', '--only-show-errors', 's3://lab-models-test/llama/v1/', '/models/llama']);
    expect(pod.initContainers[1].env).toEqual([
      { name: 'HOME', value: '/tmp' },
      { name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: 'http://127.0.0.1:9911' },
      { name: 'AWS_METADATA_SERVICE_NUM_ATTEMPTS', value: '10' },
      secretEnv('AWS_REGION', 'region'),
    ]);
    expect(pod.volumes).toContainEqual({ name: 'aws-roles-anywhere', secret: { secretName: 'aws-roles-anywhere', defaultMode: 0o440 } });
  });

  test('heartbeat: a restricted CronJob puts Heartbeat (SiteName) into cdk-scalable-ai/<site> every minute; metricHeartbeat() is that metric', () => {
    const app = testApp();
    const stack = new Stack(app, 'Cloud');
    const site = labSite(stack, 'registry.lab/aws-signing-helper:1.8.1');
    site.addHeartbeat();
    const { assembly, findings } = synthFindings(app);
    expect(findings).toEqual([]);
    const docs = Yaml.load(path.join(assembly!.directory, 'manifests', 'lab', 'heartbeat.k8s.yaml'));
    expect(site.charts.map((c) => c.node.id)).toEqual(['namespace-site-health', 'heartbeat']);
    const cronJob = docs.find((d: { kind: string }) => d.kind === 'CronJob');
    expect(cronJob.spec).toMatchObject({ schedule: '* * * * *', concurrencyPolicy: 'Forbid' });
    const pod = cronJob.spec.jobTemplate.spec.template.spec;
    expect(pod.initContainers[0]).toMatchObject({ name: 'aws-credentials', restartPolicy: 'Always' });
    expect(pod.containers[0].command).toEqual(['aws', 'cloudwatch', 'put-metric-data', '--namespace', 'cdk-scalable-ai/lab', '--metric-name', 'Heartbeat',
      '--dimensions', 'SiteName=lab', '--value', '1', '--unit', 'Count']);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    const metric = site.metricHeartbeat();
    expect([metric.namespace, metric.metricName, metric.dimensions, metric.period.toSeconds(), metric.statistic]).toEqual(['cdk-scalable-ai/lab', 'Heartbeat', { SiteName: 'lab' }, 60, 'Maximum']);
  });
});
