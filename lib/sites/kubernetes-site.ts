import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { unresolvedValues } from './chart-rendering';
import { ChartDeliveryOptions, ModelReadScope, SitePlatform, WorkloadCredentials } from './kubernetes-site-interface';
import { addSiteHeartbeat, heartbeatMetric, SiteHeartbeatOptions } from './site-heartbeat';
import { DeclaredGpuCapacity, KubernetesSiteBase, KubernetesSiteOptions } from './site-base';
import { PropValidationError } from '../private/errors';
import { checkImageReference } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Secret that holds the Roles Anywhere credential helper configuration in workload namespaces. */
export const DEFAULT_ROLES_ANYWHERE_SECRET_NAME = 'aws-roles-anywhere';

export interface KubernetesSiteProps extends KubernetesSiteOptions {
  /**
   * How workloads obtain AWS credentials on this cluster.
   * @default WorkloadCredentials.NONE
   */
  readonly workloadCredentials?: WorkloadCredentials;
  /**
   * With IAM Roles Anywhere: the role the site's workloads assume (e.g. from
   * `OnPremisesProducerAccess`); constructs grant it what their workloads need.
   * @default - none: workloads that need AWS access are rejected
   */
  readonly rolesAnywhereRole?: iam.IRole;
  /**
   * With IAM Roles Anywhere: name of the Secret in each workload namespace with `config`,
   * `certificate.pem` and `private-key.pem` for `aws_signing_helper`.
   * @default "aws-roles-anywhere"
   */
  readonly rolesAnywhereSecretName?: string;
  /**
   * With IAM Roles Anywhere: image with the `aws_signing_helper` binary (IAM Roles Anywhere
   * credential helper), run as a native sidecar with `aws_signing_helper serve`. AWS publishes
   * the binary but no image: build one (see the README, "On-premises setup") and push it to a
   * registry the site pulls from.
   * @default - none: workloads that need AWS credentials (model downloads, the heartbeat) are rejected at synth
   */
  readonly rolesAnywhereHelperImage?: string;
  /**
   * With IAM Roles Anywhere: what the role may read of a models zone. The default grants each
   * model's prefix (least privilege; the policy grows per model and about 200 models fit IAM's
   * default quotas); `WHOLE_ZONE` grants each models zone once, for sites serving hundreds.
   * @default ModelReadScope.MODEL_PREFIX
   */
  readonly rolesAnywhereModelReadScope?: ModelReadScope;
  /**
   * GPU capacity of the cluster, for synth-time checks of GPU workloads.
   * @default - no GPU capacity: GPU workloads are rejected
   */
  readonly gpuCapacity?: DeclaredGpuCapacity;
  /**
   * Whether GPU nodes already run the NVIDIA device plugin (e.g. the NVIDIA GPU Operator is
   * installed); when false, the GPU enablement chart installs it.
   * @default false
   */
  readonly nvidiaDevicePluginInstalled?: boolean;
}

/**
 * Any Kubernetes cluster outside this app's AWS accounts, e.g. on-premises GPU servers.
 * Charts are written to `cdk.out/manifests/<siteName>/<chart>.k8s.yaml` for `kubectl apply`
 * or a GitOps repository: apply-ready, so synth fails when a value in them would only be known
 * at deploy time (a CloudFormation reference cannot be resolved by kubectl).
 */
export class KubernetesSite extends KubernetesSiteBase {
  public readonly platform = SitePlatform.KUBERNETES;
  public readonly workloadCredentials: WorkloadCredentials;
  public readonly nvidiaDevicePluginInstalled: boolean;
  public readonly rolesAnywhereRole?: iam.IRole;
  public readonly rolesAnywhereSecretName?: string;
  public readonly rolesAnywhereHelperImage?: string;
  public readonly rolesAnywhereModelReadScope?: ModelReadScope;

  constructor(scope: Construct, id: string, props: KubernetesSiteProps = {}) {
    super(scope, id, props);
    checkPropTypes(this, 'KubernetesSiteProps', props);
    this.workloadCredentials = props.workloadCredentials ?? WorkloadCredentials.NONE;
    this.nvidiaDevicePluginInstalled = props.nvidiaDevicePluginInstalled ?? false;
    this.rolesAnywhereRole = props.rolesAnywhereRole;
    if (this.workloadCredentials === WorkloadCredentials.IAM_ROLES_ANYWHERE) {
      this.rolesAnywhereSecretName = props.rolesAnywhereSecretName ?? DEFAULT_ROLES_ANYWHERE_SECRET_NAME;
      checkImageReference(this, 'rolesAnywhereHelperImage', props.rolesAnywhereHelperImage, 'registry.lab.internal/aws-signing-helper:1.4.0');
      this.rolesAnywhereHelperImage = props.rolesAnywhereHelperImage;
      this.rolesAnywhereModelReadScope = props.rolesAnywhereModelReadScope ?? ModelReadScope.MODEL_PREFIX;
    }
    if (props.gpuCapacity) this.declareGpuCapacity(props.gpuCapacity);
    this.node.addValidation({ validate: () => this.checkApplyReady() });
  }

  /**
   * Adds a CronJob that publishes the site's heartbeat to CloudWatch every minute
   * (`metricHeartbeat()`), with the site's Roles Anywhere credentials; the role needs
   * `cloudwatch:PutMetricData` on the metric's namespace (AiPlatform grants it).
   */
  public addHeartbeat(options: SiteHeartbeatOptions = {}): Chart {
    checkPropTypes(this, 'SiteHeartbeatOptions', options);
    if (this.workloadCredentials !== WorkloadCredentials.IAM_ROLES_ANYWHERE || !this.rolesAnywhereHelperImage) {
      throw new PropValidationError(this, 'rolesAnywhereHelperImage', this.rolesAnywhereHelperImage,
        `is needed for the heartbeat of site "${this.siteName}" (it publishes to CloudWatch with IAM Roles Anywhere credentials)`,
        'Give the site workloadCredentials IAM_ROLES_ANYWHERE and rolesAnywhereHelperImage (an image with aws_signing_helper, see the README "On-premises setup").');
    }
    return addSiteHeartbeat(this, options);
  }

  /**
   * The site's heartbeat: 1 per minute while the site's heartbeat CronJob runs, nothing when
   * the site (or its network path to AWS) is down. Alarm with missing data as breaching.
   */
  public metricHeartbeat(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return heartbeatMetric(this.siteName, props);
  }

  protected deliver(_chart: Chart, _options: ChartDeliveryOptions): void {
    // Nothing to apply: the chart is written as YAML when the app synthesizes.
  }

  protected fileObjects(chart: Chart): unknown[] {
    return this.renderedObjects(chart);
  }

  /** Operators apply these files with kubectl, which cannot resolve CloudFormation values. */
  private checkApplyReady(): string[] {
    return this.charts.flatMap((chart) => {
      const unresolved = this.renderedObjects(chart).flatMap((o) => unresolvedValues(o, `${o.kind}/${o.metadata?.name}`));
      return unresolved.length === 0 ? [] : [
        `chart "${chart.node.id}" of site "${this.siteName}" holds values known only at deploy time (${unresolved.join('; ')}); `
        + 'kubectl cannot resolve them. Give the construct that sets them literal values (e.g. a DataLake zone\'s bucketName for a model bucket).',
      ];
    });
  }
}
