/**
 * Synthesis benchmark (`npm run bench`): the reference platform with aws-cdk-lib's built-in
 * CloudFormation validation on and off, and how synthesis grows with 1, 10 and 100
 * InferenceServices and GPU node groups, against an app holding a single bucket. Everything is
 * measured in one process, one run, so the ratios compare like with like.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildReferencePlatform } from '../bin/reference-platform';
import { GpuCluster, InferenceService } from '../lib';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');
const CONTEXT = JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context;
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

interface Measurement { readonly name: string; readonly validation: boolean; readonly ms: number }

/** Median wall time of building and synthesizing a fresh app, validation on or off. */
function measure(name: string, validation: boolean, build: (app: App) => void): Measurement {
  const times: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    process.env.CDK_VALIDATION = validation ? 'true' : 'false';
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const start = performance.now();
    const app = new App({ outdir, context: CONTEXT });
    build(app);
    app.synth();
    times.push(performance.now() - start);
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  times.sort((a, b) => a - b);
  return { name, validation, ms: times[Math.floor(times.length / 2)] };
}

function singleBucket(app: App): void {
  new s3.Bucket(new Stack(app, 'Bucket'), 'Bucket', { enforceSSL: true });
}

function clusterWith(services: number, nodeGroups: number): (app: App) => void {
  return (app) => {
    const stack = new Stack(app, 'Scale');
    const cluster = new GpuCluster(stack, 'Gpu');
    for (let i = 0; i < nodeGroups; i++) {
      cluster.addGpuNodeGroup(`Gpu${i}`, { instanceTypes: [new ec2.InstanceType('g6.xlarge'), new ec2.InstanceType('g6.2xlarge')], maxSize: Math.max(2, services + 2) });
    }
    for (let i = 0; i < services; i++) {
      new InferenceService(stack, `Svc${i}`, { site: cluster.site, name: `model-${i}`, image: 'vllm/vllm-openai:v0.11.0', modelVersion: 'v1' });
    }
  };
}

function main(): void {
  // Warm-up: module loading and the kubectl layer's asset fingerprint happen once per process.
  measure('warm-up', false, buildReferencePlatform);

  const results: Measurement[] = [];
  for (const validation of [false, true]) {
    results.push(measure('single bucket', validation, singleBucket));
    results.push(measure('reference platform', validation, buildReferencePlatform));
  }
  const growth: Array<{ kind: string; count: number; ms: number }> = [];
  for (const count of [1, 10, 100]) {
    growth.push({ kind: 'InferenceServices', count, ms: measure(`${count} services`, false, clusterWith(count, 1)).ms });
    growth.push({ kind: 'GPU node groups', count, ms: measure(`${count} node groups`, false, clusterWith(1, count)).ms });
  }

  const baseline = (validation: boolean) => results.find((r) => r.name === 'single bucket' && r.validation === validation)!.ms;
  console.log(`Synthesis benchmark: median of ${REPEATS} runs, node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`);
  console.log('');
  console.log('| app | validation | ms | x single bucket |');
  console.log('|---|---|---:|---:|');
  for (const r of results) console.log(`| ${r.name} | ${r.validation ? 'on' : 'off'} | ${r.ms.toFixed(0)} | ${(r.ms / baseline(r.validation)).toFixed(2)} |`);
  console.log('');
  console.log('| growth (validation off) | 1 | 10 | 100 | marginal ms per item (10 -> 100) |');
  console.log('|---|---:|---:|---:|---:|');
  for (const kind of ['InferenceServices', 'GPU node groups']) {
    const rows = growth.filter((g) => g.kind === kind);
    const marginal = (rows[2].ms - rows[1].ms) / 90;
    console.log(`| ${kind} | ${rows.map((r) => r.ms.toFixed(0)).join(' | ')} | ${marginal.toFixed(1)} |`);
  }

  const providers = countLambdaFunctions();
  const referenceOff = results.find((r) => r.name === 'reference platform' && !r.validation)!.ms;
  const serviceMarginal = (growth[4].ms - growth[2].ms) / 90;
  console.log('');
  console.log('Targets:');
  console.log(`- marginal InferenceService < 25 ms: ${serviceMarginal.toFixed(1)} ms ${serviceMarginal < 25 ? 'MET' : 'MISSED'}`);
  console.log(`- reference platform (validation off) within 4x single bucket: ${(referenceOff / baseline(false)).toFixed(2)}x ${referenceOff <= 4 * baseline(false) ? 'MET' : 'MISSED'}`);
  console.log(`- Lambda functions in the reference platform (kubectl provider = 2): ${providers} ${providers <= 2 ? 'MET' : 'MISSED'}`);
}

function countLambdaFunctions(): number {
  process.env.CDK_VALIDATION = 'false';
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const app = new App({ outdir, context: CONTEXT });
  buildReferencePlatform(app);
  const assembly = app.synth();
  const count = assembly.stacksRecursively
    .flatMap((s) => Object.values(s.template.Resources ?? {}) as Array<{ Type: string }>)
    .filter((r) => r.Type === 'AWS::Lambda::Function').length;
  fs.rmSync(outdir, { recursive: true, force: true });
  return count;
}

main();
