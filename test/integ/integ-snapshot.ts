/**
 * The committed snapshot of an integration test app: `integ.<name>.ts.snapshot/`, laid out as
 * integ-runner lays it out (the cloud assembly, nested Stage assemblies included) without
 * assets, tree.json or the validation report. Compared with volatile values masked.
 */
import * as fs from 'fs';
import * as path from 'path';
import { maskVolatile } from '../harness/mask-volatile';

/** Set to `true` to rewrite the snapshots instead of comparing (see README "Deploy verification"). */
export const UPDATE_ENV = 'INTEG_SNAPSHOT_UPDATE';

const KEPT = /(\.template\.json|\.assets\.json|^manifest\.json|^integ\.json)$/;

/** Files of the assembly a snapshot keeps, relative to it, sorted. */
export function snapshotFiles(dir: string, prefix = ''): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory() && entry.name.startsWith('assembly-')) return snapshotFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`);
    return entry.isFile() && KEPT.test(entry.name) ? [`${prefix}${entry.name}`] : [];
  }).sort();
}

/** Asset hashes, versions and integ-tests' per-synth salt masked; pretty-printed. */
export function maskSnapshot(text: string): string {
  const masked = maskVolatile(text)
    .replace(/"salt":\s*"\d+"/g, '"salt": "<salt>"')
    // Asset destination ids end in a hash of the destination, object key included.
    .replace(/"([\w-]+?)-[0-9a-f]{8}":\s*\{/g, '"$1-<hash>": {');
  return `${JSON.stringify(JSON.parse(masked), undefined, 1)}\n`;
}

/** Differences between a synthesized assembly and the committed snapshot (empty when equal). */
export function compareSnapshot(assemblyDir: string, snapshotDir: string): string[] {
  if (!fs.existsSync(snapshotDir)) return [`no snapshot ${snapshotDir}`];
  const actual = snapshotFiles(assemblyDir);
  const expected = snapshotFiles(snapshotDir);
  const problems = [
    ...actual.filter((f) => !expected.includes(f)).map((f) => `new file ${f}`),
    ...expected.filter((f) => !actual.includes(f)).map((f) => `missing file ${f}`),
  ];
  for (const file of actual.filter((f) => expected.includes(f))) {
    const a = maskSnapshot(fs.readFileSync(path.join(assemblyDir, file), 'utf8'));
    const e = maskSnapshot(fs.readFileSync(path.join(snapshotDir, file), 'utf8'));
    if (a !== e) problems.push(`changed ${file}`);
  }
  return problems;
}

/** Replaces the snapshot with the assembly's kept files (masked, so reviews see real changes). */
export function writeSnapshot(assemblyDir: string, snapshotDir: string): void {
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  for (const file of snapshotFiles(assemblyDir)) {
    fs.mkdirSync(path.dirname(path.join(snapshotDir, file)), { recursive: true });
    fs.writeFileSync(path.join(snapshotDir, file), maskSnapshot(fs.readFileSync(path.join(assemblyDir, file), 'utf8')));
  }
}
