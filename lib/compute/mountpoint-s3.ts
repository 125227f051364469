/**
 * The Mountpoint for Amazon S3 CSI driver (EKS add-on `aws-mountpoint-s3-csi-driver`, v2), so
 * model servers mount their model's prefix read-only instead of copying the weights into every
 * pod at start (`ModelSource.mountFromDataLake`). v2 runs each mount in an unprivileged
 * Mountpoint pod in namespace `mount-s3`; the workload pod only uses a PersistentVolumeClaim,
 * which Pod Security "restricted" allows.
 */
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IDataLakeZone } from '../data/zone';
import { EksSite } from '../sites/eks-site';
import { acknowledgeInlinePolicies, acknowledgeWildcards, wildcardResource } from '../private/nag-acknowledgements';
import { podIdentityPrincipal } from '../private/pod-identity';
import { checkPropTypes } from '../private/prop-types';

/** The service account of the driver (in kube-system) whose role mounts the buckets. */
const DRIVER_SERVICE_ACCOUNT = 's3-csi-driver-sa';

export interface MountpointS3Props {
  readonly site: EksSite;
}

/**
 * The driver add-on with driver-level credentials: an EKS Pod Identity role of its service
 * account that reads the lake zones models are mounted from (each zone whole, once: the driver
 * mounts only the PersistentVolumes the app defines, and cluster-scoped PersistentVolumes need
 * cluster-admin rights to create). Create it with `GpuCluster.addMountpointS3()`.
 */
export class MountpointS3 extends Construct {
  /** The add-on. */
  public readonly addon: eks.Addon;
  /** The role the driver mounts buckets with. */
  public readonly driverRole: iam.Role;
  private readonly zones = new Set<IDataLakeZone>();

  constructor(scope: Construct, id: string, props: MountpointS3Props) {
    super(scope, id);
    checkPropTypes(this, 'MountpointS3Props', props);
    const cluster = props.site.cluster;
    this.driverRole = new iam.Role(this, 'DriverRole', {
      assumedBy: podIdentityPrincipal(),
      description: 'Mountpoint for Amazon S3 CSI driver: reads the lake zones models are mounted from',
    });
    acknowledgeInlinePolicies(this.driverRole);
    this.addon = new eks.Addon(this, 'Addon', { cluster, addonName: 'aws-mountpoint-s3-csi-driver' });
    // The driver's pods start with their credentials in place (Pod Identity needs the association first).
    (this.addon.node.defaultChild as eks.CfnAddon).podIdentityAssociations = [{ serviceAccount: DRIVER_SERVICE_ACCOUNT, roleArn: this.driverRole.roleArn }];
    this.addon.node.addDependency(this.driverRole);
    props.site.useMountpointS3(this);
  }

  /** Lets the driver read a zone models are mounted from (once per zone). */
  public grantZone(zone: IDataLakeZone): void {
    if (this.zones.has(zone)) return;
    this.zones.add(zone);
    zone.grantRead(this.driverRole);
    acknowledgeWildcards(this.driverRole, 'The driver mounts model prefixes of this models zone read-only; the zone holds model files only, and only PersistentVolumes the app defines (cluster-admin) reach it.',
      [wildcardResource(this.driverRole, `${zone.bucket.bucketArn}/*`)]);
  }
}
