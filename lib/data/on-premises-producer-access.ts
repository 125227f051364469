/**
 * OnPremisesProducerAccess: lets producers outside AWS (on-premises servers, other clouds) get
 * temporary AWS credentials with X.509 certificates through IAM Roles Anywhere. It creates a
 * trust anchor (a CA certificate bundle or an AWS Private CA), a role that only Roles Anywhere
 * can assume through that anchor, and a profile for the role. The construct is an IGrantable:
 * grant it what producers need, e.g. `ingestion.grantWrite(access)`.
 *
 * Construct ids are API: `<access>/TrustAnchor`, `<access>/Role`, `<access>/Profile`, and the
 * outputs `<access>/TrustAnchorArn`, `<access>/ProfileArn`, `<access>/RoleArn`, `<access>/Region`
 * (what the credential helper on the site needs: `aws cloudformation describe-stacks`).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import { CfnOutput, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as rolesanywhere from 'aws-cdk-lib/aws-rolesanywhere';
import { Construct } from 'constructs';
import { PropValidationError } from '../private/errors';
import { acknowledgeInlinePolicies } from '../private/nag-acknowledgements';
import { checkDurationRange, checkNonEmpty, checkPattern } from '../private/validation';
import { checkPropTypes } from '../private/prop-types';

/** Service principal of IAM Roles Anywhere. */
export const ROLES_ANYWHERE_PRINCIPAL = 'rolesanywhere.amazonaws.com';
/** Actions a Roles Anywhere trust policy must allow. */
export const ROLES_ANYWHERE_TRUST_ACTIONS = ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'];
/** Lifetime of the credentials when `sessionDuration` is not given. */
export const DEFAULT_PRODUCER_SESSION_DURATION = Duration.hours(1);
/** IAM Roles Anywhere session limits. */
export const MIN_PRODUCER_SESSION_DURATION = Duration.minutes(15);
export const MAX_PRODUCER_SESSION_DURATION = Duration.hours(12);

const ACM_PCA_ARN_PATTERN = /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[A-Za-z0-9-]+$/;
const NAME_PATTERN = /^[a-zA-Z0-9 _-]{1,255}$/;
const COMMON_NAME_PATTERN = /^[^\s*?][^*?]{0,63}$/;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * Why a PEM bundle is not a usable trust anchor (undefined when it is): every block must be a
 * complete X.509 certificate of a CA, and nothing else may be in the bundle. A PEM cut short
 * (e.g. `-c key="$(cat ca.pem)"`, which keeps only the first line) fails here.
 */
export function certificateBundleProblem(pem: string): string | undefined {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return 'holds no complete PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)';
  const rest = pem.replace(PEM_BLOCK, '').trim();
  if (rest !== '') return `holds text outside complete certificate blocks (${JSON.stringify(rest.slice(0, 40))}...): a truncated or corrupted certificate`;
  for (const [i, block] of blocks.entries()) {
    let certificate: crypto.X509Certificate;
    try {
      certificate = new crypto.X509Certificate(block);
    } catch (error) {
      return `certificate ${i + 1} of ${blocks.length} does not parse as X.509 (${(error as Error).message})`;
    }
    if (!certificate.ca) return `certificate ${i + 1} of ${blocks.length} (${certificate.subject.replace(/\n/g, ', ')}) is not a CA certificate (basicConstraints CA:TRUE)`;
  }
  return undefined;
}

/** Where the certificates of on-premises producers come from. */
export class ProducerTrustSource {
  /** A bundle of one or more PEM-encoded CA certificates (your own PKI), validated at synth. */
  public static fromCertificateBundle(pem: string): ProducerTrustSource {
    return new ProducerTrustSource('CERTIFICATE_BUNDLE', 'certificateBundlePem', pem);
  }

  /**
   * The PEM bundle in a file, read at synth (pass paths, not PEM text, through CDK context:
   * `-c key="$(cat ca.pem)"` keeps only the first line).
   */
  public static fromCertificateBundleFile(path: string): ProducerTrustSource {
    if (typeof path !== 'string' || !fs.existsSync(path) || !fs.statSync(path).isFile()) {
      throw new Error(`trustSource certificate bundle file = ${JSON.stringify(path)} is not a readable file. Give the path of the CA's PEM bundle, e.g. "certs/ca.pem".`);
    }
    return ProducerTrustSource.fromCertificateBundle(fs.readFileSync(path, 'utf8'));
  }

