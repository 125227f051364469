/**
 * Reads a synthesized CloudWatch dashboard: `DashboardBody` is an `Fn::Join` of JSON text and
 * CloudFormation references. References become readable placeholders (`${Ref:X}`,
 * `${X.Arn}`), so the body parses as JSON and tests can look at every widget.
 */
import { Template } from 'aws-cdk-lib/assertions';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** Renders a CloudFormation value as text, references as placeholders. */
export function flattenCfn(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const v = value as any;
  if (v && Array.isArray(v['Fn::Join'])) {
    const [delimiter, parts] = v['Fn::Join'];
    return (parts as unknown[]).map(flattenCfn).join(delimiter);
  }
  if (v && v.Ref !== undefined) return `\${Ref:${v.Ref}}`;
  if (v && Array.isArray(v['Fn::GetAtt'])) return `\${${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}}`;
  if (v && v['Fn::ImportValue'] !== undefined) return `\${Import:${flattenCfn(v['Fn::ImportValue'])}}`;
  throw new Error(`unexpected CloudFormation value in a dashboard body: ${JSON.stringify(value)}`);
}

/** The parsed body of the only dashboard of the template. */
export function dashboardBody(template: Template): any {
  const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
  if (dashboards.length !== 1) throw new Error(`expected one dashboard, found ${dashboards.length}`);
  return JSON.parse(flattenCfn((dashboards[0] as any).Properties.DashboardBody));
}

/** A metric of a widget: namespace, name, dimensions (name -> value) and rendering options. */
export interface WidgetMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Record<string, string>;
  readonly options: Record<string, unknown>;
}

/**
 * The metrics of a metric widget. CloudWatch's array form is
 * `[namespace, name, dim1, value1, ..., {options}]`, where `"."` repeats the previous row's
 * namespace or name; math expressions are `[{expression, ...}]` rows.
 */
export function widgetMetrics(widget: any): WidgetMetric[] {
  const rows: unknown[][] = widget.properties?.metrics ?? [];
  const result: WidgetMetric[] = [];
  let previous: unknown[] = [];
  for (const row of rows) {
    const last = row[row.length - 1];
    const hasOptions = typeof last === 'object' && last !== null;
    const parts = hasOptions ? row.slice(0, -1) : row;
    const options = (hasOptions ? last : {}) as Record<string, unknown>;
    if (parts.length === 0) {
      result.push({ namespace: '', metricName: '', dimensions: {}, options });
      continue;
    }
    const resolved = parts.map((p, i) => (p === '.' ? previous[i] : p));
    previous = resolved;
    const dimensions: Record<string, string> = {};
    for (let i = 2; i < resolved.length; i += 2) dimensions[String(resolved[i])] = String(resolved[i + 1]);
    result.push({ namespace: String(resolved[0]), metricName: String(resolved[1]), dimensions, options });
  }
  return result;
}

/** Widgets of the body by title (text widgets by their first markdown line). */
export function widgetsByTitle(body: any): Map<string, any> {
  const map = new Map<string, any>();
  for (const w of body.widgets as any[]) {
    const title = w.properties.title ?? String(w.properties.markdown ?? '').split('\n')[0];
    map.set(title, w);
  }
  return map;
}
