import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { unquoteEtag } from '../../core/etag.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import type { Replica, ReplicaFacts } from '../../core/workflow.ts';
import { isMissingObject, isPreconditionFailed, sendOptions } from '../shared/aws-call.ts';
import { copySourceIfMatchOf, copySourceOf, copySourceOwnerOf } from '../shared/source-pin.ts';
import type { CopyContext } from './context.ts';
import { factsFromWrite } from './replica-facts.ts';
import { headPinnedSource, sourceReadError } from './source-read.ts';
import { DestinationChanged, destinationCondition } from './write-condition.ts';
import type { ReplicaWriteParams } from './write-params.ts';

/**
 * Copies the pinned source in one CopyObject request to the destination region (atomic, up to
 * 5 GiB): the source version (or If-Match on its ETag), the replica's write headers with
 * MetadataDirective REPLACE, and the source's tags (TaggingDirective COPY) — written only while the
 * destination is still `existing` (`If-None-Match: *` when there was none, else `If-Match`).
 * Returns the replica and what S3's answer says about it (checksum, encryption).
 *
 * @throws SourceGone / SourceChanged when the pinned source is no longer there
 * @throws DestinationChanged when the destination is no longer `existing` (nothing was written)
 */
export async function copyWhole(
  ctx: CopyContext,
  write: ReplicaWriteParams,
  existing: StoredObject | undefined,
): Promise<{ readonly replica: Replica; readonly facts: ReplicaFacts }> {
  try {
    const response = await ctx.s3ClientFor(ctx.target.region).send(
      new CopyObjectCommand({
        Bucket: ctx.destination.bucket,
        Key: ctx.destination.key,
        CopySource: copySourceOf(ctx.source),
        ...copySourceIfMatchOf(ctx.source),
        ...copySourceOwnerOf(ctx.source),
        ...write,
        MetadataDirective: 'REPLACE',
        TaggingDirective: 'COPY',
        ...destinationCondition(existing),
      }),
      sendOptions(ctx.signal),
    );
    const result = response.CopyObjectResult ?? {};
    return {
      replica: {
        bucket: ctx.destination.bucket,
        key: ctx.destination.key,
        ...(response.VersionId === undefined ? {} : { versionId: response.VersionId }),
        etag: unquoteEtag(result.ETag ?? ''),
      },
      facts: factsFromWrite({
        ...result,
        ServerSideEncryption: response.ServerSideEncryption,
        SSEKMSKeyId: response.SSEKMSKeyId,
      }),
    };
  } catch (err) {
    // A 412 or a missing object may be the source's pin or the destination's condition: the pinned
    // source, read again, tells (a vanished or changed source throws its own outcome here).
    if (isPreconditionFailed(err) || isMissingObject(err)) {
      await headPinnedSource(ctx);
      throw new DestinationChanged('s3:CopyObject', { cause: err });
    }
    throw sourceReadError(err, ctx, 's3:CopyObject', 'target');
  }
}
