/**
 * Settings security reviewers check on every resource of a kind: an alarm that notifies nobody
 * is noise on a dashboard, a log group without retention grows (and bills) forever.
 */
import { AssemblyModel } from './assembly-model';
import { Invariant } from './invariant';

/* eslint-disable @typescript-eslint/no-explicit-any */

export const alarmsNotify: Invariant = {
  id: 'alarms-notify',
  description: 'every alarm has an action',
  check(model: AssemblyModel): string[] {
    const alarms = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'].flatMap((type) => model.resources(type));
    const notifies = (props: Record<string, any>) => props.ActionsEnabled !== false && [props.AlarmActions, props.OKActions].flat().some((a) => a !== undefined);
    // An alarm without actions of its own still notifies through a composite alarm that names it and notifies.
    const rulesThatNotify = alarms.filter((a) => a.resource.Type === 'AWS::CloudWatch::CompositeAlarm' && notifies(a.resource.Properties ?? {}))
      .map((a) => JSON.stringify(a.resource.Properties?.AlarmRule ?? ''));
    return alarms.flatMap((alarm) => {
      if (notifies(alarm.resource.Properties ?? {})) return [];
      if (rulesThatNotify.some((rule) => rule.includes(`"${alarm.logicalId}"`))) return [];
      return [`alarm ${model.describe(alarm)} has no action and no notifying composite alarm names it: nobody learns it fired.`];
    });
  },
};

export const logGroupsRetainedAndEncrypted: Invariant = {
  id: 'log-groups-retained-and-encrypted',
  description: 'every log group has retention and a KMS key',
  check(model: AssemblyModel): string[] {
    return model.resources('AWS::Logs::LogGroup').flatMap((group) => {
      const props = group.resource.Properties ?? {};
      const missing = [props.RetentionInDays === undefined ? 'retention' : undefined, props.KmsKeyId === undefined ? 'KMS key' : undefined].filter((m) => m);
      return missing.length > 0 ? [`log group ${model.describe(group)} has no ${missing.join(' and no ')}.`] : [];
    });
  },
};
