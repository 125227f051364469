/**
 * A read-only model of a synthesized app for the cross-resource invariant checks: every stack's
 * template, stack deployment order, references between resources (within a stack and across
 * stacks through exports and stack outputs), DependsOn order, and every Kubernetes object the
 * app delivers (KubernetesManifest resources of EKS clusters and the YAML written for other
 * sites). Checks work on this model only, never on the constructs, so they see what deploys.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { KubernetesObject } from '../kubernetes-schemas';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly [key: string]: unknown;
}

/** A resource, named by the stack it lives in and its logical id. */
export interface ResourceRef {
  readonly stack: string;
  readonly logicalId: string;
}

export interface ModelResource extends ResourceRef {
  readonly resource: CfnResource;
}

/** Text that stands for a value only known at deploy time inside a parsed manifest. */
export const DEPLOY_TIME_VALUE = '<deploy-time-value>';

/** A set of Kubernetes objects applied together: one KubernetesManifest, or one written YAML file. */
export interface ManifestUnit {
  /** EKS: the KubernetesManifest resource; written sites: undefined. */
  readonly resource?: ModelResource;
  /** EKS: the cluster resource it is applied to. */
  readonly cluster?: ResourceRef;
  /** Written sites: the site name and file. */
  readonly file?: string;
  readonly site?: string;
  readonly objects: KubernetesObject[];
}

/** Where manifests are applied together: an EKS cluster of the app, or a site whose YAML its operators apply. */
export interface ManifestTarget {
  /** For messages: the cluster's `<stack>/<logical id>`, or `site <name>`. */
  readonly label: string;
  readonly units: ManifestUnit[];
  /** The EKS cluster; undefined for a written site (its operators apply the files as a whole). */
  readonly cluster?: ModelResource;
}

export function refKey(ref: ResourceRef): string {
  return `${ref.stack}/${ref.logicalId}`;
}

export class AssemblyModel {
  /** Template of every stack, by artifact id. */
  public readonly templates = new Map<string, { Resources?: Record<string, CfnResource>; Outputs?: Record<string, any> }>();
  /** Artifact id by stack name (what Fn::GetStackOutput names). */
  private readonly artifactByStackName = new Map<string, string>();
  /** Stack artifact ids each stack depends on directly. */
  private readonly stackDependencies = new Map<string, string[]>();
  /** Export name -> the value exported. */
  private readonly exports = new Map<string, { stack: string; value: unknown }>();
  /** Nested stack model id -> its parent model id and the AWS::CloudFormation::Stack resource there. */
  private readonly nestedParents = new Map<string, ResourceRef>();
  /** `<parent>/<logical id of the nested stack resource>` -> the nested stack's model id. */
  private readonly nestedByResource = new Map<string, string>();
  public readonly manifests: ManifestUnit[] = [];

  /**
   * @param eksSiteNames sites whose written YAML is only a review copy of KubernetesManifest
   * resources (EKS); every other site's YAML is what its operators apply.
   */
  constructor(public readonly assembly: CloudAssembly, public readonly eksSiteNames: ReadonlySet<string> = new Set()) {
    for (const stack of assembly.stacksRecursively) {
      this.templates.set(stack.id, stack.template);
      this.artifactByStackName.set(stack.stackName, stack.id);
      this.stackDependencies.set(stack.id, stack.dependencies.map((d) => d.id));
      for (const output of Object.values<any>(stack.template.Outputs ?? {})) {
        if (output.Export?.Name && typeof output.Export.Name === 'string') this.exports.set(output.Export.Name, { stack: stack.id, value: output.Value });
      }
      this.addNestedStacks(stack.id, stack.template, stack.assembly.directory);
    }
    for (const resource of this.resources('Custom::AWSCDK-EKS-KubernetesResource')) {
      const manifest = resource.resource.Properties?.Manifest;
      if (manifest === undefined) continue;
      this.manifests.push({
        resource,
        cluster: this.references(resource.stack, resource.resource.Properties?.ClusterName)[0],
        objects: parseManifestProperty(manifest),
      });
    }
    for (const { site, file } of writtenManifestFiles(assembly.directory)) {
      if (!eksSiteNames.has(site)) this.manifests.push({ site, file, objects: (Yaml.load(file) as Array<KubernetesObject | null>).filter((o): o is KubernetesObject => o !== null) });
    }
  }

