/**
 * What GPUs a workload needs, and which of a site's GPU capacities offer them. A model is
 * pinned to the capacities that match (node groups and node pools label their nodes with
 * GPU_CAPACITY_LABEL), and its GPU demand counts only against them.
 */
import { Size, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { IGpuCapacity } from './gpu-capacity';
import { PropValidationError } from '../private/errors';
import { gpuFamilies } from '../private/gpu-catalog';
import { checkSizeRange } from '../private/validation';

/** GPUs a workload needs; every given field must hold for a capacity to match. */
export interface GpuRequirements {
  /**
   * GPU models, as AWS names them (`L40S`, `H100`, `H200`, `A10G`, `L4`, ...; case does not
   * matter): a capacity matches when every GPU it may launch is one of them.
   * @default - any model
   */
  readonly models?: string[];
  /** Least memory per GPU. @default - any */
  readonly minGpuMemory?: Size;
  /** Only these capacities (node groups, node pools, declared capacity). @default - any capacity of the site */
  readonly capacities?: IGpuCapacity[];
}

/** GPU models of the catalog, for messages. */
function knownModels(): string[] {
  return [...new Set(gpuFamilies().filter((f) => f.vendor === 'nvidia').map((f) => f.gpuModel))];
}

/** Throws on requirements that can never match: unknown models, empty lists, a memory that is not a size. */
export function checkGpuRequirements(scope: IConstruct, prop: string, requirements: GpuRequirements | undefined): void {
  if (requirements === undefined) return;
  if (requirements.models !== undefined) {
    if (!Array.isArray(requirements.models) || requirements.models.length === 0) {
      throw new PropValidationError(scope, `${prop}.models`, requirements.models, 'is not a non-empty list of GPU models', `List GPU models, e.g. ["L40S", "H100"] (known: ${knownModels().join(', ')}).`);
    }
    const known = knownModels().map((m) => m.toLowerCase());
    for (const model of requirements.models) {
      if (typeof model !== 'string' || (!Token.isUnresolved(model) && !known.includes(model.toLowerCase()))) {
        throw new PropValidationError(scope, `${prop}.models`, model, 'is not a GPU model of the catalog', `Use one of ${knownModels().join(', ')}.`);
      }
    }
  }
  if (requirements.minGpuMemory !== undefined && !(requirements.minGpuMemory instanceof Size)) {
    throw new PropValidationError(scope, `${prop}.minGpuMemory`, requirements.minGpuMemory, 'is not a Size', 'Give a Size, e.g. Size.gibibytes(80).');
  }
  checkSizeRange(scope, `${prop}.minGpuMemory`, requirements.minGpuMemory, 1024, 1024 * 1024, ' (memory per GPU)');
  if (requirements.capacities !== undefined && (!Array.isArray(requirements.capacities) || requirements.capacities.length === 0)) {
    throw new PropValidationError(scope, `${prop}.capacities`, requirements.capacities, 'is not a non-empty list of GPU capacities', 'Pass node groups or node pools, e.g. [h100Pool].');
  }
}

/** Whether the capacity offers what the requirements ask for. */
export function capacityMatches(capacity: IGpuCapacity, requirements: GpuRequirements | undefined): boolean {
  if (requirements === undefined) return true;
  if (requirements.capacities && !requirements.capacities.includes(capacity)) return false;
  if (requirements.models) {
    const wanted = requirements.models.map((m) => m.toLowerCase());
    const models = capacity.gpuModels ?? [];
    if (models.length === 0 || !models.every((m) => wanted.includes(m.toLowerCase()))) return false;
  }
  if (requirements.minGpuMemory) {
    if (capacity.gpuMemoryGiB === undefined || capacity.gpuMemoryGiB < requirements.minGpuMemory.toGibibytes({ rounding: SizeRoundingBehavior.NONE })) return false;
  }
  return true;
}

/** Human-readable requirements, for messages. */
export function describeGpuRequirements(requirements: GpuRequirements | undefined): string {
  if (requirements === undefined) return 'any GPU';
  const parts = [
    ...(requirements.models ? [`models ${requirements.models.join('/')}`] : []),
    ...(requirements.minGpuMemory ? [`at least ${requirements.minGpuMemory.toGibibytes({ rounding: SizeRoundingBehavior.NONE })} GiB per GPU`] : []),
    ...(requirements.capacities ? [`capacities ${requirements.capacities.map((c) => c.capacityName).join(', ')}`] : []),
  ];
  return parts.length > 0 ? parts.join(', ') : 'any GPU';
}
