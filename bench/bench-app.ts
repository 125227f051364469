/**
 * One benchmark scenario as its own process (`node bench-app.js <scenario> [count]`), so a
 * measurement includes what `cdk synth` pays: loading aws-cdk-lib, building, synthesizing.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildReferencePlatform } from '../bin/reference-platform';
import { GpuCluster, InferenceService } from '../lib';

export const SCENARIOS = ['single-bucket', 'reference-platform', 'services', 'node-groups'] as const;

const CONTEXT = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8')).context;

function clusterWith(app: App, services: number, nodeGroups: number): void {
  const stack = new Stack(app, 'Scale');
  const cluster = new GpuCluster(stack, 'Gpu');
  for (let i = 0; i < nodeGroups; i++) {
    cluster.addGpuNodeGroup(`Gpu${i}`, { instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g6.2xlarge')], maxSize: services + 2 });
  }
  for (let i = 0; i < services; i++) {
    new InferenceService(stack, `Svc${i}`, { site: cluster.site, name: `model-${i}`, image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });
  }
}

/** Builds and synthesizes one scenario into a temporary directory; returns the Lambda function count. */
export function runScenario(scenario: string, count: number): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const app = new App({ outdir, context: CONTEXT });
  switch (scenario) {
    case 'single-bucket': new s3.Bucket(new Stack(app, 'Bucket'), 'Bucket', { enforceSSL: true }); break;
    case 'reference-platform': buildReferencePlatform(app); break;
    case 'services': clusterWith(app, count, 1); break;
    case 'node-groups': clusterWith(app, 1, count); break;
    default: throw new Error(`unknown scenario ${scenario}; use one of ${SCENARIOS.join(', ')}`);
  }
  const assembly = app.synth();
  const functions = assembly.stacksRecursively
    .flatMap((s) => Object.values(s.template.Resources ?? {}) as Array<{ Type: string }>)
    .filter((r) => r.Type === 'AWS::Lambda::Function').length;
  fs.rmSync(outdir, { recursive: true, force: true });
  return functions;
}

if (require.main === module) {
  const functions = runScenario(process.argv[2], Number(process.argv[3] ?? 1));
  process.stdout.write(JSON.stringify({ functions }));
}