  /** Every resource of the app, optionally of one type. */
  /**
   * Nested stacks of a stack: their templates are file assets of the parent (the assets
   * manifest maps the asset hash in the parent's TemplateURL to the file). Each becomes a model
   * stack `<parent>/<file>`, deployed with its parent.
   */
  private addNestedStacks(parentId: string, parent: { Resources?: Record<string, CfnResource> }, directory: string): void {
    const manifestFile = path.join(directory, `${parentId}.assets.json`);
    if (!fs.existsSync(manifestFile)) return;
    const files: Record<string, { source?: { path?: string } }> = JSON.parse(fs.readFileSync(manifestFile, 'utf8')).files ?? {};
    for (const [hash, asset] of Object.entries(files)) {
      const file = asset.source?.path;
      if (!file?.endsWith('.nested.template.json')) continue;
      const entry = Object.entries(parent.Resources ?? {}).find(([, r]) => r.Type === 'AWS::CloudFormation::Stack' && JSON.stringify(r.Properties?.TemplateURL ?? '').includes(`${hash}.json`));
      if (!entry) continue;
      const id = `${parentId}/${file}`;
      const template = JSON.parse(fs.readFileSync(path.join(directory, file), 'utf8'));
      this.templates.set(id, template);
      this.stackDependencies.set(id, [parentId]);
      this.nestedParents.set(id, { stack: parentId, logicalId: entry[0] });
      this.nestedByResource.set(`${parentId}/${entry[0]}`, id);
      this.addNestedStacks(id, template, directory);
    }
  }

