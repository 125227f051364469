/**
 * What a role may do with a resource once deployed, read from the templates: the IAM policies
 * attached to it (AWS::IAM::Policy, managed policies, inline role policies) and the key policies
 * that name it. Conditions are not evaluated: a conditional allow counts as an allow.
 */
import { AssemblyModel, ModelResource, refKey, ResourceRef } from './assembly-model';

/* eslint-disable @typescript-eslint/no-explicit-any */

export interface Statement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly Resource?: unknown;
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

export interface PlacedStatement {
  /** Stack whose template holds the statement (references resolve there). */
  readonly stack: string;
  readonly statement: Statement;
}

function statementsOf(document: any): Statement[] {
  const statements = document?.Statement;
  return Array.isArray(statements) ? statements : statements ? [statements] : [];
}

function asArray<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** IAM action patterns (`s3:GetObject*`, `kms:*`, `*`) that allow the action. */
export function allowsAction(patterns: string | string[] | undefined, action: string): boolean {
  return asArray(patterns).some((pattern) => {
    const regex = new RegExp(`^${pattern.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    return regex.test(action);
  });
}

export class IamModel {
  private readonly byRole = new Map<string, PlacedStatement[]>();

  constructor(private readonly model: AssemblyModel) {
    for (const policy of [...model.resources('AWS::IAM::Policy'), ...model.resources('AWS::IAM::ManagedPolicy')]) {
      const roles = model.references(policy.stack, policy.resource.Properties?.Roles);
      for (const role of roles) this.add(role, policy.stack, policy.resource.Properties?.PolicyDocument);
    }
    for (const role of model.resources('AWS::IAM::Role')) {
      for (const inline of asArray(role.resource.Properties?.Policies)) this.add(role, role.stack, (inline as any).PolicyDocument);
      for (const managed of model.references(role.stack, role.resource.Properties?.ManagedPolicyArns)) {
        this.add(role, managed.stack, model.resource(managed)?.Properties?.PolicyDocument);
      }
    }
  }

  private add(role: ResourceRef, stack: string, document: unknown): void {
    const list = this.byRole.get(refKey(role)) ?? [];
    for (const statement of statementsOf(document)) list.push({ stack, statement });
    this.byRole.set(refKey(role), list);
  }

  /** Allow statements attached to the role through IAM. */
  public statementsOf(role: ResourceRef): PlacedStatement[] {
    return (this.byRole.get(refKey(role)) ?? []).filter((s) => s.statement.Effect === 'Allow');
  }

  /** Every role with its IAM allow statements. */
  public roles(): Array<{ role: ResourceRef; statements: PlacedStatement[] }> {
    return this.model.resources('AWS::IAM::Role').map((role) => ({ role, statements: this.statementsOf(role) }));
  }

  /** Whether the statement's Resource covers the target resource (a reference to it, or `*`). */
  public coversResource(placed: PlacedStatement, target: ResourceRef): boolean {
    const resources = asArray(placed.statement.Resource as unknown);
    if (resources.some((r) => r === '*')) return true;
    return this.model.references(placed.stack, resources).some((r) => refKey(r) === refKey(target));
  }

  /** Key policy statements of a KMS key. */
  public keyPolicy(key: ModelResource): Statement[] {
    return statementsOf(key.resource.Properties?.KeyPolicy).filter((s) => s.Effect === 'Allow');
  }

  /** Whether the key policy lets the account's IAM policies grant use of the key (the root principal). */
  public keyDelegatesToIam(key: ModelResource, action: string): boolean {
    return this.keyPolicy(key).some((s) => allowsAction(s.Action, action) && JSON.stringify(s.Principal ?? '').includes(':root'));
  }

  /** Whether the role may perform the key action on the key (IAM with key-policy delegation, or the key policy naming the role). */
  public roleMayUseKey(role: ResourceRef, key: ModelResource, action: string): boolean {
    const viaIam = this.keyDelegatesToIam(key, action)
      && this.statementsOf(role).some((s) => allowsAction(s.statement.Action, action) && this.coversResource(s, key));
    const viaKeyPolicy = this.keyPolicy(key).some((s) => allowsAction(s.Action, action)
      && this.model.references(key.stack, s.Principal).some((p) => refKey(p) === refKey(role)));
    return viaIam || viaKeyPolicy;
  }

  /** Whether the key policy lets an AWS service principal (e.g. `cloudwatch.amazonaws.com`) perform the action. */
  public serviceMayUseKey(key: ModelResource, servicePrincipal: RegExp, action: string): boolean {
    return this.keyPolicy(key).some((s) => allowsAction(s.Action, action) && servicePrincipal.test(JSON.stringify((s.Principal as any)?.Service ?? '')));
  }
}
