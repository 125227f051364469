/**
 * Overrides of what the library writes into a chart: JSON patches on the Kubernetes objects of
 * a kind (and name). They are applied before a chart is delivered, so they reach both what the
 * kubectl provider applies on EKS and the YAML written to `cdk.out/manifests/` (the escape
 * hatch that editing `service.chart` after construction is not: synth fails on that, see
 * KubernetesSiteBase).
 */
import { ApiObject, Chart, JsonPatch } from 'cdk8s';
import { IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';

/** Which objects a patch applies to. */
export interface ManifestPatchTarget {
  /** Kind, e.g. `Deployment`. */
  readonly kind: string;
  /** @default - every object of the kind */
  readonly name?: string;
  /** @default - any namespace */
  readonly namespace?: string;
}

type Operation = 'add' | 'replace' | 'remove';

/** A JSON patch (RFC 6902) operation on the objects of a kind. */
export class ManifestPatch {
  /**
   * Adds (or replaces) the member at `path`, a JSON pointer such as
   * `/spec/template/spec/priorityClassName`; its parent must exist. `-` appends to an array.
   */
  public static add(target: ManifestPatchTarget, path: string, value: unknown): ManifestPatch {
    return new ManifestPatch(target, 'add', path, value);
  }

  /** Replaces the existing member at `path`. */
  public static replace(target: ManifestPatchTarget, path: string, value: unknown): ManifestPatch {
    return new ManifestPatch(target, 'replace', path, value);
  }

  /** Removes the member at `path`. */
  public static remove(target: ManifestPatchTarget, path: string): ManifestPatch {
    return new ManifestPatch(target, 'remove', path, undefined);
  }

  private constructor(
    public readonly target: ManifestPatchTarget,
    public readonly operation: Operation,
    public readonly path: string,
    public readonly value: unknown,
  ) {}

  /** `<op> <kind>[/<name>] <path>`, for messages. */
  public toString(): string {
    return `${this.operation} ${this.target.kind}${this.target.name ? `/${this.target.name}` : ''} ${this.path}`;
  }

  /** Whether the patch targets the object. */
  public matches(apiObject: ApiObject): boolean {
    return apiObject.kind === this.target.kind
      && (this.target.name === undefined || apiObject.metadata.name === this.target.name)
      && (this.target.namespace === undefined || apiObject.metadata.namespace === this.target.namespace);
  }

  /** The cdk8s operation. */
  public toJsonPatch(): JsonPatch {
    switch (this.operation) {
      case 'add': return JsonPatch.add(this.path, this.value);
      case 'replace': return JsonPatch.replace(this.path, this.value);
      default: return JsonPatch.remove(this.path);
    }
  }
}

/** The API objects of a chart (not of charts nested in it). */
function objectsOf(chart: Chart): ApiObject[] {
  return chart.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

/** Throws unless every patch is well-formed: a kind, a JSON pointer path. */
export function checkManifestPatches(scope: IConstruct, prop: string, patches: readonly ManifestPatch[] | undefined): void {
  for (const patch of patches ?? []) {
    if (!(patch instanceof ManifestPatch)) {
      throw new PropValidationError(scope, prop, patch, 'is not a ManifestPatch', 'Create patches with ManifestPatch.add / replace / remove.');
    }
    if (typeof patch.target?.kind !== 'string' || patch.target.kind === '') {
      throw new PropValidationError(scope, prop, patch.toString(), 'names no kind', 'Give the kind of the objects to patch, e.g. { kind: "Deployment" }.');
    }
    if (typeof patch.path !== 'string' || !patch.path.startsWith('/')) {
      throw new PropValidationError(scope, prop, patch.toString(), 'has a path that is not a JSON pointer', 'Start the path with "/", e.g. "/spec/template/spec/priorityClassName".');
    }
  }
}

/**
 * Applies the patches to the chart's objects. With `required`, a patch that matches no object
 * of the chart is an error (a typo would otherwise be silently ignored).
 */
export function applyManifestPatches(scope: IConstruct, prop: string, chart: Chart, patches: readonly ManifestPatch[], required: boolean): void {
  const objects = objectsOf(chart);
  for (const patch of patches) {
    const targets = objects.filter((o) => patch.matches(o));
    if (targets.length === 0 && required) {
      throw new PropValidationError(scope, prop, patch.toString(), `matches no object of chart "${chart.node.id}" (it has ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')})`,
        'Name the kind (and name) of an object the chart holds.');
    }
    for (const target of targets) target.addJsonPatch(patch.toJsonPatch());
  }
}
