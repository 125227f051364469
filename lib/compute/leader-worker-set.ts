import { Duration } from 'aws-cdk-lib';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import { Construct } from 'constructs';
import { EksSite } from '../sites/eks-site';
import { checkPropTypes } from '../private/prop-types';
import { checkPattern } from '../private/validation';

/** LeaderWorkerSet release installed on EKS (chart and image are released together). */
const LWS_VERSION = '0.10.0';
const LWS_NAMESPACE = 'lws-system';
const LWS_CHART_REPOSITORY = 'oci://registry.k8s.io/lws/charts/lws';
const LWS_IMAGE = 'registry.k8s.io/lws/lws';

export interface LeaderWorkerSetControllerOptions {
  /**
   * LeaderWorkerSet version: the chart `oci://registry.k8s.io/lws/charts/lws` and the image
   * `registry.k8s.io/lws/lws:v<version>`.
   * @default "0.10.0"
   */
  readonly version?: string;
}

export interface LeaderWorkerSetControllerProps extends LeaderWorkerSetControllerOptions {
  readonly site: EksSite;
}

/**
 * The LeaderWorkerSet controller on EKS (kubernetes-sigs/lws): the `LeaderWorkerSet` CRD, its
 * controller and admission webhooks, so a model larger than one node is served by groups of
 * pods (a leader and its workers) that start, fail and roll out together
 * (`InferenceService` `multiNode`). Its pod webhook only sees pods labelled
 * `leaderworkerset.sigs.k8s.io/name`, so other pods never wait for it.
 *
 * The release waits until the controller is ready (its webhooks fail closed), and every chart
 * the site receives afterwards is applied after it. Create it with
 * `GpuCluster.addLeaderWorkerSet()` before the services that use it.
 */
export class LeaderWorkerSetController extends Construct {
  /** The Helm release. */
  public readonly release: eks.HelmChart;
  /** The LeaderWorkerSet version installed. */
  public readonly version: string;

  constructor(scope: Construct, id: string, props: LeaderWorkerSetControllerProps) {
    super(scope, id);
    checkPropTypes(this, 'LeaderWorkerSetControllerProps', props);
    checkPattern(this, 'version', props.version, /^\d+\.\d+\.\d+$/, 'a release version without "v"', '0.10.0');
    const site = props.site;
    this.version = props.version ?? LWS_VERSION;
    this.release = site.cluster.addHelmChart('LeaderWorkerSet', {
      chart: 'lws',
      repository: LWS_CHART_REPOSITORY,
      release: 'lws',
      version: this.version,
      namespace: LWS_NAMESPACE,
      createNamespace: true,
      // The webhooks fail closed: LeaderWorkerSets applied later need the controller answering.
      wait: true,
      timeout: Duration.minutes(10),
      values: {
        // The released chart pins its image to the release (hack/push-chart.sh); written here
        // so the site's registry mirror applies.
        image: { manager: { repository: site.resolveImage(LWS_IMAGE), tag: `v${this.version}`, pullPolicy: 'IfNotPresent' } },
      },
    });
    site.markLeaderWorkerSetInstalled(this.release);
  }
}
