import { createHash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsErrorContext } from '../../core/classify-aws-error.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';

/** A streamed digest of an object's bytes. */
export interface StreamDigest {
  /** SHA-256, hex. */
  readonly sha256: string;
  readonly bytes: number;
}

/** What to read: bucket, key, the pinning parameters (`VersionId` or `IfMatch`) and the expected owner. */
export interface ObjectRead {
  readonly bucket: string;
  readonly key: string;
  readonly pin: { readonly VersionId?: string; readonly IfMatch?: string };
  readonly expectedBucketOwner?: string;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * GETs the object and hashes its bytes as they arrive (memory stays flat in the object's size).
 * A failed read or a broken stream is classified like any AWS failure.
 */
export async function streamSha256(
  client: S3Client,
  read: ObjectRead,
  context: AwsErrorContext,
  signal: AbortSignal | undefined,
): Promise<StreamDigest> {
  return awsCall(async () => {
    const response = await client.send(
      new GetObjectCommand({
        Bucket: read.bucket,
        Key: read.key,
        ...read.pin,
        ...(read.expectedBucketOwner === undefined ? {} : { ExpectedBucketOwner: read.expectedBucketOwner }),
      }),
      sendOptions(signal),
    );
    const hash = createHash('sha256');
    let bytes = 0;
    const body = response.Body;
    if (body !== undefined) {
      if (!isAsyncIterable(body)) throw new TypeError('GetObject returned a body that cannot be streamed');
      for await (const chunk of body) {
        hash.update(chunk);
        bytes += chunk.byteLength;
      }
    }
    return { sha256: hash.digest('hex'), bytes };
  }, context);
}
