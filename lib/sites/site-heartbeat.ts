/**
 * The heartbeat of a site outside AWS: a CronJob that puts one CloudWatch data point per minute
 * (namespace `cdk-scalable-ai/<siteName>`, metric `Heartbeat`, dimension `SiteName`, value 1)
 * with the site's IAM Roles Anywhere credentials. Health checks alarm when it stops
 * (missing data), e.g. BurstRouting's failover from the site to the cloud.
 */
import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { IKubernetesSite } from './kubernetes-site-interface';
import { rolesAnywherePodCredentials } from './roles-anywhere-credentials';
import { ensureWorkloadNamespace } from '../k8s/workload-namespace';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from '../k8s/pod-security';
import { checkDnsLabel } from '../private/validation';

/** Metric name of the heartbeat. */
export const HEARTBEAT_METRIC_NAME = 'Heartbeat';
/** Dimension that names the site. */
export const HEARTBEAT_SITE_DIMENSION = 'SiteName';
/** Namespace the heartbeat CronJob runs in unless told otherwise (it needs the site's Roles Anywhere Secret). */
export const DEFAULT_HEARTBEAT_NAMESPACE = 'site-health';
/** Chart id (and file name) of the heartbeat. */
export const HEARTBEAT_CHART_ID = 'heartbeat';
/** Every minute: the finest schedule a CronJob has and the period of the metric. */
export const HEARTBEAT_SCHEDULE = '* * * * *';
export const HEARTBEAT_PERIOD = Duration.minutes(1);

/** CloudWatch namespace a site outside AWS publishes its own metrics into. */
export function siteMetricsNamespace(siteName: string): string {
  return `cdk-scalable-ai/${siteName}`;
}

/** The heartbeat metric of a site (maximum per minute: 1 while alive, missing when not). */
export function heartbeatMetric(siteName: string, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: siteMetricsNamespace(siteName),
    metricName: HEARTBEAT_METRIC_NAME,
    statistic: cloudwatch.Stats.MAXIMUM,
    period: HEARTBEAT_PERIOD,
    ...props,
    dimensionsMap: { [HEARTBEAT_SITE_DIMENSION]: siteName, ...props.dimensionsMap },
  });
}

export interface SiteHeartbeatOptions {
  /**
   * Namespace of the CronJob, created with the restricted baseline if missing; the site's
   * Roles Anywhere Secret must exist in it.
   * @default "site-health"
   */
  readonly namespace?: string;
}

/** Adds the heartbeat chart (CronJob) to the site; the site must give pods Roles Anywhere credentials. */
export function addSiteHeartbeat(site: IKubernetesSite, options: SiteHeartbeatOptions = {}): Chart {
  const namespace = options.namespace ?? DEFAULT_HEARTBEAT_NAMESPACE;
  checkDnsLabel(site, 'heartbeat namespace', namespace);
  const namespaceChart = ensureWorkloadNamespace(site, namespace);
  const chart = site.newChart(HEARTBEAT_CHART_ID);
  chart.addDependency(namespaceChart);
  const credentials = rolesAnywherePodCredentials(site);
  const labels = { 'app.kubernetes.io/name': 'heartbeat', 'app.kubernetes.io/part-of': 'cdk-scalable-ai' };
  const scratch = { name: 'scratch', mountPath: '/tmp' };
  new k8s.KubeCronJob(chart, 'CronJob', {
    metadata: { name: 'heartbeat', namespace, labels },
    spec: {
      schedule: HEARTBEAT_SCHEDULE,
      // A late beat is worth nothing: skip it rather than pile up runs.
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 30,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        spec: {
          backoffLimit: 0,
          activeDeadlineSeconds: 50,
          ttlSecondsAfterFinished: 600,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: 'Never',
              automountServiceAccountToken: false,
              securityContext: restrictedPodSecurityContext(),
              initContainers: credentials.sidecars,
              containers: [{
                name: 'publish',
                image: site.resolveImage(site.modelDownloaderImage),
                command: [
                  'aws', 'cloudwatch', 'put-metric-data',
                  '--namespace', siteMetricsNamespace(site.siteName),
                  '--metric-name', HEARTBEAT_METRIC_NAME,
                  '--dimensions', `${HEARTBEAT_SITE_DIMENSION}=${site.siteName}`,
                  '--value', '1',
                  '--unit', 'Count',
                ],
                env: [{ name: 'HOME', value: '/tmp' }, ...credentials.env],
                resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('128Mi') }, limits: { memory: k8s.Quantity.fromString('256Mi') } },
                securityContext: restrictedContainerSecurityContext(),
                volumeMounts: [scratch],
              }],
              volumes: [{ name: 'scratch', emptyDir: {} }, ...credentials.volumes],
            },
          },
        },
      },
    },
  });
  site.addChart(chart);
  return chart;
}
