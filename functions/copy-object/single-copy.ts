import { CopyObjectCommand } from '@aws-sdk/client-s3';
import { unquoteEtag } from '../../core/etag.ts';
import type { Replica } from '../../core/workflow.ts';
import { sendOptions } from '../shared/aws-call.ts';
import { copySourceIfMatchOf, copySourceOf } from '../shared/source-pin.ts';
import type { CopyContext } from './context.ts';
import { sourceReadError } from './source-read.ts';
import type { ReplicaWriteParams } from './write-params.ts';

/**
 * Copies the pinned source in one CopyObject request to the destination region (atomic, up to
 * 5 GiB): the source version (or If-Match on its ETag), the replica's write headers with
 * MetadataDirective REPLACE, and the source's tags (TaggingDirective COPY).
 *
 * @throws SourceGone / SourceChanged when the pinned source is no longer there
 */
export async function copyWhole(ctx: CopyContext, write: ReplicaWriteParams): Promise<Replica> {
  try {
    const response = await ctx.s3ClientFor(ctx.target.region).send(
      new CopyObjectCommand({
        Bucket: ctx.destination.bucket,
        Key: ctx.destination.key,
        CopySource: copySourceOf(ctx.source),
        ...copySourceIfMatchOf(ctx.source),
        ...write,
        MetadataDirective: 'REPLACE',
        TaggingDirective: 'COPY',
      }),
      sendOptions(ctx.signal),
    );
    return {
      bucket: ctx.destination.bucket,
      key: ctx.destination.key,
      ...(response.VersionId === undefined ? {} : { versionId: response.VersionId }),
      etag: unquoteEtag(response.CopyObjectResult?.ETag ?? ''),
    };
  } catch (err) {
    throw sourceReadError(err, ctx, 's3:CopyObject', 'target');
  }
}
