#!/usr/bin/env node
// API reference: jsii-docgen renders the jsii assembly (tools/jsii-assembly.mjs) as markdown,
// in TypeScript, into API.md at the repository root. A test (test/api/jsii-compatibility.test.ts)
// regenerates it and fails when the committed API.md differs.
//
// Use:
//   import { renderApiReference } from './tools/docgen.mjs';
//   renderApiReference(assemblyDir, '/some/where/API.md');
//
//   node tools/docgen.mjs [--assembly-dir DIR] [--output FILE]   (npm run docgen)
//     without --assembly-dir, builds the scratch assembly first (and removes it afterwards);
//     writes API.md at the repository root unless --output says otherwise.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAssembly, ROOT } from './jsii-assembly.mjs';

/** Renders the assembly in `assemblyDir` (a directory holding .jsii) as markdown into `output`. */
export function renderApiReference(assemblyDir, output, { root = ROOT } = {}) {
  if (!output.endsWith('.md')) throw new Error(`the output must be a .md file: ${output}`);
  execFileSync(process.execPath, [path.join(root, 'node_modules', 'jsii-docgen', 'bin', 'jsii-docgen'),
    '--language', 'typescript', '--format', 'md', '--output', path.resolve(output)],
  { cwd: assemblyDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return path.resolve(output);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const option = (name) => (args.includes(name) ? path.resolve(args[args.indexOf(name) + 1]) : undefined);
  const output = option('--output') ?? path.join(ROOT, 'API.md');
  let assemblyDir = option('--assembly-dir');
  let scratch;
  if (!assemblyDir) {
    const result = buildAssembly();
    scratch = result.dir;
    if (!result.ok) {
      console.error(result.output.trimEnd());
      console.error('jsii failed: no API reference generated');
      fs.rmSync(scratch, { recursive: true, force: true });
      process.exit(1);
    }
    assemblyDir = result.dir;
  }
  try {
    const written = renderApiReference(assemblyDir, output);
    const relative = path.relative(process.cwd(), written);
    console.log(`wrote ${relative.startsWith('..') ? written : relative}`);
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}
