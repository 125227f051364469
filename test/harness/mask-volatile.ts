/** Values that change without the infrastructure changing, and what snapshots show instead. */
const VOLATILE_PATTERNS: ReadonlyArray<[RegExp, string]> = [
  // Asset hashes (S3 object keys, image tags, CDK hash-based names) move with every
  // aws-cdk-lib or kubectl-layer release.
  [/[a-f0-9]{64}/g, '<asset-hash>'],
  // The aws-cdk-lib version recorded in analytics and validation output.
  [/aws-cdk-lib@?\d+\.\d+\.\d+/g, 'aws-cdk-lib@<version>'],
];

export function isVolatile(value: string): boolean {
  return VOLATILE_PATTERNS.some(([pattern]) => new RegExp(pattern.source).test(value));
}

export function maskVolatile(value: string): string {
  return VOLATILE_PATTERNS.reduce((masked, [pattern, replacement]) => masked.replace(pattern, replacement), value);
}
