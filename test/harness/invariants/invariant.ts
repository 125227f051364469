/** What every cross-resource invariant check is: a name, why it matters, and its findings. */
import { AssemblyModel } from './assembly-model';

export interface Invariant {
  /** Stable id, e.g. `pod-identity-before-pods`. */
  readonly id: string;
  /** What must hold at deploy time, and what breaks when it does not. */
  readonly description: string;
  /** One message per violation, naming the resources involved. */
  check(model: AssemblyModel): string[];
}