  /** An AWS Private Certificate Authority, by ARN. */
  public static fromAcmPrivateCa(certificateAuthorityArn: string): ProducerTrustSource {
    return new ProducerTrustSource('AWS_ACM_PCA', 'certificateAuthorityArn', certificateAuthorityArn);
  }

  private constructor(
    /** Trust anchor source type (`CERTIFICATE_BUNDLE` or `AWS_ACM_PCA`). */
    public readonly sourceType: string,
    /** Name of the input, for messages. */
    public readonly inputName: string,
    /** The PEM bundle or the CA ARN. */
    public readonly value: string,
  ) {}

  /** @internal */
  public _render(scope: Construct): rolesanywhere.CfnTrustAnchor.SourceProperty {
    if (this.sourceType === 'CERTIFICATE_BUNDLE') {
      const problem = Token.isUnresolved(this.value) ? undefined
        : typeof this.value !== 'string' ? 'is not a string' : certificateBundleProblem(this.value);
      if (problem) {
        throw new PropValidationError(scope, `trustSource.${this.inputName}`, `${String(this.value).slice(0, 40)}...`, problem,
          'Pass the whole PEM bundle of the CA certificate(s), e.g. ProducerTrustSource.fromCertificateBundleFile("ca.pem").');
      }
      return { sourceType: this.sourceType, sourceData: { x509CertificateData: this.value } };
    }
    checkPattern(scope, `trustSource.${this.inputName}`, this.value, ACM_PCA_ARN_PATTERN, 'an AWS Private CA ARN',
      'arn:aws:acm-pca:eu-west-1:111122223333:certificate-authority/11111111-2222-3333-4444-555555555555');
    return { sourceType: this.sourceType, sourceData: { acmPcaArn: this.value } };
  }
}

/** Properties of OnPremisesProducerAccess. */
export interface OnPremisesProducerAccessProps {
  /** The CA that issues the producers' certificates. */
  readonly trustSource: ProducerTrustSource;
  /**
   * Certificate subject common names (CN) allowed to assume the role.
   *
   * @default - any certificate issued by the trust source
   */
  readonly allowedCommonNames?: string[];
  /**
   * Lifetime of the credentials a producer receives (15 minutes to 12 hours).
   *
   * @default Duration.hours(1)
   */
  readonly sessionDuration?: Duration;
  /**
   * Name of the trust anchor and the profile (letters, digits, space, `_` and `-`).
   *
   * @default - derived from the construct path
   */
  readonly name?: string;
}

/** A Roles Anywhere principal restricted to one trust anchor (and optionally to certificate CNs). */
class RolesAnywherePrincipal extends iam.ServicePrincipal {
  constructor(private readonly trustConditions: iam.Conditions) {
    super(ROLES_ANYWHERE_PRINCIPAL);
  }

  public addToAssumeRolePolicy(document: iam.PolicyDocument): void {
    document.addStatements(new iam.PolicyStatement({
      actions: ROLES_ANYWHERE_TRUST_ACTIONS,
      principals: [new iam.ServicePrincipal(ROLES_ANYWHERE_PRINCIPAL)],
      conditions: this.trustConditions,
    }));
  }
}

/**
 * Access to AWS for producers outside AWS through IAM Roles Anywhere: trust anchor, role and
 * profile. Grant the construct (it is an IGrantable) the permissions producers need.
 */
export class OnPremisesProducerAccess extends Construct implements iam.IGrantable {
  public readonly trustAnchor: rolesanywhere.CfnTrustAnchor;
  public readonly role: iam.Role;
  public readonly profile: rolesanywhere.CfnProfile;
  public readonly grantPrincipal: iam.IPrincipal;

