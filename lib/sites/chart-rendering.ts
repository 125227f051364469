/**
 * Rendering a site's charts into Kubernetes objects: each chart once, touching only that chart
 * (cdk8s `Chart.toJson()` resolves and validates the chart's whole App on every call, which
 * makes a site with n charts cost n x n), plus the helpers that keep written manifests
 * deterministic: deploy-time values as stable placeholders, or a list of where they remain.
 */
import { Token } from 'aws-cdk-lib';
import { ApiObject, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';

/* eslint-disable @typescript-eslint/no-explicit-any */

/** A Kubernetes object as plain JSON. */
export type KubernetesJson = Record<string, any>;

function ownObjects(chart: Chart, scope: IConstruct): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

/**
 * The chart's objects, as `Chart.toJson()` returns them, resolving and validating only the
 * chart's own constructs. Objects come in dependency order (construction order otherwise).
 */
export function renderChart(chart: Chart): KubernetesJson[] {
  const constructs = chart.node.findAll();
  const errors = constructs.flatMap((c) => c.node.validate().map((e) => `[${c.node.path}] ${e}`));
  if (errors.length > 0) throw new Error(`Validation failed with the following errors:\n  ${errors.join('\n  ')}`);
  // As cdk8s does for the whole App: a dependency between two constructs of the chart orders
  // the API objects under them.
  for (const source of constructs) {
    for (const target of source.node.dependencies) {
      if (!constructs.includes(target as never) || Chart.of(target) !== chart) continue;
      for (const to of ownObjects(chart, target)) {
        for (const from of ownObjects(chart, source)) if (from !== to) from.node.addDependency(to);
      }
    }
  }
  return new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => o.toJson());
}

/** A deep copy of plain JSON (the kubectl provider writes prune labels into what it is given). */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copyJson) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyJson(v)])) as T;
  }
  return value;
}

/** Where a value only known at deploy time remains, as `<path>: <value>`. */
export function unresolvedValues(value: unknown, at = ''): string[] {
  if (Token.isUnresolved(value)) return [`${at || '.'}: ${String(value)}`];
  if (Array.isArray(value)) return value.flatMap((v, i) => unresolvedValues(v, `${at}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => unresolvedValues(v, `${at}.${k}`));
  }
  return [];
}

function intrinsicText(value: Record<string, any>): string | undefined {
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const [name] = keys;
  const arg = value[name];
  switch (name) {
    case 'Ref': return typeof arg === 'string' ? `\${${arg}}` : undefined;
    case 'Fn::GetAtt': return Array.isArray(arg) ? `\${${arg.join('.')}}` : undefined;
    case 'Fn::ImportValue': return `\${Import:${renderPlaceholders(arg)}}`;
    case 'Fn::Join': return Array.isArray(arg) && Array.isArray(arg[1])
      ? arg[1].map((part: unknown) => String(renderPlaceholders(part))).join(arg[0]) : undefined;
    default: return name.startsWith('Fn::') ? `\${${JSON.stringify(value)}}` : undefined;
  }
}

/**
 * Replaces CloudFormation intrinsics (what a stack resolves tokens to) by readable text derived
 * from logical ids, e.g. `${LakeZonemodelsBucketB0C1D2E3}` or `${GpuClusterA1B2.Arn}`: the same
 * on every synth, unlike `${Token[...]}`.
 */
export function renderPlaceholders(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(renderPlaceholders);
  if (value !== null && typeof value === 'object') {
    const text = intrinsicText(value as Record<string, any>);
    if (text !== undefined) return text;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderPlaceholders(v)]));
  }
  return value;
}
