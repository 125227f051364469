import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { KEDA_HTTP_ADD_ON_VERSION, kedaHttpAddOnValues } from './keda-http-add-on';
import { AWS_PROMETHEUS_TRIGGER_AUTHENTICATION } from './keda-scaled-object';
import { inferenceScrapeConfig } from './scrape-config';
import { AMP_WORKSPACE_READ_KEY_ACTIONS, grantWorkspaceKey, scraperRoles } from '../monitoring/prometheus/amp-workspace-key';
import { serviceAccountRole } from '../private/pod-identity';
import { EksSite } from '../sites/eks-site';
import { checkPropTypes } from '../private/prop-types';

/** KEDA release installed on EKS (chart kedacore/keda; KEDA 2.19 supports Kubernetes >= 1.30). */
export const KEDA_CHART_VERSION = '2.19.0';
export const KEDA_NAMESPACE = 'keda';
/** Service account of the KEDA operator, which queries Prometheus. */
export const KEDA_OPERATOR_SERVICE_ACCOUNT = 'keda-operator';
/** The query rights of AWS's AmazonPrometheusQueryAccess policy. */
export const PROMETHEUS_QUERY_ACTIONS = ['aps:QueryMetrics', 'aps:GetLabels', 'aps:GetSeries', 'aps:GetMetricMetadata'];

export interface InferenceAutoscalingOptions {
  /**
   * Key for the Prometheus workspace. The collector's target role and the KEDA operator get
   * the use of it through AMP (kms:ViaService, the workspace's encryption context): the key
   * policy must let IAM policies of the account grant it (the default key policy does).
   * @default - a new key with rotation, retained
   */
  readonly encryptionKey?: kms.IKey;
  /** @default "2.19.0" */
  readonly kedaVersion?: string;
  /**
   * Installs the KEDA HTTP add-on (chart `keda-add-ons-http`, version 0.15.0) beside
   * KEDA, so services can wake from zero on their first request (ScaleToZero.onRequest). Its
   * interceptor runs 3 to 50 replicas (0.25 vCPU, 20Mi each, requested).
   * @default false
   */
  readonly kedaHttpAddOn?: boolean;
}

export interface InferenceAutoscalingProps extends InferenceAutoscalingOptions {
  readonly site: EksSite;
}

/**
 * What KEDA-based inference autoscaling needs on EKS, installed for real: an Amazon Managed
 * Prometheus workspace (KMS-encrypted) fed by a managed collector that scrapes model servers
 * and the DCGM exporter, KEDA (Helm) whose operator queries the workspace with SigV4 through
 * EKS Pod Identity, and a ClusterTriggerAuthentication the ScaledObjects use.
 *
 * The workspace's customer managed key: a managed collector writes into such a workspace only
 * through a role configuration (source and target role in this account, see
 * `scraperRoles`); the KEDA operator reads through AMP with kms:Decrypt. Rule evaluation and
 * the alert manager run inside AMP on the grants AMP creates with the workspace.
 */
export class InferenceAutoscaling extends Construct {
  public readonly workspace: aps.CfnWorkspace;
  public readonly scraper: aps.CfnScraper;
  /** The workspace's key. */
  public readonly encryptionKey: kms.IKey;
  /** Role the managed collector assumes, and the role it writes into the workspace with. */
  public readonly collectorSourceRole: iam.Role;
  public readonly collectorTargetRole: iam.Role;
  public readonly kedaRole: iam.Role;
  public readonly keda: eks.HelmChart;
  /** The KEDA HTTP add-on, with `kedaHttpAddOn`. */
  public readonly kedaHttpAddOn?: eks.HelmChart;
  /** Query endpoint of the workspace, as KEDA's Prometheus scaler wants it. */
  public readonly prometheusQueryUrl: string;

