/**
 * An alarm on a metric nothing publishes stays in INSUFFICIENT_DATA forever; an autoscaler on a
 * series nothing scrapes never scales; an alert rule on it never fires. So every CloudWatch
 * alarm names a metric (with the dimension set) that its AWS service or a publisher in the app
 * produces, and every Prometheus query (KEDA triggers, AMP alert rules, PrometheusRules) names
 * series that an exporter the app runs exposes and a scraper of the app collects.
 */
import { AssemblyModel, ManifestUnit, ModelResource, refKey, ResourceRef } from './assembly-model';
import { Invariant } from './invariant';
import { allContainers, describeObject, PodUse, podsOf } from './kubernetes-objects';
import { CLOUDWATCH_METRICS, HELM_EXPORTERS, isPublished, MODEL_SERVER_IMAGES, PROMETHEUS_METRICS } from './metric-catalog';
import { metricNamesIn } from './promql';
import { KubernetesObject } from '../kubernetes-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */

interface AlarmMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Array<{ Name: string; Value: unknown }>;
}

function alarmMetrics(alarm: ModelResource): AlarmMetric[] {
  const p = alarm.resource.Properties ?? {};
  if (p.MetricName) return [{ namespace: p.Namespace, metricName: p.MetricName, dimensions: p.Dimensions ?? [] }];
  return (p.Metrics ?? []).filter((m: any) => m.MetricStat).map((m: any) => ({
    namespace: m.MetricStat.Metric.Namespace, metricName: m.MetricStat.Metric.MetricName, dimensions: m.MetricStat.Metric.Dimensions ?? [],
  }));
}

/** Text of every container command and argument in the app's manifests (publishers call PutMetricData from there). */
function containerTexts(model: AssemblyModel): string[] {
  return model.manifests.flatMap((u) => u.objects).flatMap(podsOf)
    .flatMap((pod) => allContainers(pod).map((c) => [...(c.command ?? []), ...(c.args ?? []), ...(c.env ?? []).map((e: any) => `${e.name}=${e.value}`)].join(' ')));
}

function publishedByApp(texts: string[], metric: AlarmMetric): boolean {
  return texts.some((t) => t.includes(metric.namespace) && t.includes(metric.metricName));
}

/** Clusters an alarm's ClusterName dimension names, and whether each runs the CloudWatch observability add-on. */
function containerInsightsProblem(model: AssemblyModel, alarm: ModelResource, metric: AlarmMetric): string | undefined {
  const clusterDimension = metric.dimensions.find((d) => d.Name === 'ClusterName');
  const clusters = clusterDimension ? model.references(alarm.stack, clusterDimension.Value).filter((r) => model.resource(r)?.Type === 'AWS::EKS::Cluster') : [];
  for (const cluster of clusters) {
    const addon = model.clusterResources(cluster, 'AWS::EKS::Addon').find((a) => a.resource.Properties?.AddonName === 'amazon-cloudwatch-observability');
    if (!addon) return `cluster ${model.describe(cluster)} has no amazon-cloudwatch-observability add-on to publish it`;
  }
  return undefined;
}

function s3RequestMetricsProblem(model: AssemblyModel, alarm: ModelResource, metric: AlarmMetric): string | undefined {
  const filter = metric.dimensions.find((d) => d.Name === 'FilterId');
  if (!filter) return undefined;
  const bucketDimension = metric.dimensions.find((d) => d.Name === 'BucketName');
  const buckets = bucketDimension ? model.references(alarm.stack, bucketDimension.Value).filter((r) => model.resource(r)?.Type === 'AWS::S3::Bucket') : [];
  for (const bucket of buckets) {
    const configurations: any[] = model.resource(bucket)?.Properties?.MetricsConfigurations ?? [];
    if (!configurations.some((c) => c.Id === filter.Value)) return `bucket ${model.describe(bucket)} has no metrics configuration "${String(filter.Value)}" (S3 publishes request metrics only for those)`;
  }
  return undefined;
}

