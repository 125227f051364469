/**
 * One benchmark scenario as its own process (`node bench-app.js <scenario> [count]`), so a
 * measurement includes what `cdk synth` pays: loading aws-cdk-lib, building, synthesizing.
 * Prints what it built as JSON: Lambda functions, and the largest template (nested included).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';

// The library and the modules it uses load only in the scenarios that use them, so the
// single-bucket floor pays what a one-bucket app pays, no more.
/* eslint-disable @typescript-eslint/no-require-imports */
const library = (): typeof import('../lib') => require('../lib');
const ec2 = (): typeof import('aws-cdk-lib/aws-ec2') => require('aws-cdk-lib/aws-ec2');

export const SCENARIOS = ['single-bucket', 'bare-eks-cluster', 'reference-platform', 'platform-services', 'node-groups'] as const;
/** Services per service group in the platform-services scenario (each group: its own stacks). */
export const SERVICES_PER_GROUP = 50;

const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

/** What one synthesized scenario holds. */
export interface ScenarioResult {
  readonly functions: number;
  /** Largest template in bytes, and its resource count, over every stack and nested stack. */
  readonly maxTemplateBytes: number;
  readonly maxResources: number;
  readonly templates: number;
}

/**
 * An AiPlatform with `services` autoscaled model servers on its EKS cluster, monitoring on,
 * in service groups of SERVICES_PER_GROUP, on a node group large enough for all of them at
 * maxReplicas.
 */
function platformWith(app: App, services: number): void {
  const { AiPlatform, InferenceScaling } = library();
  const { InstanceType } = ec2();
  new AiPlatform(app, 'Scale', {
    // 8 GPUs per node: every replica, its scale-out and a rollout surge fit, within 450 nodes.
    gpuNodeGroups: [{ id: 'L40s', options: { instanceTypes: [new InstanceType('g6e.48xlarge')], maxSize: Math.ceil((3 * services + 2) / 8) + 1 } }],
    inferenceServices: Array.from({ length: services }, (_, i) => ({
      id: `Model${i}`,
      group: `group-${Math.floor(i / SERVICES_PER_GROUP)}`,
      modelPrefix: `model-${i}/v1`,
      service: { name: `model-${i}`, image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1', maxReplicas: 2, scaling: InferenceScaling.onQueueDepth(8) },
    })),
  });
}

/**
 * The floor of any app with an EKS cluster: aws-eks-v2's Cluster with its kubectl provider and
 * layer, nothing of this library (what a hand-rolled stack pays before its first workload).
 */
function bareEksCluster(app: App): void {
  const eks: typeof import('aws-cdk-lib/aws-eks-v2') = require('aws-cdk-lib/aws-eks-v2');
  const { KubectlV36Layer }: typeof import('@aws-cdk/lambda-layer-kubectl-v36') = require('@aws-cdk/lambda-layer-kubectl-v36');
  const stack = new Stack(app, 'Eks');
  new eks.Cluster(stack, 'Cluster', { version: eks.KubernetesVersion.of('1.36'), kubectlProviderOptions: { kubectlLayer: new KubectlV36Layer(stack, 'Kubectl') } });
}

function clusterWithNodeGroups(app: App, nodeGroups: number): void {
  const { GpuCluster } = library();
  const { InstanceType } = ec2();
  const stack = new Stack(app, 'Scale');
  const cluster = new GpuCluster(stack, 'Gpu');
  for (let i = 0; i < nodeGroups; i++) {
    cluster.addGpuNodeGroup(`Gpu${i}`, { instanceTypes: [new InstanceType('g6.xlarge'), new InstanceType('g6.2xlarge')], maxSize: 4 });
  }
}

function templatesIn(directory: string): string[] {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return entry.name.startsWith('assembly-') ? templatesIn(full) : [];
    return entry.name.endsWith('.template.json') ? [full] : [];
  });
}

/** Builds and synthesizes one scenario into a temporary directory. */
export function runScenario(scenario: string, count: number): ScenarioResult {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  try {
    const app = new App({ outdir, context: CONTEXT });
    switch (scenario) {
      case 'single-bucket': new s3.Bucket(new Stack(app, 'Bucket'), 'Bucket', { enforceSSL: true }); break;
      case 'bare-eks-cluster': bareEksCluster(app); break;
      case 'reference-platform': (require('../bin/reference-platform') as typeof import('../bin/reference-platform')).buildReferencePlatform(app); break;
      case 'platform-services': platformWith(app, count); break;
      case 'node-groups': clusterWithNodeGroups(app, count); break;
      default: throw new Error(`unknown scenario ${scenario}; use one of ${SCENARIOS.join(', ')}`);
    }
    app.synth();
    let functions = 0;
    let maxTemplateBytes = 0;
    let maxResources = 0;
    const files = templatesIn(outdir);
    for (const file of files) {
      const resources = Object.values<{ Type: string }>(JSON.parse(fs.readFileSync(file, 'utf8')).Resources ?? {});
      functions += resources.filter((r) => r.Type === 'AWS::Lambda::Function').length;
      maxTemplateBytes = Math.max(maxTemplateBytes, fs.statSync(file).size);
      maxResources = Math.max(maxResources, resources.length);
    }
    return { functions, maxTemplateBytes, maxResources, templates: files.length };
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  process.stdout.write(JSON.stringify(runScenario(process.argv[2], Number(process.argv[3] ?? 1))));
}
