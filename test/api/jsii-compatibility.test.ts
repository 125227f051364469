/**
 * Python, Java, .NET and Go users get the library through jsii. The library must compile with
 * the jsii compiler (no ReadonlyArray in the public API, underscored members @internal, class
 * members as optional as the interfaces they implement, ...), and every public name must reach
 * the assembly: jsii drops exported functions and constants silently. The names it still drops
 * are listed in jsii-not-in-assembly.json; the list may only shrink (issue 14 empties it by
 * turning them into static members or internal helpers).
 *
 * jsii runs on a copy of lib/ with the configuration the build will adopt: it writes its own
 * tsconfig.json, which must not replace the project's.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const KNOWN_MISSING = path.join(__dirname, 'jsii-not-in-assembly.json');

let workdir: string;
let output = '';
let failed = false;

beforeAll(() => {
  workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-jsii-'));
  fs.cpSync(path.join(ROOT, 'lib'), path.join(workdir, 'lib'), { recursive: true });
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(workdir, 'node_modules'), 'dir');
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(workdir, 'package.json'), JSON.stringify({
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    author: { name: 'cdk-scalable-ai', email: 'maintainers@cdk-scalable-ai.invalid', organization: true },
    repository: { type: 'git', url: 'https://cdk-scalable-ai.invalid/cdk-scalable-ai.git' },
    main: 'lib/index.js',
    types: 'lib/index.d.ts',
    peerDependencies: manifest.peerDependencies,
    dependencies: manifest.dependencies,
    bundledDependencies: Object.keys(manifest.dependencies),
    jsii: { outdir: 'dist', targets: {}, tsc: { outDir: 'out', rootDir: 'lib' } },
  }, null, 2));
  try {
    // The reserved-word warnings (e.g. a prop named `default` in Java) are issue 14's to resolve.
    output = execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'jsii', 'bin', 'jsii'), '--silence-warnings=reserved-word'],
      { cwd: workdir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  } catch (error) {
    failed = true;
    const e = error as { stdout?: string; stderr?: string };
    output = `${e.stdout ?? ''}\n${e.stderr ?? ''}`;
  }
}, 600_000);

afterAll(() => {
  if (workdir) fs.rmSync(workdir, { recursive: true, force: true });
});

describe('jsii', () => {
  test('the library compiles with jsii, without errors', () => {
    const errors = output.split('\n').filter((line) => /error JSII\d+/.test(line));
    expect({ failed, errors }).toEqual({ failed: false, errors: [] });
  });

  test('no public name is dropped from the assembly beyond the known list, which only shrinks', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(workdir, '.jsii'), 'utf8')) as { types: Record<string, unknown> };
    const types = new Set(Object.keys(assembly.types).map((fqn) => fqn.replace(/^cdk-scalable-ai\./, '')));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const exported = Object.keys(require('../../lib')).sort();
    const dropped = exported.filter((name) => !types.has(name));
    const known = JSON.parse(fs.readFileSync(KNOWN_MISSING, 'utf8')) as string[];
    expect({ newlyDropped: dropped.filter((n) => !known.includes(n)), noLongerDropped: known.filter((n) => !dropped.includes(n)) })
      .toEqual({ newlyDropped: [], noLongerDropped: [] });
  });
});
