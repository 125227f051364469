/**
 * A monitoring group: the monitoring of one group of components (typically the model servers
 * of a service group) in a nested stack of the PlatformMonitoring's stack, so the platform
 * grows past what one dashboard (500 widgets), one composite alarm (100 alarms, 10,240
 * characters) and one template (500 resources, 1 MB) hold. It has its own dashboard, sections
 * and health alarm; its health alarm rolls up into platform health, and its Prometheus alerts
 * share one rule groups namespace (`group-<name>`) of the workspace.
 *
 * A nested stack only reads from its parent (topic, cluster name, workspace), so the parent's
 * platform health alarm can name the group's health alarm without a dependency cycle.
 *
 * Construct ids are API: `<group>/Dashboard`, `<group>/GroupHealth`, `<group>/PrometheusRules`,
 * `<group>/<unique id of the component>/<Alarm>`.
 */
import { Duration, Lazy, NestedStack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { IMonitorable, IPlatformMonitoring, MonitoringSection } from './monitorable';
import { PrometheusAlertRule, ruleFileYaml, ruleGroup } from './prometheus/alert-rules';
import { SectionBoard } from './section-board';
import { InferenceServiceMonitor, InferenceServiceMonitoringOptions } from './sections/inference-service-monitor';
import type { PlatformMonitoring } from './platform-monitoring';
import { InferenceAutoscaling } from '../inference/inference-autoscaling';
import { InferenceService } from '../inference/inference-service';
import { PropValidationError } from '../private/errors';
import { checkPropTypes } from '../private/prop-types';

/** Largest rule groups namespace definition Amazon Managed Prometheus accepts (1 MB). */
export const MAX_RULE_GROUPS_NAMESPACE_BYTES = 1_000_000;

/** Options of a monitoring group. */
export interface MonitoringGroupOptions {
  /**
   * Title of the group's dashboard summary.
   * @default - "Group <name> health"
   */
  readonly title?: string;
}

export interface MonitoringGroupProps extends MonitoringGroupOptions {
  /** DNS-1123 name of the group (dashboard suffix, AMP rule namespace `group-<name>`). */
  readonly groupName: string;
}

/**
 * What a group shares with its platform monitoring (PlatformMonitoring._groupContext): not
 * props, since callbacks and sets have no equivalent in the other jsii languages.
 * @internal
 */
export interface MonitoringGroupContext {
  readonly dashboardName?: string;
  readonly defaultInterval: Duration;
  /** Components monitored anywhere in the platform's monitoring. */
  readonly monitored: Set<IConstruct>;
  /** Called when the group's health alarm is created (with the group's first alarm). */
  readonly onHealthAlarm: (alarm: cloudwatch.CompositeAlarm) => void;
}

/** One group of the platform's monitoring, in its own nested stack (create with `monitoring.group(name)`). */
export class MonitoringGroup extends NestedStack implements IPlatformMonitoring {
  public readonly groupName: string;
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarmTopic: sns.ITopic;
  public readonly prometheusSelectorLabels: Record<string, string>;
  private readonly board: SectionBoard;
  private readonly monitored: Set<IConstruct>;
  private readonly ruleGroups: Record<string, unknown>[] = [];
  private rulesNamespace?: aps.CfnRuleGroupsNamespace;

  /** Create groups with `monitoring.group(name)`, which gives each name one group. */
  constructor(private readonly monitoring: PlatformMonitoring, id: string, props: MonitoringGroupProps) {
    super(monitoring, id, { description: `cdk-scalable-ai: monitoring group ${props.groupName}` });
    const context = monitoring._groupContext(props.groupName);
    this.groupName = props.groupName;
    this.alarmTopic = monitoring.alarmTopic;
    this.prometheusSelectorLabels = monitoring.prometheusSelectorLabels;
    this.monitored = context.monitored;
    this.board = new SectionBoard(this, {
      dashboardName: context.dashboardName,
      defaultInterval: context.defaultInterval,
      title: props.title ?? `Group ${props.groupName} health`,
      alarmAction: monitoring.alarmAction,
      healthAlarmId: 'GroupHealth',
      healthDescription: `Health of monitoring group ${props.groupName} (${this.node.path}): in ALARM while any alarm of the group is. Rolled up into platform health.`,
      onHealthAlarm: context.onHealthAlarm,
    });
    this.dashboard = this.board.dashboard;
    this.node.addValidation({ validate: () => this.validateGroup() });
  }

  /** The group's composite health alarm; created with its first alarm. */
  public get healthAlarm(): cloudwatch.CompositeAlarm | undefined {
    return this.board.healthAlarm;
  }

  /** Every alarm of the group's sections. */
  public get alarms(): cloudwatch.AlarmBase[] {
    return this.board.alarms;
  }

  public get sections(): MonitoringSection[] {
    return this.board.sections;
  }

  /** Monitors a component with default thresholds (as PlatformMonitoring.monitor does). */
  public monitor(component: IConstruct): MonitoringSection {
    if (component instanceof InferenceService) return this.monitorInferenceService(component);
    throw new PropValidationError(this, 'component', component?.node?.path ?? component, 'is not a component a monitoring group knows',
      'Monitor InferenceServices in groups; monitor other components with PlatformMonitoring, or implement IMonitorable and call addSection().');
  }

  /** Monitors a model server in this group. */
  public monitorInferenceService(service: InferenceService, options: InferenceServiceMonitoringOptions = {}): MonitoringSection {
    checkPropTypes(this, 'InferenceServiceMonitoringOptions', options);
    return this.addSection(new InferenceServiceMonitor(service, options));
  }

  /** Adds the section of anything monitorable; each component is monitored once in the platform. */
  public addSection(monitorable: IMonitorable): MonitoringSection {
    return this.board.addSection(monitorable, this, this.monitored, (alarm) => this.board.addAlarm(alarm));
  }

  /** Appends widgets to the group's dashboard. */
  public addWidgets(...widgets: cloudwatch.IWidget[]): void {
    this.board.addWidgets(...widgets);
  }

  /** Notifies the alarm topic and rolls the alarm into the group's health. */
  public addAlarm(alarm: cloudwatch.AlarmBase): void {
    this.board.addAlarm(alarm);
  }

  /**
   * Adds the rules as one rule group of the group's rule groups namespace (`group-<name>`),
   * and makes sure the workspace's alert manager notifies the alarm topic.
   */
  public addPrometheusAlertRules(autoscaling: InferenceAutoscaling, name: string, rules: PrometheusAlertRule[]): void {
    const alerting = this.monitoring.ampAlerting(autoscaling);
    if (this.rulesNamespace && this.rulesNamespace.workspace !== alerting.workspace.attrArn) {
      throw new PropValidationError(this, 'autoscaling', autoscaling.node.path, `is not the workspace of the rules already in monitoring group "${this.groupName}"`,
        'Keep the services of one monitoring group on one cluster.');
    }
    this.ruleGroups.push(ruleGroup(name, rules));
    this.rulesNamespace ??= new aps.CfnRuleGroupsNamespace(this, 'PrometheusRules', {
      workspace: alerting.workspace.attrArn,
      name: `group-${this.groupName}`,
      data: Lazy.string({ produce: () => this.rulesYaml() }),
    });
  }

  private rulesYaml(): string {
    return ruleFileYaml(this.ruleGroups);
  }

  private validateGroup(): string[] {
    const fix = `Spread the services of group "${this.groupName}" over more groups.`;
    const errors = this.board.validate(`monitoring group "${this.groupName}"`, fix);
    if (this.ruleGroups.length > 0) {
      const bytes = Buffer.byteLength(this.rulesYaml(), 'utf8');
      if (bytes > MAX_RULE_GROUPS_NAMESPACE_BYTES) {
        errors.push(`monitoring group "${this.groupName}" has ${bytes} bytes of Prometheus rules, more than the ${MAX_RULE_GROUPS_NAMESPACE_BYTES} one rule groups namespace may hold. ${fix}`);
      }
    }
    return errors;
  }
}
