/** Composite alarms over any number of alarms, within CloudWatch's rule limits. */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AlarmRollup, MAX_ALARMS_PER_ROLLUP, MAX_ALARMS_PER_RULE } from '../../lib/monitoring/alarm-rollup';
import { testApp } from '../harness/synth';

/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized CloudFormation JSON is untyped */

function rollupOf(count: number, synth = true) {
  const stack = new Stack(testApp(), 'S');
  const rollup = new AlarmRollup(stack, 'Health', { description: 'health', action: new actions.SnsAction(new sns.Topic(stack, 'T')) });
  const alarms = Array.from({ length: count }, (_, i) => new cloudwatch.Alarm(stack, `A${i}`, {
    metric: new cloudwatch.Metric({ namespace: 'N', metricName: `m${i}` }), threshold: 1, evaluationPeriods: 1,
  }));
  alarms.forEach((a) => rollup.add(a));
  const resources = synth ? Template.fromStack(stack).toJSON().Resources as Record<string, any> : {};
  /** The logical id of the construct `<id>`. */
  const idOf = (id: string): string => Object.keys(resources).find((k) => new RegExp(`^${id}[0-9A-F]{8}$`).test(k))!;
  /** Logical ids an alarm rule names, in order. */
  const named = (logicalId: string): string[] => JSON.stringify(resources[logicalId].Properties.AlarmRule).match(/"([A-Za-z0-9]+)","Arn"/g)!.map((m) => m.split('"')[1]);
  return { stack, rollup, resources, named, idOf };
}

describe('AlarmRollup', () => {
  test(`up to ${MAX_ALARMS_PER_RULE} alarms: the root names them and notifies`, () => {
    const { resources, named, rollup, idOf } = rollupOf(MAX_ALARMS_PER_RULE);
    expect(named(idOf('Health'))).toEqual(Array.from({ length: MAX_ALARMS_PER_RULE }, (_, i) => expect.stringMatching(new RegExp(`^A${i}[0-9A-F]{8}$`))));
    expect(resources[idOf('Health')].Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^T/) }]);
    expect(rollup.statusAlarms).toHaveLength(MAX_ALARMS_PER_RULE + 1);
  });

  test('beyond it: parts of at most 30 alarms, named by the root; every alarm in exactly one part', () => {
    const { resources, named, rollup, idOf } = rollupOf(95);
    const parts = Object.keys(resources).filter((id) => id.startsWith('HealthPart'));
    expect(parts).toHaveLength(4);
    expect(named(idOf('Health')).sort()).toEqual(parts.sort());
    const inParts = parts.flatMap((p) => named(p));
    parts.forEach((p) => expect(named(p).length).toBeLessThanOrEqual(MAX_ALARMS_PER_RULE));
    expect(inParts).toHaveLength(95);
    expect(new Set(inParts).size).toBe(95);
    // The parts do not notify on their own: the root does.
    parts.forEach((p) => expect(resources[p].Properties.AlarmActions).toBeUndefined());
    expect(rollup.statusAlarms).toHaveLength(5);
  });

  test('a rule stays within 10,240 characters with the longest alarm ARNs', () => {
    const arn = `arn:aws-us-gov:cloudwatch:ap-southeast-5:123456789012:alarm:${'x'.repeat(255)}`;
    const alarms = Array.from({ length: MAX_ALARMS_PER_RULE }, () => cloudwatch.Alarm.fromAlarmArn(new Stack(), 'A', arn));
    expect(cloudwatch.AlarmRule.anyOf(...alarms).renderAlarmRule().length).toBeLessThanOrEqual(10_240);
  });

  test(`more than ${MAX_ALARMS_PER_ROLLUP} alarms fail validation with the fix`, () => {
    // (Only validated: 900 alarms are more than one stack may hold.)
    const { rollup } = rollupOf(MAX_ALARMS_PER_ROLLUP + 1, false);
    expect(rollup.validate('group "x"', 'Split it.')).toEqual([
      `group "x" rolls up ${MAX_ALARMS_PER_ROLLUP + 1} alarms, more than the ${MAX_ALARMS_PER_ROLLUP} two levels of composite alarms can name (${MAX_ALARMS_PER_RULE} per rule). Split it.`,
    ]);
    expect(rollupOf(MAX_ALARMS_PER_ROLLUP, false).rollup.validate('g', 'f')).toEqual([]);
  });
});
