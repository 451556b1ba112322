import { HeadObjectCommand, type HeadObjectCommandOutput, type S3Client } from '@aws-sdk/client-s3';
import { compareBuilds, describeNewer } from '../../core/build-order.ts';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import { sameEtag, unquoteEtag } from '../../core/etag.ts';
import { parseReplicaMetadata, stampNamesObject } from '../../core/replica-metadata.ts';
import type { Replica, TaskInput } from '../../core/workflow.ts';
import { isMissingObject, sendOptions } from '../shared/aws-call.ts';

/**
 * Re-reads the destination key right before deploying: when it no longer holds this replica but a
 * replica of a newer build of the same source object (newest wins, core/build-order.ts), returns a
 * sentence saying so — the deployment would only be replaced by that build's own. Otherwise
 * (still current, gone, or replaced by something the relay did not make) returns `undefined` and
 * the deployment goes ahead with the pinned replica version.
 */
export async function replicaReplacedBy(
  s3: S3Client,
  input: TaskInput,
  replica: Replica,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  let head: HeadObjectCommandOutput;
  try {
    head = await s3.send(
      new HeadObjectCommand({
        Bucket: replica.bucket,
        Key: replica.key,
        ...(input.target.account === undefined ? {} : { ExpectedBucketOwner: input.target.account }),
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
  const sameVersion =
    replica.versionId !== undefined && head.VersionId !== undefined
      ? replica.versionId === head.VersionId
      : sameEtag(unquoteEtag(head.ETag ?? ''), replica.etag);
  if (sameVersion) return undefined;
  const stamp = parseReplicaMetadata(head.Metadata);
  if (stamp === undefined || !stampNamesObject(stamp, input.source)) return undefined;
  const current = { ...stamp, bucket: input.source.bucket, key: input.source.key };
  if (compareBuilds(current, input.source).order <= 0) return undefined;
  return `s3://${replica.bucket}/${replica.key} now holds a replica of a newer build of s3://${input.source.bucket}/${input.source.key}${stamp.versionId === undefined ? '' : ` (version ${stamp.versionId})`} (${describeNewer(current, input.source)}); that build's execution deploys it`;
}