function cloudWatchViolations(model: AssemblyModel): string[] {
  const texts = containerTexts(model);
  const violations: string[] = [];
  for (const alarm of model.resources('AWS::CloudWatch::Alarm')) {
    for (const metric of alarmMetrics(alarm)) {
      const what = `alarm ${model.describe(alarm)} on ${metric.namespace} ${metric.metricName} [${metric.dimensions.map((d) => d.Name).join(', ')}]`;
      if (typeof metric.namespace !== 'string' || typeof metric.metricName !== 'string') continue;
      if (!CLOUDWATCH_METRICS[metric.namespace]) {
        if (!publishedByApp(texts, metric)) violations.push(`${what}: nothing in the app publishes this metric (no AWS service namespace, no publisher naming it).`);
        continue;
      }
      if (!isPublished(metric.namespace, metric.metricName, metric.dimensions.map((d) => d.Name))) {
        violations.push(`${what}: ${metric.namespace} publishes no such metric with this dimension set; the alarm would never get data.`);
        continue;
      }
      const problem = metric.namespace === 'ContainerInsights' ? containerInsightsProblem(model, alarm, metric)
        : metric.namespace === 'AWS/S3' ? s3RequestMetricsProblem(model, alarm, metric) : undefined;
      if (problem) violations.push(`${what}: ${problem}.`);
    }
  }
  return violations;
}

/** Series a workload's pods expose, by image. */
function exposedSeries(pod: PodUse): string[] {
  return allContainers(pod).flatMap((c) => MODEL_SERVER_IMAGES.filter((m) => new RegExp(m.image).test(String(c.image ?? '')))
    .flatMap((m) => PROMETHEUS_METRICS[m.exporter] ?? []));
}

/** Series scraped from one cluster or site: what annotated pods expose, and exporters behind a scraped Service. */
function scrapedSeries(objects: readonly KubernetesObject[], scrapeConfig: string | undefined): Set<string> {
  const series = new Set<string>();
  for (const pod of objects.flatMap(podsOf)) {
    const annotated = pod.annotations['prometheus.io/scrape'] === 'true';
    const exporter = allContainers(pod).some((c) => /dcgm-exporter/.test(String(c.image ?? '')));
    // The managed collector keeps annotated pods and the DCGM exporter's endpoints; a site's own Prometheus is assumed to do the same.
    const scraped = scrapeConfig === undefined ? annotated || exporter
      : (annotated && scrapeConfig.includes('__meta_kubernetes_pod_annotation_prometheus_io_scrape')) || (exporter && /dcgm/.test(scrapeConfig));
    if (scraped) exposedSeries(pod).forEach((s) => series.add(s));
  }
  return series;
}

/**
 * Series of exporters installed by Helm releases whose pods carry the scrape annotations (their
 * pods are not in the manifests): HELM_EXPORTERS names the chart and what its pods expose.
 */
function helmExportedSeries(model: AssemblyModel, cluster: ResourceRef, scrapeConfig: string): string[] {
  if (!scrapeConfig.includes('__meta_kubernetes_pod_annotation_prometheus_io_scrape')) return [];
  return model.clusterResources(cluster, 'Custom::AWSCDK-EKS-HelmChart').flatMap((release) => {
    const exporter = HELM_EXPORTERS[String(release.resource.Properties?.Chart)];
    const values = JSON.stringify(release.resource.Properties?.Values ?? '');
    return exporter && values.includes('prometheus.io/scrape') ? PROMETHEUS_METRICS[exporter] ?? [] : [];
  });
}

interface Query {
  readonly where: string;
  readonly expression: string;
}

