/**
 * The instance types SageMaker real-time endpoints can host on, and which of them carry local
 * NVMe instance storage (SageMaker rejects a volume KMS key for those).
 *
 * Sources (looked up, not guessed):
 * - Hosting instance types: the `ProductionVariantInstanceType` enum of the SageMaker API model
 *   (botocore 1.43.11, sagemaker/2017-07-24/service-2.json), which is what CreateEndpointConfig
 *   validates against.
 * - Local storage: CreateEndpointConfig `KmsKeyId` ("Certain Nitro-based instances include local
 *   storage ... If you specify a value for KmsKeyId when using any nitro-based instances with
 *   local storage, the call to CreateEndpointConfig fails") and the EC2 instance store table
 *   (https://docs.aws.amazon.com/ec2/latest/instancetypes/ and "Instance store volumes").
 */
import { IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';
import { isToken } from '../private/validation';

interface HostingFamily {
  /** Sizes SageMaker hosts, e.g. `xlarge`. */
  readonly sizes: readonly string[];
  /** The family's instances come with local NVMe instance storage (hardware-encrypted). */
  readonly localStorage: boolean;
}

const GPU_SIZES = ['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'];
const X86_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge'];
const X86_7_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'];
const GRAVITON_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];
const GRAVITON_8_SIZES = ['medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '48xlarge'];
const GEN5_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '12xlarge', '24xlarge'];

function family(sizes: readonly string[], localStorage = false): HostingFamily {
  return { sizes, localStorage };
}

/** SageMaker hosting instance families (`ml.<family>.<size>`). */
const HOSTING_FAMILIES: Readonly<Record<string, HostingFamily>> = {
  // NVIDIA GPUs
  'g4dn': family(['xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'], true),
  'g5': family(GPU_SIZES, true),
  'g6': family(GPU_SIZES, true),
  'g6e': family(GPU_SIZES, true),
  'g7e': family(['2xlarge', '4xlarge', '8xlarge', '12xlarge', '24xlarge', '48xlarge'], true),
  'p2': family(['xlarge', '8xlarge', '16xlarge']),
  'p3': family(['2xlarge', '8xlarge', '16xlarge']),
  'p4d': family(['24xlarge'], true),
  'p4de': family(['24xlarge'], true),
  'p5': family(['4xlarge', '48xlarge'], true),
  'p5e': family(['48xlarge'], true),
  'p5en': family(['48xlarge'], true),
  'p6-b200': family(['48xlarge'], true),
  'p6-b300': family(['48xlarge'], true),
  'p6e-gb200': family(['36xlarge'], true),
  // AWS Inferentia, Trainium, Gaudi
  'inf1': family(['xlarge', '2xlarge', '6xlarge', '24xlarge']),
  'inf2': family(['xlarge', '8xlarge', '24xlarge', '48xlarge']),
  'trn1': family(['2xlarge', '32xlarge'], true),
  'trn1n': family(['32xlarge'], true),
  'trn2': family(['48xlarge'], true),
  'dl1': family(['24xlarge'], true),
  // CPU, x86
  't2': family(['medium', 'large', 'xlarge', '2xlarge']),
  'm4': family(['xlarge', '2xlarge', '4xlarge', '10xlarge', '16xlarge']),
  'm5': family(GEN5_SIZES),
  'm5d': family(GEN5_SIZES, true),
  'c4': family(['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge']),
  'c5': family(['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '18xlarge']),
  'c5d': family(['large', 'xlarge', '2xlarge', '4xlarge', '9xlarge', '18xlarge'], true),
  'r5': family(GEN5_SIZES),
  'r5d': family(GEN5_SIZES, true),
  'c6i': family(X86_SIZES),
  'm6i': family(X86_SIZES),
  'r6i': family(X86_SIZES),
  'c6in': family(X86_SIZES),
  'c7i': family(X86_7_SIZES),
  'm7i': family(X86_7_SIZES),
  'r7i': family(X86_7_SIZES),
  // CPU, Graviton
  'c6g': family(GRAVITON_SIZES),
  'c6gd': family(GRAVITON_SIZES, true),
  'c6gn': family(GRAVITON_SIZES),
  'm6g': family(GRAVITON_SIZES),
  'm6gd': family(GRAVITON_SIZES, true),
  'r6g': family(GRAVITON_SIZES),
  'r6gd': family(GRAVITON_SIZES, true),
  'c7g': family(GRAVITON_SIZES),
  'r7gd': family(['medium', ...GRAVITON_SIZES], true),
  'c8g': family(GRAVITON_8_SIZES),
  'm8g': family(GRAVITON_8_SIZES),
  'r8g': family(GRAVITON_8_SIZES),
};

/** SageMaker hosting instance types have the `ml.` prefix: `ml.<family>.<size>`. */
const INSTANCE_TYPE_SHAPE = /^ml\.([a-z0-9-]+)\.([a-z0-9]+)$/;

/** The hosting instance families the catalog knows, for messages and docs. */
export function knownHostingFamilies(): string[] {
  return Object.keys(HOSTING_FAMILIES);
}

/** Whether SageMaker can host a real-time endpoint on the instance type (e.g. `ml.g6e.2xlarge`). */
export function isHostingInstanceType(instanceType: string): boolean {
  const match = INSTANCE_TYPE_SHAPE.exec(instanceType);
  return match !== null && (HOSTING_FAMILIES[match[1]]?.sizes.includes(match[2]) ?? false);
}

/**
 * Whether the instance type has local NVMe instance storage; undefined for tokens and unknown
 * types. SageMaker encrypts that storage in hardware and rejects a volume KMS key for it.
 */
export function hasLocalInstanceStorage(instanceType: string): boolean | undefined {
  if (isToken(instanceType)) return undefined;
  const match = INSTANCE_TYPE_SHAPE.exec(instanceType);
  return match ? HOSTING_FAMILIES[match[1]]?.localStorage : undefined;
}

/** Throws unless SageMaker can host on the instance type. Tokens pass. */
export function checkHostingInstanceType(scope: IConstruct, prop: string, value: string): void {
  if (isToken(value)) return;
  if (typeof value !== 'string' || !INSTANCE_TYPE_SHAPE.test(value)) {
    throw new PropValidationError(scope, prop, value, 'is not a SageMaker instance type (ml.<family>.<size>)',
      'Use a SageMaker hosting instance type such as "ml.g6e.2xlarge" (SageMaker names carry the "ml." prefix).');
  }
  const [, familyName, size] = INSTANCE_TYPE_SHAPE.exec(value)!;
  const hosting = HOSTING_FAMILIES[familyName];
  if (!hosting) {
    throw new PropValidationError(scope, prop, value, `is of a family SageMaker real-time endpoints cannot host (${familyName})`,
      `Use one of the hosting families: ${knownHostingFamilies().join(', ')}.`);
  }
  if (!hosting.sizes.includes(size)) {
    throw new PropValidationError(scope, prop, value, `is not a hosting size of ml.${familyName}`,
      `Use one of: ${hosting.sizes.map((s) => `ml.${familyName}.${s}`).join(', ')}.`);
  }
}
