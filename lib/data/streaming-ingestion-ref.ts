/**
 * A streaming ingestion as producers see it: the stream and the right to write to it.
 * `StreamingIngestion` implements it; `StreamingIngestion.fromStreamAttributes` imports one of
 * another app, so producers defined there get the same least-privilege grant.
 */
import { Resource, Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct, IConstruct } from 'constructs';
import { PropValidationError } from '../private/errors';

/** Actions `grantWrite` gives producers on the stream (the Kinesis Producer Library and SDK PutRecord(s)). */
export const PRODUCER_STREAM_ACTIONS = ['kinesis:PutRecord', 'kinesis:PutRecords', 'kinesis:ListShards', 'kinesis:DescribeStreamSummary'];

export interface IStreamingIngestion extends IConstruct {
  readonly stream: kinesis.IStream;
  /** Key of the stream. */
  readonly encryptionKey: kms.IKey;
  /** Lets the grantee put records: the stream actions, and a data key through Kinesis only. */
  grantWrite(grantee: iam.IGrantable): iam.Grant;
}

/** Attributes of a streaming ingestion created in another app. */
export interface StreamingIngestionAttributes {
  /** ARN of the Kinesis stream. */
  readonly streamArn: string;
  /** ARN of the KMS key that encrypts the stream. */
  readonly encryptionKeyArn: string;
}

/** PutRecord(s) on the stream, and kms:GenerateDataKey on its key through Kinesis in the stream's region. */
export function grantStreamWrite(grantee: iam.IGrantable, stream: kinesis.IStream, key: kms.IKey): iam.Grant {
  const records = iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: PRODUCER_STREAM_ACTIONS,
    resourceArns: [stream.streamArn],
    resource: stream,
  });
  // Kinesis server-side encryption asks KMS for a data key on the producer's behalf.
  return records.combine(iam.Grant.addToPrincipalOrResource({
    grantee,
    actions: ['kms:GenerateDataKey'],
    resourceArns: [key.keyArn],
    resource: key,
    conditions: { StringEquals: { 'kms:ViaService': `kinesis.${Stack.of(stream).region}.amazonaws.com` } },
  }));
}

function checkArn(scope: IConstruct, prop: string, value: string, service: string, example: string): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || !new RegExp(`^arn:[a-z-]+:${service}:[a-z0-9-]+:\\d{12}:\\S+$`).test(value)) {
    throw new PropValidationError(scope, prop, value, `is not a ${service} ARN`, `Give the ARN, e.g. "${example}".`);
  }
}

/** A streaming ingestion of another app, for its producers. */
export class ImportedStreamingIngestion extends Resource implements IStreamingIngestion {
  public readonly stream: kinesis.IStream;
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, attrs: StreamingIngestionAttributes) {
    super(scope, id);
    checkArn(this, 'streamArn', attrs.streamArn, 'kinesis', 'arn:aws:kinesis:eu-west-1:111122223333:stream/events');
    checkArn(this, 'encryptionKeyArn', attrs.encryptionKeyArn, 'kms', 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    this.encryptionKey = kms.Key.fromKeyArn(this, 'Key', attrs.encryptionKeyArn);
    this.stream = kinesis.Stream.fromStreamAttributes(this, 'Stream', { streamArn: attrs.streamArn, encryptionKey: this.encryptionKey });
  }

  public grantWrite(grantee: iam.IGrantable): iam.Grant {
    return grantStreamWrite(grantee, this.stream, this.encryptionKey);
  }
}
