/**
 * Python, Java, .NET and Go users get the library through jsii. The library must compile with
 * the jsii compiler (no ReadonlyArray in the public API, underscored members @internal, class
 * members as optional as the interfaces they implement, ...), and every public name must reach
 * the assembly: jsii drops exported functions and constants silently, so the package exports
 * neither. Its warnings are errors too, except reserved words that no binding trips over (below).
 *
 * jsii runs once, through tools/jsii-assembly.mjs, on a copy of lib/ with the configuration the
 * build will adopt (it writes its own tsconfig.json, which must not replace the project's). The
 * same assembly then gives the API reference (API.md, jsii-docgen, which must match the committed
 * file) and the Python bindings (jsii-pacmak, code only: no Python toolchain needed).
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * Reserved words jsii warns about that the bindings handle: C# and Go capitalize property and
 * method names (`Namespace`, `Type`, `Decimal`), and Python and Java do not reserve them. They are
 * the Kubernetes and AWS names users know (aws-cdk-lib uses the same props).
 */
const HARMLESS_RESERVED_WORDS = ['namespace', 'type', 'decimal'];
const API_REFERENCE = path.join(ROOT, 'API.md');

let workdir: string;
let assemblyDir: string;
let jsii: { ok: boolean; output: string; assembly: string };

/** Runs a Node script of the project (tools/..., node_modules/...) and returns its stdout; throws with its output. */
function runNode(script: string, args: string[], cwd = ROOT): string {
  try {
    return execFileSync(process.execPath, [path.join(ROOT, script), ...args],
      { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${script} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

function assemblyPath(): string {
  if (!jsii.ok) throw new Error('jsii failed, no assembly (see the compile test)');
  return jsii.assembly;
}

beforeAll(() => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-jsii-'));
  assemblyDir = path.join(workdir, 'assembly');
  // The script prints its result as JSON, and exits 1 when jsii reports errors.
  const run = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'jsii-assembly.mjs'), '--dir', assemblyDir, '--json'],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  try {
    jsii = JSON.parse(run.stdout);
  } catch {
    jsii = { ok: false, output: `${run.error ?? ''}\n${run.stdout}\n${run.stderr}`, assembly: '' };
  }
}, 600_000);

afterAll(() => {
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

describe('jsii', () => {
  test('the library compiles with jsii, without errors', () => {
    const errors = jsii.output.split('\n').filter((line) => /error JSII\d+/.test(line));
    expect({ failed: !jsii.ok, errors }).toEqual({ failed: false, errors: [] });
  });

  test('no warnings beyond reserved words the bindings capitalize', () => {
    const warnings = jsii.output.split('\n').filter((line) => /warning JSII\d+/.test(line))
      .filter((line) => !HARMLESS_RESERVED_WORDS.some((word) => line.includes(`JSII5018: "${word}" is a reserved word`)));
    expect(warnings).toEqual([]);
  });

  test('every exported name reaches the assembly', () => {
    const assembly = JSON.parse(fs.readFileSync(assemblyPath(), 'utf8')) as { types: Record<string, unknown> };
    const types = new Set(Object.keys(assembly.types).map((fqn) => fqn.replace(/^cdk-scalable-ai\./, '')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.keys(require('../../lib')).sort();
    expect(exported.filter((name) => !types.has(name))).toEqual([]);
  });
});

describe('API reference', () => {
  test('API.md is what jsii-docgen generates from the assembly', () => {
    assemblyPath();
    const generated = path.join(workdir, 'API.md');
    runNode('tools/docgen.mjs', ['--assembly-dir', assemblyDir, '--output', generated]);
    const fresh = fs.readFileSync(generated, 'utf8');
    const committed = fs.existsSync(API_REFERENCE) ? fs.readFileSync(API_REFERENCE, 'utf8') : '';
    if (fresh !== committed) {
      const [a, b] = [committed.split('\n'), fresh.split('\n')];
      const line = a.findIndex((text, i) => text !== b[i]);
      const at = line < 0 ? a.length : line;
      throw new Error(`API.md is stale: run npm run docgen\n(first difference at line ${at + 1}:\n- ${a[at] ?? '<end of file>'}\n+ ${b[at] ?? '<end of file>'})`);
    }
  });
});

describe('Python bindings', () => {
  let moduleDir: string;

  beforeAll(() => {
    if (!jsii.ok) return;
    const outdir = path.join(workdir, 'pacmak');
    runNode('node_modules/jsii-pacmak/bin/jsii-pacmak', ['--code-only', '--targets', 'python', '--outdir', outdir, assemblyDir]);
    moduleDir = path.join(outdir, 'python', 'src', 'cdk_scalable_ai');
  }, 300_000);

  test('jsii-pacmak generates the cdk_scalable_ai module with the constructs', () => {
    assemblyPath();
    const source = fs.readFileSync(path.join(moduleDir, '__init__.py'), 'utf8');
    const classes = ['AiPlatform', 'GpuCluster'].filter((name) => new RegExp(`^class ${name}\\(`, 'm').test(source));
    expect(classes).toEqual(['AiPlatform', 'GpuCluster']);
    const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(fs.readdirSync(path.join(moduleDir, '_jsii'))).toContain(`${name}@${version}.jsii.tgz`);
  });

  const python = spawnSync('python3', ['--version']).status === 0;
  (python ? test : test.skip)('the generated module is valid Python (python3 -m py_compile)', () => {
    assemblyPath();
    const check = spawnSync('python3', ['-m', 'py_compile', path.join(moduleDir, '__init__.py')], { encoding: 'utf8' });
    expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
  });
});

describe('README examples', () => {
  test('jsii-rosetta compiles every TypeScript example of the README and translates it to each jsii language', () => {
    assemblyPath();
    // Fixtures (rosetta/*.ts-fixture) declare what the examples take as given; --strict fails on
    // any example that does not compile or that uses TypeScript the other languages cannot express.
    const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'jsii-rosetta', 'bin', 'jsii-rosetta'), 'extract', '--compile', '--strict', '--fail', '.jsii'],
      { cwd: assemblyDir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    const diagnostics = `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => /error|\[WARN\]/.test(line));
    expect({ status: run.status, diagnostics }).toEqual({ status: 0, diagnostics: [] });
    const tablet = JSON.parse(fs.readFileSync(path.join(assemblyDir, '.jsii.tabl.json'), 'utf8')) as {
      snippets: Record<string, { didCompile?: boolean; translations: Record<string, unknown> }>;
    };
    const snippets = Object.values(tablet.snippets);
    const readmeExamples = (fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').match(/^```ts/gm) ?? []).length;
    expect(snippets.length).toBeGreaterThanOrEqual(readmeExamples);
    expect(snippets.filter((s) => s.didCompile !== true || !['python', 'java', 'csharp', 'go'].every((l) => l in s.translations))).toEqual([]);
  }, 300_000);
});
