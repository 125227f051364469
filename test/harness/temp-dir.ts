/**
 * Removes the cloud assemblies a test file synthesized (testApp gives each app its own
 * temporary outdir and registers it here): each synthesis of a cluster copies the 60 MB
 * kubectl layer into its assembly, and a full run would otherwise leave gigabytes behind.
 */
import * as fs from 'fs';
import { SYNTH_OUTDIRS_KEY } from './synth';

afterAll(() => {
  const dirs: string[] = (globalThis as Record<string, unknown>)[SYNTH_OUTDIRS_KEY] as string[] ?? [];
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