  public resources(type?: string): ModelResource[] {
    const found: ModelResource[] = [];
    for (const [stack, template] of this.templates) {
      for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
        if (type === undefined || resource.Type === type) found.push({ stack, logicalId, resource });
      }
    }
    return found;
  }

  public resource(ref: ResourceRef): CfnResource | undefined {
    return this.templates.get(ref.stack)?.Resources?.[ref.logicalId];
  }

  /**
   * Resources a value refers to: Ref, Fn::GetAtt, and across stacks Fn::ImportValue and
   * Fn::GetStackOutput, inside any intrinsic (Fn::Join, Fn::Sub, Fn::If ...).
   */
  public references(stack: string, value: unknown): ResourceRef[] {
    const found: ResourceRef[] = [];
    const visit = (s: string, v: unknown): void => {
      if (Array.isArray(v)) {
        v.forEach((item) => visit(s, item));
        return;
      }
      if (v === null || typeof v !== 'object') return;
      const entries = Object.entries(v as Record<string, unknown>);
      if (entries.length === 1) {
        const [fn, arg] = entries[0];
        if (fn === 'Ref' && typeof arg === 'string') {
          if (!arg.startsWith('AWS::') && this.templates.get(s)?.Resources?.[arg]) found.push({ stack: s, logicalId: arg });
          // A parameter of a nested stack: what its parent passes in.
          const parent = this.nestedParents.get(s);
          const passed = parent ? this.resource(parent)?.Properties?.Parameters?.[arg] : undefined;
          if (parent && passed !== undefined) visit(parent.stack, passed);
          return;
        }
        if (fn === 'Fn::GetAtt') {
          const [logicalId, attribute] = Array.isArray(arg) ? arg : String(arg).split(/\.(.*)/);
          if (typeof logicalId === 'string' && this.templates.get(s)?.Resources?.[logicalId]) found.push({ stack: s, logicalId });
          // An output of a nested stack: what the nested template outputs.
          const nested = this.nestedByResource.get(`${s}/${logicalId}`);
          const output = nested && typeof attribute === 'string' && attribute.startsWith('Outputs.') ? this.templates.get(nested)?.Outputs?.[attribute.slice('Outputs.'.length)] : undefined;
          if (nested && output) visit(nested, output.Value);
          return;
        }
        if (fn === 'Fn::ImportValue' && typeof arg === 'string') {
          const exported = this.exports.get(arg);
          if (exported) visit(exported.stack, exported.value);
          return;
        }
        if (fn === 'Fn::GetStackOutput' && arg && typeof arg === 'object') {
          const { StackName: stackName, OutputName: outputName } = arg as { StackName?: unknown; OutputName?: unknown };
          const artifact = typeof stackName === 'string' ? this.artifactByStackName.get(stackName) : undefined;
          const output = artifact && typeof outputName === 'string' ? this.templates.get(artifact)?.Outputs?.[outputName] : undefined;
          if (artifact && output) visit(artifact, output.Value);
          return;
        }
        if (fn === 'Fn::Sub') {
          const [text, variables] = Array.isArray(arg) ? arg : [arg, {}];
          for (const match of String(text).matchAll(/\$\{([^}!.]+)(?:\.[^}]+)?\}/g)) {
            if (this.templates.get(s)?.Resources?.[match[1]]) found.push({ stack: s, logicalId: match[1] });
          }
          visit(s, variables);
          return;
        }
      }
      for (const [, child] of entries) visit(s, child);
    };
    visit(stack, value);
    return found;
  }

  /** Whether `later` is deployed after `earlier` finished: a DependsOn path, or stack order. */
  public isOrderedAfter(later: ResourceRef, earlier: ResourceRef): boolean {
    if (later.stack !== earlier.stack) return this.stackDependsOn(later.stack, earlier.stack);
    const seen = new Set<string>();
    const stack = [later.logicalId];
    while (stack.length > 0) {
      const current = stack.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const resource = this.templates.get(later.stack)?.Resources?.[current];
      if (!resource) continue;
      // A reference orders just like DependsOn does (CloudFormation waits for Ref / GetAtt targets).
      const next = [...toArray(resource.DependsOn), ...this.references(later.stack, resource.Properties).filter((r) => r.stack === later.stack).map((r) => r.logicalId)];
      if (next.includes(earlier.logicalId)) return true;
      stack.push(...next);
    }
    return false;
  }

  /** Whether stack `later` (artifact id) deploys after stack `earlier`, directly or transitively. */
  public stackDependsOn(later: string, earlier: string): boolean {
    const seen = new Set<string>();
    const pending = [later];
    while (pending.length > 0) {
      const current = pending.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const deps = this.stackDependencies.get(current) ?? [];
      if (deps.includes(earlier)) return true;
      pending.push(...deps);
    }
    return false;
  }

  /** Manifests applied to one EKS cluster. */
  public manifestsOf(cluster: ResourceRef): ManifestUnit[] {
    return this.manifests.filter((m) => m.cluster && refKey(m.cluster) === refKey(cluster));
  }

  /** Every EKS cluster with its manifests, then every written site with its files. */
  public manifestTargets(): ManifestTarget[] {
    const clusters = this.resources('AWS::EKS::Cluster').map((cluster) => ({ label: refKey(cluster), units: this.manifestsOf(cluster), cluster }));
    const sites = [...new Set(this.manifests.filter((m) => m.site !== undefined).map((m) => m.site!))]
      .map((site) => ({ label: `site ${site}`, units: this.manifests.filter((m) => m.site === site) }));
    return [...clusters, ...sites];
  }

  /** Resources of a type whose ClusterName refers to the cluster. */
  public clusterResources(cluster: ResourceRef, type: string): ModelResource[] {
    return this.resources(type).filter((r) => this.references(r.stack, r.resource.Properties?.ClusterName).some((c) => refKey(c) === refKey(cluster)));
  }

  public describe(ref: ResourceRef): string {
    const resource = this.resource(ref);
    const metadataPath = resource?.Metadata && (resource.Metadata as Record<string, unknown>)['aws:cdk:path'];
    return typeof metadataPath === 'string' ? metadataPath : refKey(ref);
  }
}

function toArray(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * A KubernetesManifest's `Manifest` is JSON text, or Fn::Join of text and deploy-time values;
 * deploy-time values always sit inside JSON strings, so they are parsed as a placeholder.
 */
export function parseManifestProperty(manifest: unknown): KubernetesObject[] {
  const text = typeof manifest === 'string' ? manifest : joinWithPlaceholders(manifest);
  return JSON.parse(text) as KubernetesObject[];
}

function joinWithPlaceholders(value: unknown): string {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (!join) throw new Error(`Manifest is neither text nor Fn::Join: ${JSON.stringify(value).slice(0, 200)}`);
  const [separator, parts] = join;
  return parts.map((part) => (typeof part === 'string' ? part : DEPLOY_TIME_VALUE)).join(separator);
}

/** The YAML files written under `<assembly>/manifests/<site>/` for sites outside EKS (and review copies of EKS sites). */
export function writtenManifestFiles(directory: string): Array<{ site: string; file: string }> {
  const root = path.join(directory, 'manifests');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).sort().flatMap((site) =>
    fs.readdirSync(path.join(root, site)).sort().filter((f) => f.endsWith('.k8s.yaml')).map((f) => ({ site, file: path.join(root, site, f) })));
}
