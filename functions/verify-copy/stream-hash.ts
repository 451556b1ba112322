import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { AwsErrorContext } from '../../core/classify-aws-error.ts';
import { type StreamDigest, sha256OfStream } from '../../core/stream-digest.ts';
import { awsCall, sendOptions } from '../shared/aws-call.ts';

/** What to read: bucket, key, the pinning parameters (`VersionId` or `IfMatch`) and the expected owner. */
export interface ObjectRead {
  readonly bucket: string;
  readonly key: string;
  readonly pin: { readonly VersionId?: string; readonly IfMatch?: string };
  readonly expectedBucketOwner?: string;
}

/**
 * GETs the object (S3 API Reference "GetObject", pinned) and hashes its bytes as they arrive (memory stays flat in the object's size).
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
    return sha256OfStream(response.Body);
  }, context);
}
