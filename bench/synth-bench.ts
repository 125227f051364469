/**
 * Synthesis benchmark (`npm run bench`). Each measurement is a fresh Node process running one
 * scenario (bench-app.ts), as `cdk synth` runs the app: an app with a single bucket as the
 * floor, the reference platform with aws-cdk-lib's built-in CloudFormation validation off and
 * on, an AiPlatform with 1, 10, 100 and 500 autoscaled, monitored model servers, and a
 * cluster with 1, 10 and 29 GPU node groups (with the system node group, EKS's default quota). All in one run on one
 * machine, so the ratios compare like with like. Medians of BENCH_REPEATS runs.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { ScenarioResult } from './bench-app';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const APP = path.join(__dirname, 'bench-app.js');
const SERVICE_COUNTS = [1, 10, 100, 500];
/** GPU node groups besides the system node group, up to EKS's default quota of 30 per cluster. */
const NODE_GROUP_COUNTS = [1, 10, 29];

interface Run extends ScenarioResult { readonly ms: number }

function run(scenario: string, count: number, validation: boolean): Run {
  const times: number[] = [];
  let result: ScenarioResult | undefined;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    const child = spawnSync(process.execPath, [APP, scenario, String(count)], {
      env: { ...process.env, CDK_VALIDATION: validation ? 'true' : 'false' },
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    times.push(performance.now() - start);
    if (child.status !== 0) throw new Error(`${scenario} ${count} failed:\n${child.stderr}`);
    result = JSON.parse(child.stdout);
  }
  times.sort((a, b) => a - b);
  return { ...result!, ms: times[Math.floor(times.length / 2)] };
}

/** ms per added item between consecutive counts. */
function marginals(counts: number[], runs: Run[]): number[] {
  return runs.slice(1).map((r, i) => (r.ms - runs[i].ms) / (counts[i + 1] - counts[i]));
}

function main(): void {
  const rows: string[] = [];
  const floor: Record<string, number> = {};
  let reference: Run | undefined;
  let bareEks: Run | undefined;
  for (const validation of [false, true]) {
    const bucket = run('single-bucket', 1, validation);
    const eks = run('bare-eks-cluster', 1, validation);
    const platform = run('reference-platform', 1, validation);
    floor[String(validation)] = bucket.ms;
    if (!validation) {
      reference = platform;
      bareEks = eks;
    }
    const v = validation ? 'on' : 'off';
    rows.push(`| single bucket | ${v} | ${bucket.ms.toFixed(0)} | 1.00 | |`);
    rows.push(`| bare aws-eks-v2 cluster + kubectl provider | ${v} | ${eks.ms.toFixed(0)} | ${(eks.ms / bucket.ms).toFixed(2)} | 1.00 |`);
    rows.push(`| reference platform | ${v} | ${platform.ms.toFixed(0)} | ${(platform.ms / bucket.ms).toFixed(2)} | ${(platform.ms / eks.ms).toFixed(2)} |`);
  }
  const services = SERVICE_COUNTS.map((n) => run('platform-services', n, false));
  const nodeGroups = NODE_GROUP_COUNTS.map((n) => run('node-groups', n, false));
  const serviceMarginals = marginals(SERVICE_COUNTS, services);
  const nodeGroupMarginals = marginals(NODE_GROUP_COUNTS, nodeGroups);

  console.log(`Synthesis benchmark: median of ${REPEATS} process runs, node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`);
  console.log('');
  console.log('| app | built-in validation | ms | x single bucket | x bare EKS cluster |');
  console.log('|---|---|---:|---:|---:|');
  rows.forEach((r) => console.log(r));
  console.log('');
  console.log('| AiPlatform, monitored model servers (validation off) | ms | x single bucket | marginal ms per service | templates | largest template (bytes, resources) |');
  console.log('|---|---:|---:|---:|---:|---:|');
  services.forEach((r, i) => console.log(`| ${SERVICE_COUNTS[i]} | ${r.ms.toFixed(0)} | ${(r.ms / floor.false).toFixed(2)} | ${i === 0 ? '' : `${serviceMarginals[i - 1].toFixed(1)} (${SERVICE_COUNTS[i - 1]} -> ${SERVICE_COUNTS[i]})`} | ${r.templates} | ${r.maxTemplateBytes}, ${r.maxResources} |`));
  console.log('');
  console.log('| GPU node groups (validation off) | ms | marginal ms per node group |');
  console.log('|---|---:|---:|');
  nodeGroups.forEach((r, i) => console.log(`| ${NODE_GROUP_COUNTS[i]} | ${r.ms.toFixed(0)} | ${i === 0 ? '' : nodeGroupMarginals[i - 1].toFixed(1)} |`));

  const ratio = reference!.ms / floor.false;
  const atTen = serviceMarginals[0];
  const atFiveHundred = serviceMarginals[serviceMarginals.length - 1];
  const largest = services[services.length - 1];
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log('');
  console.log('Targets:');
  console.log(`- 500 monitored services synthesize with no template over 1 MB or 500 resources: ${largest.maxTemplateBytes} bytes, ${largest.maxResources} resources, ${verdict(largest.maxTemplateBytes <= 1_000_000 && largest.maxResources <= 500)}`);
  console.log(`- marginal cost per service at 500 within 1.5x of that at 10: ${atFiveHundred.toFixed(1)} vs ${atTen.toFixed(1)} ms (${(atFiveHundred / atTen).toFixed(2)}x), ${verdict(atFiveHundred <= 1.5 * atTen)}`);
  console.log(`- reference platform (validation off) within 2x the single-bucket app: ${ratio.toFixed(2)}x, ${verdict(ratio <= 2)}`
    + ` (a bare EKS cluster alone takes ${(bareEks!.ms / floor.false).toFixed(2)}x; the platform ${(reference!.ms / bareEks!.ms).toFixed(2)}x that)`);
  console.log(`- Lambda functions in the reference platform (one provider = 2): ${reference!.functions}, ${verdict(reference!.functions <= 2)}`);
}

main();
