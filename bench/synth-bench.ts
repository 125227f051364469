/**
 * Synthesis benchmark (`npm run bench`). Each measurement is a fresh Node process running one
 * scenario (bench-app.ts), as `cdk synth` runs the app: the reference platform with
 * aws-cdk-lib's built-in CloudFormation validation on and off, an app with a single bucket as
 * the floor, and growth with 1, 10 and 100 InferenceServices and GPU node groups. All in one
 * run on one machine, so the ratios compare like with like. Medians of BENCH_REPEATS runs.
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const APP = path.join(__dirname, 'bench-app.js');

interface Run { readonly ms: number; readonly functions: number }

function run(scenario: string, count: number, validation: boolean): Run {
  const times: number[] = [];
  let functions = 0;
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now();
    const result = spawnSync(process.execPath, [APP, scenario, String(count)], {
      env: { ...process.env, CDK_VALIDATION: validation ? 'true' : 'false' },
      encoding: 'utf8',
    });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`${scenario} ${count} failed:\n${result.stderr}`);
    functions = JSON.parse(result.stdout).functions;
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(times.length / 2)], functions };
}

function main(): void {
  const rows: string[] = [];
  const floor: Record<string, number> = {};
  let reference: Run | undefined;
  for (const validation of [false, true]) {
    const bucket = run('single-bucket', 1, validation);
    const platform = run('reference-platform', 1, validation);
    floor[String(validation)] = bucket.ms;
    if (!validation) reference = platform;
    const v = validation ? 'on' : 'off';
    rows.push(`| single bucket | ${v} | ${bucket.ms.toFixed(0)} | 1.00 |`);
    rows.push(`| reference platform | ${v} | ${platform.ms.toFixed(0)} | ${(platform.ms / bucket.ms).toFixed(2)} |`);
  }
  const growth: Record<string, number[]> = { services: [], 'node-groups': [] };
  for (const scenario of Object.keys(growth)) {
    for (const count of [1, 10, 100]) growth[scenario].push(run(scenario, count, false).ms);
  }

  console.log(`Synthesis benchmark: median of ${REPEATS} process runs, node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}`);
  console.log('');
  console.log('| app | built-in validation | ms | x single bucket |');
  console.log('|---|---|---:|---:|');
  rows.forEach((r) => console.log(r));
  console.log('');
  console.log('| growth (validation off) | 1 | 10 | 100 | marginal ms per item (10 -> 100) |');
  console.log('|---|---:|---:|---:|---:|');
  const marginal = (scenario: string) => (growth[scenario][2] - growth[scenario][1]) / 90;
  console.log(`| InferenceServices | ${growth.services.map((m) => m.toFixed(0)).join(' | ')} | ${marginal('services').toFixed(1)} |`);
  console.log(`| GPU node groups | ${growth['node-groups'].map((m) => m.toFixed(0)).join(' | ')} | ${marginal('node-groups').toFixed(1)} |`);

  const ratio = reference!.ms / floor.false;
  console.log('');
  console.log('Targets:');
  console.log(`- marginal cost of one more InferenceService < 25 ms: ${marginal('services').toFixed(1)} ms, ${marginal('services') < 25 ? 'met' : 'MISSED'}`);
  console.log(`- reference platform (validation off) within 4x the single-bucket app: ${ratio.toFixed(2)}x, ${ratio <= 4 ? 'met' : 'MISSED'}`);
  console.log(`- Lambda functions in the reference platform (one provider = 2): ${reference!.functions}, ${reference!.functions <= 2 ? 'met' : 'MISSED'}`);
}

main();