  constructor(scope: Construct, id: string, props: OnPremisesProducerAccessProps) {
    super(scope, id);
    checkPropTypes(this, 'OnPremisesProducerAccessProps', props);
    if (!(props.trustSource instanceof ProducerTrustSource)) {
      throw new PropValidationError(this, 'trustSource', props.trustSource, 'is not a ProducerTrustSource',
        'Use ProducerTrustSource.fromCertificateBundle(pem) or ProducerTrustSource.fromAcmPrivateCa(arn).');
    }
    checkPattern(this, 'name', props.name, NAME_PATTERN, '1-255 letters, digits, spaces, "_" or "-"', 'factory-producers');
    checkNonEmpty(this, 'allowedCommonNames', props.allowedCommonNames, 'Omit allowedCommonNames to allow every certificate of the CA, or list at least one CN.');
    (props.allowedCommonNames ?? []).forEach((cn, i) =>
      checkPattern(this, `allowedCommonNames[${i}]`, cn, COMMON_NAME_PATTERN, 'a literal certificate common name (no wildcards, at most 64 characters)', 'sensor-gw-01'));
    if (props.sessionDuration !== undefined && !(props.sessionDuration instanceof Duration)) {
      throw new PropValidationError(this, 'sessionDuration', props.sessionDuration, 'is not a Duration', 'Use Duration.hours(n).');
    }
    checkDurationRange(this, 'sessionDuration', props.sessionDuration, MIN_PRODUCER_SESSION_DURATION, MAX_PRODUCER_SESSION_DURATION);
    const sessionDuration = props.sessionDuration ?? DEFAULT_PRODUCER_SESSION_DURATION;
    if (!sessionDuration.isUnresolved() && !Number.isInteger(sessionDuration.toSeconds({ integral: false }))) {
      throw new PropValidationError(this, 'sessionDuration', sessionDuration.toHumanString(), 'is not a whole number of seconds', 'Use Duration.minutes(n) or Duration.hours(n).');
    }
    const name = props.name ?? Names.uniqueResourceName(this, { maxLength: 64 });

    this.trustAnchor = new rolesanywhere.CfnTrustAnchor(this, 'TrustAnchor', {
      name,
      enabled: true,
      source: props.trustSource._render(this),
    });

    const conditions: iam.Conditions = {
      ArnEquals: { 'aws:SourceArn': this.trustAnchor.attrTrustAnchorArn },
      ...(props.allowedCommonNames ? { StringEquals: { 'aws:PrincipalTag/x509Subject/CN': props.allowedCommonNames } } : {}),
    };
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new RolesAnywherePrincipal(conditions),
      description: `On-premises producers of ${this.node.path} (IAM Roles Anywhere)`,
      // The role must allow sessions at least as long as the profile hands out (IAM minimum: 1 hour).
      maxSessionDuration: sessionDuration.isUnresolved() ? MAX_PRODUCER_SESSION_DURATION
        : sessionDuration.toSeconds() < 3600 ? Duration.hours(1) : sessionDuration,
    });
    acknowledgeInlinePolicies(this.role);
    this.grantPrincipal = this.role;

    this.profile = new rolesanywhere.CfnProfile(this, 'Profile', {
      name,
      enabled: true,
      roleArns: [this.role.roleArn],
      durationSeconds: sessionDuration.toSeconds(),
    });

    // What an operator puts into the site's Secret (ROLES_ANYWHERE_SECRET_KEYS) or passes to
    // aws_signing_helper; the ARNs exist only after deploy.
    new CfnOutput(this, 'TrustAnchorArn', { value: this.trustAnchorArn, description: `${this.node.path}: --trust-anchor-arn of aws_signing_helper (Secret key trust-anchor-arn)` });
    new CfnOutput(this, 'ProfileArn', { value: this.profileArn, description: `${this.node.path}: --profile-arn of aws_signing_helper (Secret key profile-arn)` });
    new CfnOutput(this, 'RoleArn', { value: this.roleArn, description: `${this.node.path}: --role-arn of aws_signing_helper (Secret key role-arn)` });
    new CfnOutput(this, 'Region', { value: Stack.of(this).region, description: `${this.node.path}: the Region of the trust anchor and profile (Secret key region)` });
  }

  /** ARN of the trust anchor (`--trust-anchor-arn` of the credential helper). */
  public get trustAnchorArn(): string {
    return this.trustAnchor.attrTrustAnchorArn;
  }

  /** ARN of the profile (`--profile-arn` of the credential helper). */
  public get profileArn(): string {
    return this.profile.attrProfileArn;
  }

  /** ARN of the role (`--role-arn` of the credential helper). */
  public get roleArn(): string {
    return this.role.roleArn;
  }
}
