/**
 * Settings security reviewers check on every resource of a kind: an alarm that notifies nobody
 * is noise on a dashboard, a log group without retention grows (and bills) forever.
 */
import { AssemblyModel } from './assembly-model';
import { Invariant } from './invariant';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Resource types that act on an alarm's state themselves, so the alarm needs no action of its own. */
const ALARM_CONSUMERS = [
  'AWS::Route53::HealthCheck', // HealthCheckConfig.AlarmIdentifier: the health check follows the alarm
  'AWS::SageMaker::Endpoint', // DeploymentConfig.AutoRollbackConfiguration.Alarms: blue/green rollback
  'AWS::SageMaker::InferenceComponent', // DeploymentConfig rollback alarms
];

function notifies(props: Record<string, any>): boolean {
  return props.ActionsEnabled !== false && [props.AlarmActions, props.OKActions].flat().some((a) => a !== undefined);
}

/** Same metric, comparison and threshold: PlatformMonitoring mirrors alarms of other stacks into its own. */
function mirrorKey(props: Record<string, any>): string {
  return JSON.stringify([props.Namespace, props.MetricName, (props.Dimensions ?? []).map((d: any) => d.Name), props.ComparisonOperator, props.Threshold]);
}

export const alarmsNotify: Invariant = {
  id: 'alarms-notify',
  description: 'every alarm has an action, notifies through a composite or mirror alarm, or drives a resource that reads it',
  check(model: AssemblyModel): string[] {
    const alarms = ['AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'].flatMap((type) => model.resources(type));
    const notifying = alarms.filter((a) => notifies(a.resource.Properties ?? {}));
    // An alarm without actions of its own still notifies through a composite alarm that names it and notifies.
    const rulesThatNotify = notifying.filter((a) => a.resource.Type === 'AWS::CloudWatch::CompositeAlarm').map((a) => JSON.stringify(a.resource.Properties?.AlarmRule ?? ''));
    const mirrorsThatNotify = new Set(notifying.filter((a) => a.resource.Type === 'AWS::CloudWatch::Alarm').map((a) => `${a.stack}|${mirrorKey(a.resource.Properties ?? {})}`));
    const consumed = ALARM_CONSUMERS.flatMap((type) => model.resources(type)).map((r) => JSON.stringify(r.resource.Properties ?? {}));
    return alarms.flatMap((alarm) => {
      const props = alarm.resource.Properties ?? {};
      if (notifies(props)) return [];
      if (rulesThatNotify.some((rule) => rule.includes(`"${alarm.logicalId}"`))) return [];
      if (consumed.some((c) => c.includes(`{"Ref":"${alarm.logicalId}"}`))) return [];
      if ([...mirrorsThatNotify].some((m) => !m.startsWith(`${alarm.stack}|`) && m.endsWith(`|${mirrorKey(props)}`))) return [];
      return [`alarm ${model.describe(alarm)} has no action, and no notifying composite or mirror alarm and no health check or rollback reads it: nobody learns it fired.`];
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
