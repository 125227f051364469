/**
 * AWS credentials for pods on a site with IAM Roles Anywhere: a native sidecar (an init
 * container with `restartPolicy: Always`, Kubernetes >= 1.29) runs `aws_signing_helper serve`,
 * which exchanges the site's certificate for role credentials and serves them on
 * 127.0.0.1:9911 with the IMDSv2 protocol; AWS SDKs and the AWS CLI in the pod find them through
 * `AWS_EC2_METADATA_SERVICE_ENDPOINT`, so the AWS CLI image needs no helper binary. The
 * credential helper README documents `serve` and its default port 9911.
 *
 * Everything the sidecar needs comes from one Secret per namespace (ROLES_ANYWHERE_SECRET_KEYS):
 * the ARNs are created by CloudFormation, so they cannot be literal in manifests that are
 * applied by hand; OnPremisesProducerAccess outputs them.
 */
// The generated API objects only: the cdk8s-plus constructs would double the load time.
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s';
import { IKubernetesSite, WorkloadCredentials } from './kubernetes-site-interface';
import { restrictedContainerSecurityContext } from '../k8s/pod-security';

/** Port of `aws_signing_helper serve` (its default). */
export const ROLES_ANYWHERE_HELPER_PORT = 9911;
/** Where the Secret is mounted in the sidecar. */
export const ROLES_ANYWHERE_MOUNT_PATH = '/etc/aws-roles-anywhere';
/** Keys of the site's Roles Anywhere Secret. */
export const ROLES_ANYWHERE_SECRET_KEYS = {
  certificate: 'certificate.pem',
  privateKey: 'private-key.pem',
  trustAnchorArn: 'trust-anchor-arn',
  profileArn: 'profile-arn',
  roleArn: 'role-arn',
  region: 'region',
} as const;
/** Attempts (1 s apart) the AWS CLI makes to reach the sidecar, which may still be starting. */
export const CREDENTIAL_ENDPOINT_ATTEMPTS = 10;

/** What a pod needs to use the site's Roles Anywhere credentials. */
export interface PodCredentials {
  /** The sidecar, first among the init containers. */
  readonly sidecars: k8s.Container[];
  /** Environment of every container that calls AWS. */
  readonly env: k8s.EnvVar[];
  readonly volumes: k8s.Volume[];
}

function fromSecret(name: string, secretName: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** The credential sidecar, environment and volume for pods of the site; none without Roles Anywhere. */
export function rolesAnywherePodCredentials(site: IKubernetesSite): PodCredentials {
  if (site.workloadCredentials !== WorkloadCredentials.IAM_ROLES_ANYWHERE || !site.rolesAnywhereSecretName || !site.rolesAnywhereHelperImage) {
    return { sidecars: [], env: [], volumes: [] };
  }
  const secretName = site.rolesAnywhereSecretName;
  const keys = ROLES_ANYWHERE_SECRET_KEYS;
  const sidecar: k8s.Container = {
    name: 'aws-credentials',
    image: site.resolveImage(site.rolesAnywhereHelperImage),
    // A native sidecar: runs beside the other containers and stops when they are done (Jobs complete).
    restartPolicy: 'Always',
    command: [
      'aws_signing_helper', 'serve',
      '--certificate', `${ROLES_ANYWHERE_MOUNT_PATH}/${keys.certificate}`,
      '--private-key', `${ROLES_ANYWHERE_MOUNT_PATH}/${keys.privateKey}`,
      // Kubernetes expands $(VAR) in commands from the container's environment.
      '--trust-anchor-arn', '$(TRUST_ANCHOR_ARN)',
      '--profile-arn', '$(PROFILE_ARN)',
      '--role-arn', '$(ROLE_ARN)',
      '--port', String(ROLES_ANYWHERE_HELPER_PORT),
    ],
    env: [
      fromSecret('TRUST_ANCHOR_ARN', secretName, keys.trustAnchorArn),
      fromSecret('PROFILE_ARN', secretName, keys.profileArn),
      fromSecret('ROLE_ARN', secretName, keys.roleArn),
    ],
    resources: { requests: { cpu: k8s.Quantity.fromString('50m'), memory: k8s.Quantity.fromString('64Mi') }, limits: { memory: k8s.Quantity.fromString('128Mi') } },
    securityContext: restrictedContainerSecurityContext(),
    volumeMounts: [{ name: 'aws-roles-anywhere', mountPath: ROLES_ANYWHERE_MOUNT_PATH, readOnly: true }],
  };
  return {
    sidecars: [sidecar],
    env: [
      { name: 'AWS_EC2_METADATA_SERVICE_ENDPOINT', value: `http://127.0.0.1:${ROLES_ANYWHERE_HELPER_PORT}` },
      { name: 'AWS_METADATA_SERVICE_NUM_ATTEMPTS', value: String(CREDENTIAL_ENDPOINT_ATTEMPTS) },
      fromSecret('AWS_REGION', secretName, keys.region),
    ],
    volumes: [{ name: 'aws-roles-anywhere', secret: { secretName, defaultMode: 0o440 } }],
  };
}
