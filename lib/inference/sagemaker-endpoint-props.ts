/** Properties of a SageMakerEndpoint, its option types and their defaults. */
import { Size } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EndpointDeploymentOptions } from './sagemaker-deployment';
import { EndpointScaling } from './sagemaker-scaling';
import { IDataLakeZone } from '../data/zone';

/** Production variant name unless `variantName` says otherwise. */
export const DEFAULT_VARIANT_NAME = 'AllTraffic';
/** Instances an endpoint starts with (raised to the scaling minimum when that is larger). */
export const DEFAULT_INITIAL_INSTANCE_COUNT = 1;
/** Share of requests data capture records: enough for drift statistics at a fifth of the storage and exposure. */
export const DEFAULT_DATA_CAPTURE_SAMPLING_PERCENTAGE = 20;
/** Memory reserved per inference component copy unless `memoryPerCopy` says otherwise. */
export const DEFAULT_INFERENCE_COMPONENT_MEMORY = Size.gibibytes(1);
/** SageMaker endpoint, variant and endpoint config names: alphanumerics and hyphens, at most 63 characters. */
export const SAGEMAKER_NAME_PATTERN = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** Container environment variable names SageMaker accepts. */
export const ENVIRONMENT_KEY_PATTERN = /^[a-zA-Z_][a-zA-Z0-9_]{0,1023}$/;
/** Limits of a container environment (CreateModel). */
export const MAX_ENVIRONMENT_ENTRIES = 100;
export const MAX_ENVIRONMENT_VALUE_LENGTH = 1024;

/**
 * Where the model artifacts live: an uncompressed S3 prefix of a data lake zone. SageMaker
 * copies every object under `s3://<zone bucket>/<prefix>/` to `/opt/ml/model` (ModelDataSource,
 * S3Prefix, CompressionType None): no `model.tar.gz` to build, and large LLM weights load
 * without a decompression step.
 */
export interface ModelDataLocation {
  /** The zone that holds the model (usually `models`). */
  readonly zone: IDataLakeZone;
  /** Key prefix of the model, e.g. `llama-3-8b/v3`: not empty, no leading `/`, no wildcards. */
  readonly prefix: string;
}

/** What data capture records. */
export enum DataCaptureContent {
  /** Requests only. */
  INPUT = 'INPUT',
  /** Responses only. */
  OUTPUT = 'OUTPUT',
  /** Requests and responses. */
  INPUT_AND_OUTPUT = 'INPUT_AND_OUTPUT',
}

/** Data capture of requests and responses into a data lake zone, encrypted with the zone key. */
export interface DataCaptureOptions {
  /** The zone to write to (usually `raw`). */
  readonly zone: IDataLakeZone;
  /** Key prefix of the captures, e.g. `capture/llama-3-8b`: not empty, no leading `/`, no wildcards. */
  readonly prefix: string;
  /**
   * Percentage of requests captured, a whole number from 0 to 100.
   *
   * @default 20
   */
  readonly samplingPercentage?: number;
  /**
   * What is captured.
   *
   * @default DataCaptureContent.INPUT_AND_OUTPUT
   */
  readonly captureContent?: DataCaptureContent;
}

/**
 * Hosts the model as an inference component: needed to scale to zero instances, and lets
 * SageMaker pack copies of the model onto instances.
 */
export interface InferenceComponentOptions {
  /**
   * Inference component name (invocations pass it as `InferenceComponentName`).
   *
   * @default - derived from the construct path, unique per account and region
   */
  readonly name?: string;
  /**
   * Accelerators (GPUs, or Neuron devices) reserved per copy.
   *
   * @default - every GPU of the instance type for NVIDIA GPU instances; none otherwise
   */
  readonly acceleratorsPerCopy?: number;
  /**
   * Memory reserved per copy.
   *
   * @default Size.gibibytes(1)
   */
  readonly memoryPerCopy?: Size;
  /**
   * Copies deployed at creation.
   *
   * @default - 1, raised to the scaling minimum when that is larger
   */
  readonly initialCopyCount?: number;
}

/** Options of a SageMakerEndpoint, without where its model comes from. */
export interface SageMakerEndpointOptions {
  /**
   * Container image URI in Amazon ECR (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`),
   * e.g. your own repository or an AWS Deep Learning Container; images elsewhere fail at synth
   * unless `imageRepository` names the ECR repository. The role may pull from that repository.
   */
  readonly image: string;
  /**
   * The ECR repository of `image`: the role is granted pull on it (use when `image` is a token).
   *
   * @default - pull is granted on the repository parsed from the ECR `image` URI (SageMaker pulls only from ECR)
   */
  readonly imageRepository?: ecr.IRepository;
  /** SageMaker hosting instance type, e.g. `ml.g6e.2xlarge`. */
  readonly instanceType: string;
  /**
   * Instances the endpoint starts with.
   *
   * @default - 1, raised to the scaling minimum when that is larger
   */
  readonly initialInstanceCount?: number;
  /**
   * Environment variables of the model container.
   *
   * @default - none
   */
  readonly environment?: Record<string, string>;
  /**
   * Isolates the model container from the network (it cannot make outbound calls; SageMaker
   * still downloads the model from S3 for it).
   *
   * @default true
   */
  readonly networkIsolation?: boolean;
  /**
   * VPC to attach the endpoint instances to.
   *
   * @default - no VPC (SageMaker-managed network)
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Subnets of the endpoint instances (needs `vpc`).
   *
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Security groups of the endpoint instances (needs `vpc`).
   *
   * @default - a new security group without inbound rules and with outbound HTTPS only
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
  /**
   * Endpoint name.
   *
   * @default - derived from the construct path, unique per account and region
   */
  readonly endpointName?: string;
  /**
   * Production variant name.
   *
   * @default "AllTraffic"
   */
  readonly variantName?: string;
  /**
   * KMS key of the ML storage volume. SageMaker rejects a key for instance types with local NVMe
   * storage (g4dn, g5, g6, g6e, p4d, p5, trn1, ...): those are encrypted by the instance hardware,
   * so no key is created or set for them and passing one is an error.
   *
   * @default - a new key with rotation, retained on stack deletion (EBS-backed instance types only)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Target tracking, bounds and cooldowns.
   *
   * @default - EndpointScaling.invocationsPerInstance(70), 1 to 2 instances
   */
  readonly scaling?: EndpointScaling;
  /**
   * Host the model as an inference component (required to scale to zero).
   *
   * @default - the model is the variant's model (no inference component)
   */
  readonly inferenceComponent?: InferenceComponentOptions;
  /**
   * Capture requests and responses into a data lake zone.
   *
   * @default - no data capture
   */
  readonly dataCapture?: DataCaptureOptions;
  /**
   * Blue/green deployment with automatic rollback on the endpoint alarms.
   *
   * @default - all at once with a 5 minute bake, rollback on the default 5XX and latency alarms
   */
  readonly deployment?: EndpointDeploymentOptions;
  /**
   * Topic the default alarms notify, besides driving rollbacks (as `alarmTopic` of
   * StreamingIngestion and PlatformMonitoring). A KMS key of the topic that this app owns gets
   * the statement CloudWatch needs to publish; an imported key gets a warning.
   *
   * @default - none: the alarms only drive deployment rollbacks (PlatformMonitoring adopts them)
   */
  readonly alarmTopic?: sns.ITopic;
}

/** Properties of a SageMakerEndpoint. */
export interface SageMakerEndpointProps extends SageMakerEndpointOptions {
  /** The model artifacts (an uncompressed prefix of a data lake zone). */
  readonly modelData: ModelDataLocation;
}
