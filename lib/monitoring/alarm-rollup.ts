/**
 * A composite alarm over any number of alarms, within CloudWatch's limits: one AlarmRule may
 * name at most 100 alarms in at most 10,240 characters. Each alarm is named by its ARN, and a
 * CloudFormation-generated alarm name can be long, so a rule names at most
 * MAX_ALARMS_PER_RULE alarms. Up to that many, the root composite names the alarms; beyond it,
 * the alarms are spread over part composites (`<id>Part1`, `<id>Part2`, ...) that the root
 * names: two levels, up to MAX_ALARMS_PER_RULE x MAX_ALARMS_PER_RULE alarms.
 *
 * Rules are rendered at synthesis, since alarms keep registering after the rollup exists.
 */
import { Lazy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';

/**
 * Most alarms one rule names. `ALARM("<arn>") OR ` takes up to 328 characters (a 255-character
 * alarm name in the longest partition and region): 31 fit 10,240 characters; 30 leave room.
 */
export const MAX_ALARMS_PER_RULE = 30;
/** Most alarms one rollup holds (two levels of composites). */
export const MAX_ALARMS_PER_ROLLUP = MAX_ALARMS_PER_RULE * MAX_ALARMS_PER_RULE;

export interface AlarmRollupProps {
  /** Description of the root composite. */
  readonly description: string;
  /** What the root composite notifies on ALARM and OK. */
  readonly action: cloudwatch.IAlarmAction;
}

/** A root composite alarm, in ALARM while any of its alarms is, with part composites as needed. */
export class AlarmRollup {
  /** The root composite; notifies the action. */
  public readonly root: cloudwatch.CompositeAlarm;
  private readonly alarms: cloudwatch.IAlarm[] = [];
  private readonly parts: cloudwatch.CompositeAlarm[] = [];

  /** Creates the root composite as `<scope>/<id>`. */
  constructor(private readonly scope: Construct, private readonly id: string, props: AlarmRollupProps) {
    this.root = new cloudwatch.CompositeAlarm(scope, id, {
      alarmDescription: props.description,
      alarmRule: { renderAlarmRule: () => Lazy.string({ produce: () => anyOf(this.parts.length > 0 ? this.parts : this.alarms) }) },
    });
    this.root.addAlarmAction(props.action);
    this.root.addOkAction(props.action);
  }

  /** Alarms rolled up so far. */
  public get size(): number {
    return this.alarms.length;
  }

  /**
   * What a status widget shows for the rollup: the root, then the parts or, while there are
   * none, the alarms themselves (at most MAX_ALARMS_PER_RULE + 1).
   */
  public get statusAlarms(): cloudwatch.IAlarm[] {
    return [this.root, ...(this.parts.length > 0 ? this.parts : this.alarms)];
  }

  /** Adds an alarm; beyond MAX_ALARMS_PER_RULE alarms, they are spread over part composites. */
  public add(alarm: cloudwatch.IAlarm): void {
    this.alarms.push(alarm);
    if (this.alarms.length <= MAX_ALARMS_PER_RULE) return;
    const needed = Math.ceil(this.alarms.length / MAX_ALARMS_PER_RULE);
    while (this.parts.length < needed) {
      const index = this.parts.length;
      this.parts.push(new cloudwatch.CompositeAlarm(this.scope, `${this.id}Part${index + 1}`, {
        alarmDescription: `Part ${index + 1} of ${this.root.node.path}: in ALARM while any of its alarms is (the root names this part).`,
        alarmRule: { renderAlarmRule: () => Lazy.string({ produce: () => anyOf(this.alarms.slice(index * MAX_ALARMS_PER_RULE, (index + 1) * MAX_ALARMS_PER_RULE)) }) },
      }));
    }
  }

  /** An error when the rollup holds more alarms than two levels of composites can name. */
  public validate(what: string, fix: string): string[] {
    return this.alarms.length > MAX_ALARMS_PER_ROLLUP
      ? [`${what} rolls up ${this.alarms.length} alarms, more than the ${MAX_ALARMS_PER_ROLLUP} two levels of composite alarms can name (${MAX_ALARMS_PER_RULE} per rule). ${fix}`]
      : [];
  }
}

function anyOf(alarms: cloudwatch.IAlarm[]): string {
  return cloudwatch.AlarmRule.anyOf(...alarms).renderAlarmRule();
}
