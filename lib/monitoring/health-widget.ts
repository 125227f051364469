/**
 * The summary row's alarm status widget. Sections register after the dashboard exists, so the
 * widget renders its alarms when the dashboard body is synthesized, not when it is created.
 */
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Width of the alarm status widget of the summary row. */
export const HEALTH_WIDGET_WIDTH = 16;
/** Height of the summary row. */
export const SUMMARY_ROW_HEIGHT = 6;

/** An alarm status widget whose alarm list is read at synthesis. @internal */
export class LazyAlarmStatusWidget extends cloudwatch.ConcreteWidget {
  constructor(private readonly title: string, private readonly alarms: () => cloudwatch.IAlarm[]) {
    super(HEALTH_WIDGET_WIDTH, SUMMARY_ROW_HEIGHT);
  }

  public toJson(): unknown[] {
    const alarms = this.alarms();
    const widget = alarms.length > 0
      ? new cloudwatch.AlarmStatusWidget({ title: this.title, alarms, width: this.width, height: this.height })
      : new cloudwatch.TextWidget({ markdown: `### ${this.title}\nNo alarms: register components with \`monitor()\`.`, width: this.width, height: this.height });
    widget.position(this.x ?? 0, this.y ?? 0);
    return widget.toJson();
  }
}
