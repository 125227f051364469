/**
 * Who may use the customer managed key of an Amazon Managed Service for Prometheus workspace.
 *
 * AMP ("Encryption at rest") keeps the key's use behind the service: callers reach the key only
 * through `aps.<region>.amazonaws.com` (kms:ViaService), and every cryptographic operation
 * carries the encryption context `aws:aps:arn = <workspace ARN>`. Other readers of the data
 * (query callers such as KEDA or Grafana) must be allowed to use the key. A managed collector
 * cannot write to such a workspace through its service-linked role: AMP documents a role
 * configuration with source and target roles in the same account ("Creating scraper for
 * workspaces enabled with customer managed keys"), see `scraperRoleConfiguration`.
 */
import { Stack } from 'aws-cdk-lib';
import * as aps from 'aws-cdk-lib/aws-aps';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Key actions a caller needs to write samples into a CMK workspace (data keys are generated and read back). */
export const AMP_WORKSPACE_WRITE_KEY_ACTIONS = ['kms:Decrypt', 'kms:GenerateDataKey'];
/** Key actions a caller needs to query a CMK workspace. */
export const AMP_WORKSPACE_READ_KEY_ACTIONS = ['kms:Decrypt'];
/** Encryption context key AMP puts on every KMS operation (its value is the workspace ARN). */
export const AMP_ENCRYPTION_CONTEXT_KEY = 'kms:EncryptionContext:aws:aps:arn';
/** Service principal the managed collector (scraper) assumes roles as. */
export const AMP_SCRAPER_SERVICE_PRINCIPAL = 'scraper.aps.amazonaws.com';

/**
 * Lets the grantee use the workspace's key through AMP only, for this workspace only:
 * `actions` with kms:ViaService = aps and the workspace's encryption context, and
 * kms:DescribeKey (which carries no encryption context) through AMP.
 */
export function grantWorkspaceKey(grantee: iam.IGrantable, key: kms.IKey, workspace: aps.CfnWorkspace, actions: string[]): iam.Grant {
  // The endpoint name as kms:ViaService sees it (aws-cdk-lib writes `<service>.<region>.amazonaws.com` too).
  const viaAps = { 'kms:ViaService': `aps.${Stack.of(workspace).region}.amazonaws.com` };
  iam.Grant.addToPrincipal({ grantee, actions: ['kms:DescribeKey'], resourceArns: [key.keyArn], conditions: { StringEquals: viaAps } });
  return iam.Grant.addToPrincipal({
    grantee,
    actions,
    resourceArns: [key.keyArn],
    conditions: { StringEquals: { ...viaAps, [AMP_ENCRYPTION_CONTEXT_KEY]: workspace.attrArn } },
  });
}

/** The roles of a scraper's role configuration. */
export interface ScraperRoles {
  /** Assumed by the managed collector (scraper.aps.amazonaws.com); may only assume the target role. */
  readonly source: iam.Role;
  /** Assumed by the source role; writes into the workspace and uses its key. */
  readonly target: iam.Role;
  /** The scraper's `RoleConfiguration`. */
  readonly roleConfiguration: aps.CfnScraper.RoleConfigurationProperty;
}

/**
 * Source and target roles (same account) for a scraper that writes into a CMK workspace.
 *
 * AMP's trust policies name the scraper's own ARN, but the scraper names these roles: an exact
 * ARN would be a dependency cycle, so the trusts accept the scrapers of this account and region
 * (`scraper/*`), and the account (aws:SourceAccount) against confused deputies.
 */
export function scraperRoles(scope: Construct, workspace: aps.CfnWorkspace, key: kms.IKey): ScraperRoles {
  const stack = Stack.of(scope);
  const scrapersOfAccount = `arn:${stack.partition}:aps:${stack.region}:${stack.account}:scraper/*`;
  const source = new iam.Role(scope, 'CollectorSourceRole', {
    description: 'Amazon Managed Prometheus collector: assumes the target role that writes into the encrypted workspace',
    assumedBy: new iam.PrincipalWithConditions(new iam.ServicePrincipal(AMP_SCRAPER_SERVICE_PRINCIPAL), {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': scrapersOfAccount },
    }),
  });
  const target = new iam.Role(scope, 'CollectorTargetRole', {
    description: 'Amazon Managed Prometheus collector: remote-writes into the encrypted workspace',
    // AMP passes the scraper's ARN as the external id (cross-account setup of the collector).
    assumedBy: new iam.PrincipalWithConditions(new iam.ArnPrincipal(source.roleArn), {
      StringLike: { 'sts:ExternalId': scrapersOfAccount },
    }),
  });
  source.addToPolicy(new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [target.roleArn] }));
  // The write right of AWS's AmazonPrometheusRemoteWriteAccess, for this workspace only.
  target.addToPolicy(new iam.PolicyStatement({ actions: ['aps:RemoteWrite'], resources: [workspace.attrArn] }));
  grantWorkspaceKey(target, key, workspace, AMP_WORKSPACE_WRITE_KEY_ACTIONS);
  return { source, target, roleConfiguration: { sourceRoleArn: source.roleArn, targetRoleArn: target.roleArn } };
}
