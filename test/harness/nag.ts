/**
 * cdk-nag rule packs as a test gate: the findings that remain after the acknowledgements
 * (`Validations.of(construct).acknowledge(...)`) that live next to the constructs.
 */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { describeFindings, SynthFinding, synthFindings } from './synth';

export enum RulePack {
  AWS_SOLUTIONS = 'AwsSolutions',
  NIST_800_53_R5 = 'NIST.800.53.R5',
}

/** Adds the rule packs to the app, synthesizes it and returns the unacknowledged rule findings. */
export function nagFindings(app: App, packs: RulePack[] = [RulePack.AWS_SOLUTIONS]): SynthFinding[] {
  for (const pack of packs) {
    Validations.of(app).addPlugins(pack === RulePack.AWS_SOLUTIONS ? new AwsSolutionsChecks(app) : new NIST80053R5Checks(app));
  }
  const { findings } = synthFindings(app);
  return findings.filter((f) => packs.some((p) => f.rule.startsWith(`${p}-`)));
}

/** Fails listing every unacknowledged finding of the rule packs. */
export function expectNagClean(app: App, packs: RulePack[] = [RulePack.AWS_SOLUTIONS]): void {
  const findings = nagFindings(app, packs);
  if (findings.length > 0) {
    throw new Error(`cdk-nag findings without an acknowledgement:\n${describeFindings(findings)}`);
  }
}
