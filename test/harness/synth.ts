/**
 * Synthesis helpers: every test synthesizes through these, so every template a test looks at
 * has passed aws-cdk-lib's built-in CloudFormation validation and carries no warning or error
 * annotation.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { checkInvariants, describeViolations } from './invariants';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** The feature flags of the reference app (cdk.json), so tests see what users synthesize. */
export function projectContext(): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(CDK_JSON, 'utf8')).context;
}

/** An App with the project's feature flags and built-in validation on, synthesizing into a temporary directory removed after the test file. */
export function testApp(props: AppProps = {}): App {
  return new App({ ...props, outdir: props.outdir ?? temporaryOutdir(), context: { ...projectContext(), ...props.context } });
}

/** Where testApp registers its outdirs; test/harness/temp-dir.ts removes them after each test file. */
export const SYNTH_OUTDIRS_KEY = '__cdkScalableAiSynthOutdirs';

function temporaryOutdir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-test-'));
  const registry = globalThis as Record<string, unknown>;
  ((registry[SYNTH_OUTDIRS_KEY] ??= []) as string[]).push(dir);
  return dir;
}

/** One finding of the built-in validation or one annotation, flattened for messages. */
export interface SynthFinding {
  readonly source: string;
  readonly rule: string;
  readonly severity: string;
  readonly message: string;
  readonly paths: string[];
  /** A validation plugin's suggested fix. */
  readonly fix?: string;
}

interface ValidationReport {
  pluginReports: Array<{
    pluginName: string;
    violations: Array<{
      ruleName: string;
      description: string;
      suggestedFix?: string;
      severity: string;
      violatingConstructs: Array<{ constructPath: string }>;
    }>;
  }>;
}

function readValidationReport(directory: string): SynthFinding[] {
  const file = path.join(directory, 'validation-report.json');
  if (!fs.existsSync(file)) return [];
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as ValidationReport;
  return report.pluginReports.flatMap((plugin) =>
    plugin.violations.map((v) => ({
      source: plugin.pluginName,
      rule: v.ruleName,
      severity: v.severity,
      message: v.description,
      paths: v.violatingConstructs.map((c) => c.constructPath),
      fix: v.suggestedFix,
    })),
  );
}

function annotationFindings(assembly: CloudAssembly): SynthFinding[] {
  return assembly.stacksRecursively.flatMap((stack) =>
    stack.messages
      .filter((m) => m.level === 'warning' || m.level === 'error')
      .map((m) => ({
        source: 'annotation',
        rule: m.level,
        severity: m.level,
        message: String(m.entry.data),
        paths: [m.id],
      })),
  );
}

export function describeFindings(findings: SynthFinding[]): string {
  return findings.map((f) => `- [${f.source} ${f.rule} ${f.severity}] ${f.message}\n    at ${f.paths.join(', ')}`).join('\n');
}

/**
 * Synthesizes the app and returns its findings (validation violations, rule-pack violations
 * and warning / error annotations). When validation stops synthesis, the assembly is missing
 * and the findings say why; any other synthesis error is rethrown.
 */
export function synthFindings(app: App): { assembly?: CloudAssembly; findings: SynthFinding[] } {
  let assembly: CloudAssembly;
  try {
    assembly = app.synth();
  } catch (error) {
    const findings = readValidationReport(app.outdir);
    if (findings.length === 0) throw error;
    return { findings };
  }
  return { assembly, findings: [...readValidationReport(assembly.directory), ...annotationFindings(assembly)] };
}

/**
 * Synthesizes the app and fails on any validation finding or warning / error annotation, and
 * on any violation of the cross-resource invariants (test/harness/invariants): what must hold
 * across resources for the app to work once deployed.
 */
export function synthesizeClean(app: App): CloudAssembly {
  const { assembly, findings } = synthFindings(app);
  if (findings.length > 0 || !assembly) {
    throw new Error(`Synthesis is not clean (${findings.length} finding(s)):\n${describeFindings(findings)}`);
  }
  const violations = checkInvariants(app, assembly);
  if (violations.length > 0) {
    throw new Error(`The app would not work once deployed (${violations.length} invariant violation(s)):\n${describeViolations(violations)}`);
  }
  return assembly;
}

/** The stack's template after a clean synthesis of its app. Synthesizes the app once. */
export function cleanTemplate(stack: Stack): Template {
  const app = stack.node.root as App;
  const assembly = synthesizeClean(app);
  const artifact = assembly.getStackArtifact(stack.artifactId);
  return Template.fromJSON(artifact.template);
}

/** Templates of several stacks of one app (nested stacks too), after one clean synthesis. */
export function cleanTemplates(...stacks: Stack[]): Template[] {
  const assembly = synthesizeClean(stacks[0].node.root as App);
  return stacks.map((s) => Template.fromJSON(writtenTemplate(assembly, s)));
}

/** A stack's template as written: a nested stack's file sits beside its top-level parent's. */
function writtenTemplate(assembly: CloudAssembly, stack: Stack): Record<string, unknown> {
  if (!stack.nested) return assembly.getStackArtifact(stack.artifactId).template;
  let top = stack;
  while (top.nestedStackParent) top = top.nestedStackParent;
  const directory = assembly.getStackArtifact(top.artifactId).assembly.directory;
  return JSON.parse(fs.readFileSync(path.join(directory, stack.templateFile), 'utf8'));
}
