/**
 * The examples are consumer apps: they import `cdk-scalable-ai` by its name. Here the library is
 * packed as npm would publish it, the tarball is unpacked into a scratch app (its dependencies
 * linked to this checkout's), the examples are compiled against the package's declarations and
 * each runs with node as `cdk synth` would run it. A missing export, a file left out of
 * `files`, or a type that only resolves inside this repository fails here, not for a user.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { CONFORMANT_CONTEXT } from '../../examples/conformant-platform/app';
import { HYBRID_CONTEXT } from '../../examples/hybrid-burst/app';
import { KubernetesObject } from '../harness/kubernetes-schemas';
import { pinnedCapacities } from '../harness/manifests';

const ROOT = path.resolve(__dirname, '..', '..');
const CA_FILE = path.join(__dirname, 'test-ca.pem');
const CONTEXT = {
  onPremisesCaBundle: fs.readFileSync(CA_FILE, 'utf8'),
  [HYBRID_CONTEXT.caBundleFile]: CA_FILE,
  [HYBRID_CONTEXT.modelsBucketName]: 'hybrid-models-test',
  [HYBRID_CONTEXT.helperImage]: 'registry.lab.example/aws-signing-helper:1.8.1',
  [CONFORMANT_CONTEXT.certificateArn]: 'arn:aws:acm:eu-west-1:111122223333:certificate/1b2c3d4e-5f60-7182-93a4-b5c6d7e8f901',
  [CONFORMANT_CONTEXT.host]: 'chat.example.com',
};
/** Every example directory, and the stacks each must produce. */
const EXAMPLES: Record<string, string[]> = {
  'gpu-pools': ['GpuPools'],
  'streaming-features': ['StreamingFeatures'],
  'hybrid-burst': ['Hybrid/Data', 'Hybrid/Compute', 'Hybrid/Inference'],
  'sagemaker-endpoint': ['ManagedEndpoint'],
  'llm-serving-scale-to-zero': ['LlmServing'],
  'conformant-platform': ['ConformantPlatform'],
};

let consumer: string;

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): string {
  try {
    return execFileSync(command, args, { ...options, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

/** Links a dependency of the package to this checkout's copy (scoped names need their scope directory). */
function linkDependency(name: string): void {
  const target = path.join(consumer, 'node_modules', name);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules', name), target, 'dir');
}

beforeAll(() => {
  consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-consumer-'));
  // What `npm publish` would ship: a fresh build, then the package's files.
  run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: ROOT });
  const [packed] = JSON.parse(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', consumer], { cwd: ROOT })) as { filename: string }[];
  const installed = path.join(consumer, 'node_modules', 'cdk-scalable-ai');
  fs.mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', path.join(consumer, packed.filename), '-C', installed, '--strip-components=1'], { cwd: consumer });

  const manifest = JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string> };
  for (const name of [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies), '@types/node']) linkDependency(name);

  for (const example of Object.keys(EXAMPLES)) {
    fs.mkdirSync(path.join(consumer, 'examples', example), { recursive: true });
    fs.copyFileSync(path.join(ROOT, 'examples', example, 'app.ts'), path.join(consumer, 'examples', example, 'app.ts'));
  }
  fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, outDir: 'dist', rootDir: '.', types: ['node'] },
    include: ['examples/**/*.ts'],
  }));
  // skipLibCheck stays off: the package's declarations must compile for a strict consumer.
  run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: consumer });
}, 600_000);

afterAll(() => {
  if (consumer) fs.rmSync(consumer, { recursive: true, force: true });
});

/** Runs an example as the CDK CLI runs an app: context and output directory through the environment. */
function synthExample(example: string): string {
  const outdir = path.join(consumer, 'out', example);
  run(process.execPath, [path.join(consumer, 'dist', 'examples', example, 'app.js')], {
    cwd: consumer,
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify(CONTEXT) },
  });
  return outdir;
}

/** Display names of the assembly's stacks, stages' nested assemblies included. */
function stacksOf(outdir: string): string[] {
  type Artifact = { type: string; displayName?: string; properties?: { directoryName?: string } };
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')) as { artifacts: Record<string, Artifact> };
  return Object.entries(manifest.artifacts).flatMap(([id, artifact]) => {
    if (artifact.type === 'aws:cloudformation:stack') return [artifact.displayName ?? id];
    if (artifact.type === 'cdk:cloud-assembly') return stacksOf(path.join(outdir, artifact.properties!.directoryName!));
    return [];
  });
}

function manifestsOf(outdir: string, site: string): KubernetesObject[] {
  const directory = path.join(outdir, 'manifests', site);
  return fs.readdirSync(directory).filter((f) => f.endsWith('.k8s.yaml'))
    .flatMap((f) => Yaml.load(path.join(directory, f)) as KubernetesObject[]);
}

describe('the examples build against the packed package', () => {
  test('the tarball holds the compiled library and nothing from the repository beyond it', () => {
    const installed = path.join(consumer, 'node_modules', 'cdk-scalable-ai');
    expect(fs.existsSync(path.join(installed, 'dist', 'lib', 'index.js'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'dist', 'lib', 'index.d.ts'))).toBe(true);
    for (const absent of ['test', 'examples', 'bench', 'dist/test', 'dist/bin', 'node_modules']) {
      expect(fs.existsSync(path.join(installed, absent))).toBe(false);
    }
  });

  test.each(Object.entries(EXAMPLES))('%s synthesizes from the package', (example, stacks) => {
    const outdir = synthExample(example);
    expect(stacksOf(outdir).sort()).toEqual([...stacks].sort());
  });

  test('conformant-platform: the Gateway API CRD chart ships in the package and is staged as an asset', () => {
    const outdir = synthExample('conformant-platform');
    const staged = fs.readdirSync(outdir).filter((f) => f.startsWith('asset.'))
      .filter((f) => fs.existsSync(path.join(outdir, f, 'templates', 'gateway.networking.k8s.io_httproutes.yaml')));
    expect(staged).toHaveLength(1);
    const objects = manifestsOf(outdir, 'cluster');
    expect(objects.filter((o) => o.kind === 'HTTPRoute').map((o) => o.metadata?.name)).toEqual(['chat']);
  });

  test('gpu-pools: each model is pinned to its own pool in what is applied', () => {
    const objects = manifestsOf(synthExample('gpu-pools'), 'cluster');
    const deployment = (name: string) => objects.find((o) => o.kind === 'Deployment' && o.metadata?.name === name)!;
    expect(pinnedCapacities(deployment('llama-70b'))).toEqual(['h100']);
    expect(pinnedCapacities(deployment('llama-8b'))).toEqual(['l40s']);
    const pool = (name: string) => objects.find((o) => o.kind === 'NodePool' && o.metadata?.name === name);
    expect(pool('h100')).toBeDefined();
    expect(pool('l40s')).toBeDefined();
  });
});
