/**
 * A model prefix mounted read-only with the Mountpoint for Amazon S3 CSI driver (v2, static
 * provisioning): a PersistentVolume for the prefix, bound to one claim in the service's
 * namespace. The pod's fsGroup makes the driver mount with `allow-other` and that group, so the
 * non-root server can read; the region is given because GPU nodes keep IMDS out of reach of
 * pods (hop limit 1).
 */
import { Chart } from 'cdk8s';
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { modelBucketName } from './model-server-pod';
import { ModelSource } from './model-source';

/** CSI driver name of Mountpoint for Amazon S3. */
export const MOUNTPOINT_S3_DRIVER = 's3.csi.aws.com';
/** Capacity the PV and claim declare: required by the API, ignored by the driver (S3 has no size). */
const DECLARED_CAPACITY = '1Ti';

export interface ModelMountOptions {
  /** Claim name (in `namespace`); the PV is `<namespace>-<claim>`. */
  readonly claimName: string;
  readonly namespace: string;
  readonly model: ModelSource;
  readonly region: string;
}

export function addModelMount(chart: Chart, id: string, options: ModelMountOptions): void {
  const volumeName = `${options.namespace}-${options.claimName}`;
  new k8s.KubePersistentVolume(chart, `${id}Volume`, {
    metadata: { name: volumeName },
    spec: {
      capacity: { storage: k8s.Quantity.fromString(DECLARED_CAPACITY) },
      accessModes: ['ReadOnlyMany'],
      storageClassName: '',
      persistentVolumeReclaimPolicy: 'Retain',
      claimRef: { namespace: options.namespace, name: options.claimName },
      mountOptions: [`prefix ${options.model.normalizedPrefix}/`, `region ${options.region}`],
      csi: {
        driver: MOUNTPOINT_S3_DRIVER,
        // Unique per volume: two volumes with one handle leave pods stuck mounting.
        volumeHandle: volumeName,
        volumeAttributes: { bucketName: modelBucketName(options.model) },
      },
    },
  });
  new k8s.KubePersistentVolumeClaim(chart, `${id}Claim`, {
    metadata: { name: options.claimName, namespace: options.namespace },
    spec: {
      accessModes: ['ReadOnlyMany'],
      storageClassName: '',
      volumeName,
      resources: { requests: { storage: k8s.Quantity.fromString(DECLARED_CAPACITY) } },
    },
  });
}
