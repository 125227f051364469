/**
 * Runs the pinned CDK CLI's own `cdk deploy` stack selection on a synthesized assembly, without
 * AWS credentials or network.
 *
 * `cdk list` is no stand-in: it lists the stacks inside a Stage even when `cdk deploy --all`
 * selects none of them ("No stack found in the main cloud assembly"). So the probe runs
 * `cdk deploy` itself on a copy of the assembly in which every stack carries an error
 * annotation. The CLI selects stacks, then validates the selected stacks' annotations, and
 * stops at the first error before it resolves an account or touches AWS; the errors it prints
 * name exactly the stacks that deploy would have deployed.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const CDK_CLI = path.join(ROOT, 'node_modules', 'aws-cdk', 'bin', 'cdk');
const PROBE = 'deploy-selection-probe';
const PROBE_LINE = new RegExp(`${PROBE}: (\\S+)`, 'g');

/** The result of one `cdk deploy` selection: the stacks it selected and what it printed. */
export interface DeploySelection {
  readonly selected: string[];
  readonly output: string;
}

/**
 * The deploy command of the README's "Two commands" section, as the arguments after
 * `cdk deploy` (quotes removed as a POSIX shell removes them). Fails unless exactly one
 * inline `npx cdk deploy ...` command is documented there.
 */
export function readmeDeployArgs(readme: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Two commands'));
  if (!section) throw new Error('README.md has no "## Two commands" section');
  const commands = [...section.matchAll(/`([^`\n]*\bnpx cdk deploy\b[^`\n]*)`/g)].map((m) => m[1]);
  if (commands.length !== 1) throw new Error(`expected one \`npx cdk deploy\` command in "Two commands", found: ${JSON.stringify(commands)}`);
  const words = shellWords(commands[0]);
  const start = words.findIndex((w, i) => w === 'deploy' && words[i - 1] === 'cdk');
  const end = words.findIndex((w, i) => i > start && ['&&', '||', ';', '|'].includes(w));
  return words.slice(start + 1, end === -1 ? undefined : end);
}

/** Splits a command line into words, honouring single and double quotes. */
export function shellWords(command: string): string[] {
  return [...command.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

interface Manifest {
  artifacts?: Record<string, { type: string; displayName?: string; metadata?: Record<string, unknown[]>; properties?: { directoryName?: string } }>;
}

/** Adds an error annotation naming each stack, in every (nested) assembly under `dir`. */
function annotateStacks(dir: string): void {
  const file = path.join(dir, 'manifest.json');
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const name = artifact.displayName ?? id;
      const metadata = artifact.metadata ?? (artifact.metadata = {});
      const key = `/${name}`;
      metadata[key] = [...(metadata[key] ?? []), { type: 'aws:cdk:error', data: `${PROBE}: ${name}` }];
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      annotateStacks(path.join(dir, artifact.properties.directoryName));
    }
  }
  fs.writeFileSync(file, JSON.stringify(manifest));
}

/** Copies the assembly's manifests (not its assets) so the original stays untouched. */
function copyManifests(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory() && entry.name.startsWith('assembly-')) copyManifests(path.join(from, entry.name), path.join(to, entry.name));
    else if (entry.isFile() && entry.name.endsWith('.json')) fs.copyFileSync(path.join(from, entry.name), path.join(to, entry.name));
  }
}

/**
 * Runs `cdk deploy <args> --app <copy of assemblyDir>` with the pinned CLI and returns the
 * stacks its selection picked, in the order it validated them. Never deploys: every stack of
 * the copy carries an error annotation, so the CLI stops right after selection.
 */
export function deploySelection(args: readonly string[], assemblyDir: string): DeploySelection {
  const probe = fs.mkdtempSync(path.join(path.dirname(assemblyDir), 'deploy-probe-'));
  copyManifests(assemblyDir, probe);
  annotateStacks(probe);
  // No credentials, no instance metadata, no notices or telemetry: nothing leaves the machine.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', AWS_EC2_METADATA_DISABLED: 'true' };
  let output: string;
  try {
    output = execFileSync(process.execPath, [CDK_CLI, 'deploy', ...args, '--app', probe, '--no-notices', '--no-color'], { cwd: ROOT, env, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
  } finally {
    fs.rmSync(probe, { recursive: true, force: true });
  }
  return { selected: [...output.matchAll(PROBE_LINE)].map((m) => m[1]), output };
}
