import { IDataLakeZone } from '../data/zone';

/**
 * Where model weights come from. From a data-lake zone prefix, an init container copies them
 * to the pod before the server starts, with credentials the site provides (EKS Pod Identity on
 * EKS, IAM Roles Anywhere elsewhere).
 */
export class ModelSource {
  /**
   * Model files under `prefix` of a lake zone (e.g. `llama-3-8b/v3`).
   */
  public static fromDataLake(zone: IDataLakeZone, prefix: string): ModelSource {
    return new ModelSource(zone, prefix);
  }

  private constructor(
    public readonly zone: IDataLakeZone,
    public readonly prefix: string,
  ) {}

  /** The prefix without slashes at either end. */
  public get normalizedPrefix(): string {
    return this.prefix.replace(/^\/+|\/+$/g, '');
  }
}
