import { IDataLakeZone } from '../data/zone';

/**
 * Where model weights come from. From a data-lake zone prefix, an init container copies them
 * to the pod before the server starts, with credentials the site provides (EKS Pod Identity on
 * EKS, IAM Roles Anywhere elsewhere); or, on EKS, the prefix is mounted read-only.
 */
export class ModelSource {
  /**
   * Model files under `prefix` of a lake zone (e.g. `llama-3-8b/v3`).
   */
  public static fromDataLake(zone: IDataLakeZone, prefix: string): ModelSource {
    return new ModelSource(zone, prefix, false);
  }

  /**
   * Model files under `prefix` of a lake zone, mounted read-only with the Mountpoint for Amazon
   * S3 CSI driver (`GpuCluster.addMountpointS3()`) instead of copied: no copy into every pod at
   * start, and no scratch space for the weights; the server reads them from S3 as it loads.
   */
  public static mountFromDataLake(zone: IDataLakeZone, prefix: string): ModelSource {
    return new ModelSource(zone, prefix, true);
  }

  private constructor(
    public readonly zone: IDataLakeZone,
    public readonly prefix: string,
    /** Whether the files are mounted (Mountpoint for Amazon S3) rather than copied at start. */
    public readonly mounted: boolean,
  ) {}

  /** The prefix without slashes at either end. */
  public get normalizedPrefix(): string {
    return this.prefix.replace(/^\/+|\/+$/g, '');
  }
}
