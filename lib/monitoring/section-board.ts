/**
 * What PlatformMonitoring and each MonitoringGroup have in common: a dashboard that opens with
 * a summary row (text and alarm status), a section per component, and alarms that notify the
 * alarm topic and roll up into one composite health alarm.
 */
import { Duration, Lazy, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct, IConstruct } from 'constructs';
import { AlarmRollup } from './alarm-rollup';
import { HEALTH_WIDGET_WIDTH, LazyAlarmStatusWidget, SUMMARY_ROW_HEIGHT } from './health-widget';
import { IMonitorable, IPlatformMonitoring, MonitoringSection } from './monitorable';
import { PropValidationError } from '../private/errors';

/** Most widgets one CloudWatch dashboard may hold. */
export const MAX_DASHBOARD_WIDGETS = 500;

export interface SectionBoardProps {
  readonly dashboardName?: string;
  readonly defaultInterval: Duration;
  /** Heading of the summary text, e.g. "Platform health". */
  readonly title: string;
  readonly alarmAction: cloudwatch.IAlarmAction;
  /** Description of the composite health alarm. */
  readonly healthDescription: string;
  /** Id of the composite health alarm (construct ids are API). */
  readonly healthAlarmId: string;
  /** Extra lines of the summary text, rendered at synthesis. @default - none */
  readonly summaryLines?: () => string[];
  /** Called once, when the health alarm is created. @default - nothing */
  readonly onHealthAlarm?: (alarm: cloudwatch.CompositeAlarm) => void;
}

/** A dashboard with sections and a rolled-up health alarm, in `scope`. */
export class SectionBoard {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: cloudwatch.AlarmBase[] = [];
  public readonly sections: MonitoringSection[] = [];
  private rollup?: AlarmRollup;
  private widgetCount = 0;

  constructor(private readonly scope: Construct, private readonly props: SectionBoardProps) {
    this.dashboard = new cloudwatch.Dashboard(scope, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: props.defaultInterval,
    });
    this.addWidgets(
      new cloudwatch.TextWidget({
        markdown: Lazy.string({ produce: () => this.summaryMarkdown() }),
        width: 24 - HEALTH_WIDGET_WIDTH,
        height: SUMMARY_ROW_HEIGHT,
      }),
      new LazyAlarmStatusWidget(props.title, () => this.rollup?.statusAlarms ?? []),
    );
  }

  /** The composite health alarm: created with the first alarm. */
  public get healthAlarm(): cloudwatch.CompositeAlarm | undefined {
    return this.rollup?.root;
  }

  /**
   * Binds the section under `<scope>/<unique id of the component>` and adds its widgets and
   * alarms. `monitored` is shared by every board of a platform: a component is monitored once.
   */
  public addSection(monitorable: IMonitorable, monitoring: IPlatformMonitoring, monitored: Set<IConstruct>, addAlarm: (alarm: cloudwatch.AlarmBase) => void): MonitoringSection {
    const component = monitorable.monitoredComponent;
    if (component.node.root !== this.scope.node.root) {
      throw new PropValidationError(this.scope, 'component', component.node.path, 'belongs to another CDK app',
        'Create PlatformMonitoring in the same app as the components it monitors (one monitoring per app).');
    }
    if (monitored.has(component)) {
      throw new PropValidationError(this.scope, 'component', component.node.path, 'is already monitored',
        'Register each component once: monitor(component) or one of the monitorX methods, on the monitoring or one of its groups, not twice.');
    }
    monitored.add(component);
    const section = monitorable.bind(new Construct(this.scope, Names.nodeUniqueId(component.node)), monitoring);
    this.sections.push(section);
    this.addWidgets(new cloudwatch.TextWidget({
      markdown: `## ${section.title}${section.description ? `\n${section.description}` : ''}`,
      width: 24,
      height: 2,
    }));
    if (section.widgets.length > 0) this.addWidgets(...section.widgets);
    for (const alarm of section.alarms) addAlarm(alarm);
    return section;
  }

  public addWidgets(...widgets: cloudwatch.IWidget[]): void {
    this.widgetCount += widgets.length;
    this.dashboard.addWidgets(...widgets);
  }

  /** Notifies the alarm action on ALARM and OK and rolls the alarm into the health alarm. */
  public addAlarm(alarm: cloudwatch.AlarmBase): void {
    alarm.addAlarmAction(this.props.alarmAction);
    alarm.addOkAction(this.props.alarmAction);
    this.alarms.push(alarm);
    this.rollUp(alarm);
  }

  /** Rolls an alarm into the health alarm without adding actions (it notifies on its own). */
  public rollUp(alarm: cloudwatch.IAlarm): void {
    if (!this.rollup) {
      this.rollup = new AlarmRollup(this.scope, this.props.healthAlarmId, { description: this.props.healthDescription, action: this.props.alarmAction });
      this.props.onHealthAlarm?.(this.rollup.root);
    }
    this.rollup.add(alarm);
  }

  /** CloudWatch's limits on what the board holds. */
  public validate(what: string, fix: string): string[] {
    const errors = this.rollup?.validate(what, fix) ?? [];
    if (this.widgetCount > MAX_DASHBOARD_WIDGETS) {
      errors.push(`${what} has ${this.widgetCount} dashboard widgets, more than the ${MAX_DASHBOARD_WIDGETS} a CloudWatch dashboard may hold. ${fix}`);
    }
    return errors;
  }

  private summaryMarkdown(): string {
    const sections = this.sections.map((s) => `- ${s.title} (${s.alarms.length} alarm${s.alarms.length === 1 ? '' : 's'})`);
    return [
      `# ${this.props.title}`,
      `${this.alarms.length} alarms notify the alarm topic; the composite ${this.props.title.toLowerCase()} alarm is in ALARM while any of them is.`,
      ...(this.props.summaryLines?.() ?? []),
      ...sections,
    ].join('\n');
  }
}
