import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import type { ReplicaHead } from '../../core/deployment/ports.ts';
import { unquoteEtag } from '../../core/etag.ts';
import type { Replica } from '../../core/workflow.ts';
import { isMissingObject, sendOptions } from '../shared/aws-call.ts';

/**
 * HEADs the replica's destination key right before deploying (S3 HeadObject, with the target's
 * `ExpectedBucketOwner`): what the key holds now, or `undefined` when nothing. The judgement — still
 * current, or replaced by a newer build — is core/deployment/replica-current.ts's.
 */
export async function headReplica(
  s3: S3Client,
  replica: Replica,
  account: string | undefined,
  signal: AbortSignal | undefined,
): Promise<ReplicaHead | undefined> {
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(
      new HeadObjectCommand({
        Bucket: replica.bucket,
        Key: replica.key,
        ...(account === undefined ? {} : { ExpectedBucketOwner: account }),
      }),
      sendOptions(signal),
    );
  } catch (err) {
    if (isMissingObject(err)) return undefined;
    throw classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'target',
      bucket: replica.bucket,
      key: replica.key,
    });
  }
  return { versionId: head.VersionId, etag: unquoteEtag(head.ETag ?? ''), metadata: head.Metadata };
}
