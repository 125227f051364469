/**
 * The least-privilege execution role of a SageMakerEndpoint: trusted by SageMaker only; reads
 * exactly the model prefix; pulls exactly the model image; writes logs to the endpoint's own
 * log groups and metrics to the endpoint namespace; writes data capture under its prefix. No
 * AmazonSageMakerFullAccess. Every remaining wildcard is acknowledged here with its reason.
 */
import { Arn, ArnFormat, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { IDataLakeZone } from '../data/zone';
import { acknowledgeInlinePolicies, acknowledgeRule, acknowledgeWildcards, WildcardFinding, wildcardResource } from '../private/nag-acknowledgements';

/** Namespace of the endpoint instance metrics (CPU, memory, GPU, disk). */
export const SAGEMAKER_ENDPOINT_METRICS_NAMESPACE = '/aws/sagemaker/Endpoints';
/** Prefix of the endpoint log groups SageMaker writes: `/aws/sagemaker/Endpoints/<endpoint name>`. */
export const SAGEMAKER_ENDPOINT_LOG_GROUP_PREFIX = '/aws/sagemaker/Endpoints/';
/** Prefix of the inference component log groups: `/aws/sagemaker/InferenceComponents/<name>`. */
export const SAGEMAKER_INFERENCE_COMPONENT_LOG_GROUP_PREFIX = '/aws/sagemaker/InferenceComponents/';

/** Actions that pull an image from one ECR repository. */
const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** ENI management SageMaker needs to attach endpoint instances to a VPC. */
const VPC_ENI_ACTIONS = [
  'ec2:CreateNetworkInterface', 'ec2:CreateNetworkInterfacePermission', 'ec2:DeleteNetworkInterface',
  'ec2:DeleteNetworkInterfacePermission', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcs',
  'ec2:DescribeDhcpOptions', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups',
];

/** An ECR image URI: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag][@digest]`. */
const ECR_IMAGE_URI = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._/-]*?)(?::[\w.-]+)?(?:@sha256:[a-f0-9]{64})?$/;

/** The repository of an ECR image URI; undefined for tokens and images outside ECR. */
export function parseEcrImage(image: string): { account: string; region: string; repositoryName: string } | undefined {
  if (Token.isUnresolved(image)) return undefined;
  const match = ECR_IMAGE_URI.exec(image);
  return match ? { account: match[1], region: match[2], repositoryName: match[3] } : undefined;
}

/** What the execution role must reach. */
export interface ExecutionRoleProps {
  readonly endpointName: string;
  readonly inferenceComponentName?: string;
  readonly image: string;
  readonly imageRepository?: ecr.IRepository;
  readonly modelZone: IDataLakeZone;
  readonly modelPrefix: string;
  readonly captureZone?: IDataLakeZone;
  readonly capturePrefix?: string;
  readonly volumeKey?: kms.IKey;
  readonly inVpc: boolean;
}

/** Creates the execution role `Role` under scope with exactly the permissions the endpoint uses. */
export function createExecutionRole(scope: Construct, props: ExecutionRoleProps): iam.Role {
  const stack = Stack.of(scope);
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
    description: `Execution role of the SageMaker endpoint ${props.endpointName}`,
  });
  acknowledgeInlinePolicies(role);
  const starReasons: string[] = [];
  const wildcardFindings: WildcardFinding[] = [];

  // Model artifacts: exactly the model prefix of its zone (objects, prefix-limited listing, zone key via S3).
  props.modelZone.grantRead(role, props.modelPrefix);
  wildcardFindings.push(wildcardResource(role, props.modelZone.bucket.arnForObjects(`${props.modelPrefix}/*`)));

  // Data capture: write under the capture prefix only.
  if (props.captureZone && props.capturePrefix !== undefined) {
    props.captureZone.grantWrite(role, props.capturePrefix);
    wildcardFindings.push(wildcardResource(role, props.captureZone.bucket.arnForObjects(`${props.capturePrefix}/*`)));
  }

  // Image pull: the given repository, or the repository named by an ECR image URI.
  const ecrImage = parseEcrImage(props.image);
  if (props.imageRepository) {
    props.imageRepository.grantPull(role);
    starReasons.push('ecr:GetAuthorizationToken has no resource-level permissions (image pulls themselves are limited to the model repository)');
  } else if (ecrImage) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ECR_PULL_ACTIONS,
      resources: [Arn.format({
        service: 'ecr', resource: 'repository', resourceName: ecrImage.repositoryName, account: ecrImage.account, region: ecrImage.region,
      }, stack)],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['ecr:GetAuthorizationToken'], resources: ['*'] }));
    starReasons.push('ecr:GetAuthorizationToken has no resource-level permissions (image pulls themselves are limited to the model repository)');
  }

  // Logs: the endpoint's (and inference component's) own log groups and their streams.
  const logGroupPrefixes = [`${SAGEMAKER_ENDPOINT_LOG_GROUP_PREFIX}${props.endpointName}`];
  if (props.inferenceComponentName !== undefined) {
    logGroupPrefixes.push(`${SAGEMAKER_INFERENCE_COMPONENT_LOG_GROUP_PREFIX}${props.inferenceComponentName}`);
  }
  const logGroupArns = logGroupPrefixes.map((name) => stack.formatArn({
    service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  }));
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
    resources: logGroupArns.flatMap((arn) => [arn, `${arn}:*`]),
  }));
  wildcardFindings.push(...logGroupArns.map((arn) => wildcardResource(role, `${arn}:*`)));

  // Metrics: PutMetricData has no resources; the namespace condition is the scope.
  role.addToPrincipalPolicy(new iam.PolicyStatement({
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': SAGEMAKER_ENDPOINT_METRICS_NAMESPACE } },
  }));
  starReasons.push(`cloudwatch:PutMetricData has no resource-level permissions and is limited to the ${SAGEMAKER_ENDPOINT_METRICS_NAMESPACE} namespace by condition`);

  // ML storage volume key: used by SageMaker on the role's behalf, through AWS resources only.
  if (props.volumeKey) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [props.volumeKey.keyArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:CreateGrant'],
      resources: [props.volumeKey.keyArn],
      conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    }));
  }

  // VPC: SageMaker attaches the endpoint instances through ENIs it creates with this role.
  if (props.inVpc) {
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: VPC_ENI_ACTIONS, resources: ['*'] }));
    starReasons.push('the EC2 network interface actions SageMaker needs to attach endpoint instances to the VPC do not support resource-level permissions at creation time');
  }

  acknowledgeWildcards(role, 'Object access is limited to one key prefix of one data lake zone (model artifacts, data capture) '
    + 'and log writes to the endpoint\'s own log groups; the trailing * covers the objects and log streams under them.', wildcardFindings);
  acknowledgeRule(role, 'AwsSolutions-IAM5[Resource::*]', `Only actions without resource-level permissions use "*": ${starReasons.join('; ')}.`);
  return role;
}