  constructor(scope: Construct, id: string, props: InferenceAutoscalingProps) {
    super(scope, id);
    checkPropTypes(this, 'InferenceAutoscalingProps', props);
    const { site } = props;
    const cluster = site.cluster;
    const key = props.encryptionKey ?? new kms.Key(this, 'Key', {
      description: `Amazon Managed Prometheus workspace of ${this.node.path}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.encryptionKey = key;

    this.workspace = new aps.CfnWorkspace(this, 'Workspace', { alias: `${site.siteName}-inference`, kmsKeyArn: key.keyArn });
    this.workspace.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const collector = scraperRoles(this, this.workspace, key);
    this.collectorSourceRole = collector.source;
    this.collectorTargetRole = collector.target;
    this.scraper = new aps.CfnScraper(this, 'Scraper', {
      alias: `${site.siteName}-inference`,
      source: {
        eksConfiguration: {
          clusterArn: cluster.clusterArn,
          subnetIds: cluster.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).subnetIds.slice(0, 5),
          securityGroupIds: [cluster.clusterSecurityGroupId],
        },
      },
      destination: { ampConfiguration: { workspaceArn: this.workspace.attrArn } },
      scrapeConfiguration: { configurationBlob: inferenceScrapeConfig() },
      // The service-linked role cannot write into a workspace with a customer managed key.
      roleConfiguration: collector.roleConfiguration,
    });
    // With access entries (aws-eks-v2's API authentication mode), the collector's cluster access
    // is created by the service when the scraper is. The roles' policies exist before it writes.
    this.scraper.node.addDependency(cluster, collector.source, collector.target);

    this.keda = cluster.addHelmChart('Keda', {
      chart: 'keda',
      repository: 'https://kedacore.github.io/charts',
      release: 'keda',
      version: props.kedaVersion ?? KEDA_CHART_VERSION,
      namespace: KEDA_NAMESPACE,
      createNamespace: true,
      values: { podIdentity: { aws: { irsa: { enabled: false } } } },
    });

    const { role: kedaRole, association } = serviceAccountRole(this, { role: 'KedaOperatorRole', association: 'KedaPodIdentity' }, {
      cluster,
      namespace: KEDA_NAMESPACE,
      serviceAccount: KEDA_OPERATOR_SERVICE_ACCOUNT,
      description: 'KEDA operator: queries the inference Prometheus workspace',
    });
    this.kedaRole = kedaRole;
    this.kedaRole.addToPolicy(new iam.PolicyStatement({ actions: PROMETHEUS_QUERY_ACTIONS, resources: [this.workspace.attrArn] }));
    // Query results are decrypted with the workspace's key, on the caller's behalf.
    grantWorkspaceKey(this.kedaRole, key, this.workspace, AMP_WORKSPACE_READ_KEY_ACTIONS);
    // The operator must start with its identity and rights in place, or its first queries fail.
    this.keda.node.addDependency(association, this.kedaRole);

    this.prometheusQueryUrl = `https://aps-workspaces.${Stack.of(this).region}.${Stack.of(this).urlSuffix}/workspaces/${this.workspace.attrWorkspaceId}`;

    const chart = site.newChart('keda-aws-auth');
    new ApiObject(chart, 'TriggerAuthentication', {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ClusterTriggerAuthentication',
      metadata: { name: AWS_PROMETHEUS_TRIGGER_AUTHENTICATION },
      // The operator's own credentials (EKS Pod Identity through the AWS SDK chain) sign the queries.
      spec: { podIdentity: { provider: 'aws', identityOwner: 'keda' } },
    });
    site.markKedaInstalled(this.keda);
    if (props.kedaHttpAddOn) {
      this.kedaHttpAddOn = cluster.addHelmChart('KedaHttpAddOn', {
        chart: 'keda-add-ons-http',
        repository: 'https://kedacore.github.io/charts',
        release: 'keda-add-ons-http',
        version: KEDA_HTTP_ADD_ON_VERSION,
        namespace: KEDA_NAMESPACE,
        values: kedaHttpAddOnValues(),
      });
      // The release holds a ScaledObject for its interceptor: KEDA's CRDs come first.
      this.kedaHttpAddOn.node.addDependency(this.keda);
      site.markKedaHttpAddOnInstalled(this.kedaHttpAddOn);
    }
    site.usePrometheusQueryUrl(this.prometheusQueryUrl, Stack.of(this).region);
    site.addChart(chart);
  }
}
