import * as iam from 'aws-cdk-lib/aws-iam';
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { IGpuCapacity } from '../compute/gpu-capacity';
import { SitePlatform, WorkloadCredentials } from './kubernetes-site-interface';
import { KubernetesSiteBase, KubernetesSiteOptions } from './site-base';
import { checkInteger } from '../private/validation';

/** GPU capacity of a cluster outside AWS, as its operators declare it. */
export interface DeclaredGpuCapacity {
  /** Whole GPUs on the largest GPU node. */
  readonly gpusPerNode: number;
  /** Whole GPUs across all GPU nodes. */
  readonly totalGpus: number;
}

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
   * @default DEFAULT_ROLES_ANYWHERE_SECRET_NAME
   */
  readonly rolesAnywhereSecretName?: string;
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
 * or a GitOps repository.
 */
export class KubernetesSite extends KubernetesSiteBase {
  public readonly platform = SitePlatform.KUBERNETES;
  public readonly workloadCredentials: WorkloadCredentials;
  public readonly nvidiaDevicePluginInstalled: boolean;
  public readonly rolesAnywhereRole?: iam.IRole;
  public readonly rolesAnywhereSecretName?: string;

  constructor(scope: Construct, id: string, props: KubernetesSiteProps = {}) {
    super(scope, id, props);
    this.workloadCredentials = props.workloadCredentials ?? WorkloadCredentials.NONE;
    this.nvidiaDevicePluginInstalled = props.nvidiaDevicePluginInstalled ?? false;
    this.rolesAnywhereRole = props.rolesAnywhereRole;
    if (this.workloadCredentials === WorkloadCredentials.IAM_ROLES_ANYWHERE) {
      this.rolesAnywhereSecretName = props.rolesAnywhereSecretName ?? DEFAULT_ROLES_ANYWHERE_SECRET_NAME;
    }
    if (props.gpuCapacity) {
      checkInteger(this, 'gpuCapacity.gpusPerNode', props.gpuCapacity.gpusPerNode, 1, 64);
      checkInteger(this, 'gpuCapacity.totalGpus', props.gpuCapacity.totalGpus, props.gpuCapacity.gpusPerNode);
      const declared: IGpuCapacity = {
        capacityName: `${this.node.path} (declared)`,
        gpusPerNode: props.gpuCapacity.gpusPerNode,
        maxGpus: props.gpuCapacity.totalGpus,
      };
      this.addGpuCapacity(declared);
    }
  }

  protected deliver(_chart: Chart): void {
    // Nothing to apply: the chart is written as YAML when the app synthesizes.
  }
}