function queriesIn(objects: readonly KubernetesObject[]): Query[] {
  const queries: Query[] = [];
  for (const object of objects) {
    if (object.kind === 'ScaledObject') {
      for (const trigger of (object.spec as any)?.triggers ?? []) {
        if (trigger.type === 'prometheus' && trigger.metadata?.query) queries.push({ where: `${describeObject(object)} trigger`, expression: trigger.metadata.query });
      }
    }
    if (object.kind === 'PrometheusRule') {
      for (const rule of ((object.spec as any)?.groups ?? []).flatMap((g: any) => g.rules ?? [])) {
        queries.push({ where: `${describeObject(object)} rule ${rule.alert ?? rule.record}`, expression: String(rule.expr) });
      }
    }
  }
  return queries;
}

function ruleGroupQueries(model: AssemblyModel, workspace: ResourceRef): Query[] {
  return model.resources('AWS::APS::RuleGroupsNamespace')
    .filter((r) => model.references(r.stack, r.resource.Properties?.Workspace).some((w) => refKey(w) === refKey(workspace)))
    .flatMap((r) => {
      const data = r.resource.Properties?.Data;
      const text = typeof data === 'string' ? data : JSON.stringify(data);
      return [...text.matchAll(/expr:\s*(.+)/g)].map((m) => ({ where: `alert rule of ${model.describe(r)}`, expression: m[1].replace(/^['"]|['"]$/g, '') }));
    });
}

function missingSeries(query: Query, series: Set<string>): string[] {
  return metricNamesIn(query.expression).filter((name) => !series.has(name));
}

function prometheusViolations(model: AssemblyModel): string[] {
  const violations: string[] = [];
  const report = (where: string, query: Query, missing: string[], why: string) =>
    violations.push(`${where}: ${query.where} queries ${missing.join(', ')}, which ${why}: \`${query.expression}\`.`);
  for (const cluster of model.resources('AWS::EKS::Cluster')) {
    const units = model.manifestsOf(cluster);
    const objects = units.flatMap((u) => u.objects);
    const scrapers = model.resources('AWS::APS::Scraper')
      .filter((s) => model.references(s.stack, s.resource.Properties?.Source?.EksConfiguration?.ClusterArn).some((c) => refKey(c) === refKey(cluster)));
    const scrapeConfig = scrapers.map((s) => String(s.resource.Properties?.ScrapeConfiguration?.ConfigurationBlob ?? '')).join('\n');
    const series = scrapers.length > 0 ? scrapedSeries(objects, scrapeConfig) : new Set<string>();
    if (scrapers.length > 0) helmExportedSeries(model, cluster, scrapeConfig).forEach((s) => series.add(s));
    const queries = [...queriesIn(objects), ...scrapers.flatMap((s) =>
      model.references(s.stack, s.resource.Properties?.Destination?.AmpConfiguration?.WorkspaceArn).flatMap((w) => ruleGroupQueries(model, w)))];
    for (const query of queries) {
      const missing = missingSeries(query, series);
      if (missing.length > 0) report(`cluster ${model.describe(cluster)}`, query, missing, scrapers.length === 0 ? 'no scraper of the app collects' : 'no scraped exporter of the cluster exposes');
    }
  }
  const sites = new Map<string, ManifestUnit[]>();
  for (const unit of model.manifests.filter((m) => m.site)) sites.set(unit.site!, [...(sites.get(unit.site!) ?? []), unit]);
  for (const [site, units] of sites) {
    const objects = units.flatMap((u) => u.objects);
    const series = scrapedSeries(objects, undefined);
    for (const query of queriesIn(objects)) {
      const missing = missingSeries(query, series);
      if (missing.length > 0) report(`site ${site}`, query, missing, 'no exporter of the site exposes');
    }
  }
  return violations;
}

export const metricsHaveProducers: Invariant = {
  id: 'metrics-have-producers',
  description: 'every autoscaler query and every alarm refers to a metric that something in the platform produces',
  check(model: AssemblyModel): string[] {
    return [...cloudWatchViolations(model), ...prometheusViolations(model)];
  },
};

