#!/usr/bin/env node
// Builds the jsii assembly of the library in a scratch directory, without touching the project:
// the build still uses tsc (package.json has no real `repository` or `author`, which jsii
// requires, and there is no public repository yet), and jsii writes its own tsconfig.json,
// which must not replace the project's.
//
// The scratch directory holds copies of lib/ and README.md, a symlink to the project's
// node_modules and a package.json derived from the project's: name, version, dependencies and
// the jsii targets (package.json's `jsii.targets`, the one source of truth for the Python, Java,
// .NET and Go names), plus placeholder `.invalid` author and repository that exist only in the
// scratch directory. jsii writes the assembly to `<dir>/.jsii`.
//
// Use:
//   import { buildAssembly } from './tools/jsii-assembly.mjs';
//   const { dir, assembly, ok, output } = buildAssembly();        // never throws on jsii errors
//
//   node tools/jsii-assembly.mjs [--dir DIR] [--json]
//     prints the assembly path (or, with --json, {dir, assembly, ok, output}); the jsii output
//     goes to stderr; exits 1 when jsii reports errors. The scratch directory is left in place.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The package.json jsii compiles against, derived from the project's. */
export function scratchManifest(manifest) {
  // targets.go.moduleName in package.json is a placeholder (.invalid): a Go module path is the
  // path of the repository that publishes it (e.g. github.com/<owner>/<repo>-go), which does
  // not exist yet. Python, Java and .NET names do not depend on the repository.
  const targets = manifest.jsii?.targets;
  if (!targets) throw new Error('package.json has no jsii.targets');
  return {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: manifest.license,
    author: { name: 'cdk-scalable-ai', email: 'maintainers@cdk-scalable-ai.invalid', organization: true },
    repository: { type: 'git', url: 'https://cdk-scalable-ai.invalid/cdk-scalable-ai.git' },
    // jsii compiles lib/ into out/ (tsc.outDir), the JavaScript that jsii-pacmak packs.
    main: 'out/index.js',
    types: 'out/index.d.ts',
    peerDependencies: manifest.peerDependencies,
    // jsii expects a devDependency on the lowest version of each peer (warning JSII6).
    devDependencies: Object.fromEntries(Object.keys(manifest.peerDependencies ?? {})
      .filter((name) => manifest.devDependencies?.[name]).map((name) => [name, manifest.devDependencies[name]])),
    dependencies: manifest.dependencies,
    bundledDependencies: Object.keys(manifest.dependencies ?? {}),
    jsii: { outdir: 'dist', targets, tsc: { outDir: 'out', rootDir: 'lib' } },
  };
}

/**
 * Copies lib/ to `dir` (a new temporary directory unless given; it must not exist or be empty),
 * writes the scratch package.json and runs jsii there. Returns the directory, the assembly path,
 * whether jsii succeeded and its output (stdout and stderr). Throws only when it cannot set up.
 */
export function buildAssembly({ root = ROOT, dir } = {}) {
  if (dir) {
    fs.mkdirSync(dir, { recursive: true });
    if (fs.readdirSync(dir).length > 0) throw new Error(`${dir} is not empty`);
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-jsii-'));
  }
  fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
  // The README becomes the PyPI long description (jsii warns without one).
  fs.copyFileSync(path.join(root, 'README.md'), path.join(dir, 'README.md'));
  // Fixtures jsii-rosetta compiles the README examples in.
  fs.cpSync(path.join(root, 'rosetta'), path.join(dir, 'rosetta'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(scratchManifest(manifest), null, 2)}\n`);
  let ok = true;
  let output;
  try {
    // Warnings stay in the output: test/api/jsii-compatibility.test.ts allows only known ones.
    output = execFileSync(process.execPath, [path.join(root, 'node_modules', 'jsii', 'bin', 'jsii')],
      { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
  } catch (error) {
    ok = false;
    output = `${error.stdout ?? ''}\n${error.stderr ?? ''}`;
  }
  const assembly = path.join(dir, '.jsii');
  if (ok && !fs.existsSync(assembly)) {
    ok = false;
    output += `\njsii wrote no assembly at ${assembly}`;
  }
  return { dir, assembly, ok, output };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const dirIndex = args.indexOf('--dir');
  const result = buildAssembly({ dir: dirIndex >= 0 ? path.resolve(args[dirIndex + 1]) : undefined });
  if (args.includes('--json')) {
    console.log(JSON.stringify(result));
  } else {
    if (result.output.trim()) console.error(result.output.trimEnd());
    console.log(result.assembly);
  }
  process.exitCode = result.ok ? 0 : 1;
}
