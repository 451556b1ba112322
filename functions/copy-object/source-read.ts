import { GetObjectTaggingCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import { type RelayError, SourceChanged, SourceGone } from '../../core/errors.ts';
import { describeHead, type StoredObject } from '../../core/object-facts.ts';
import type { SourceContent } from '../../core/workflow.ts';
import { isMissingObject, isPreconditionFailed, sendOptions } from '../shared/aws-call.ts';
import { pinnedReadParams, sourceOwnerOf } from '../shared/source-pin.ts';
import type { CopyContext } from './context.ts';

/** The SSE-KMS keys a request involves, for the advice on a denial: the source's, and the target's it writes with. */
export function kmsKeysOf(
  ctx: CopyContext,
  side: 'source' | 'target',
): { kmsKeyArn?: string; sourceKmsKeyArn?: string } {
  const source = ctx.source.encryption;
  const target = ctx.target.encryption;
  return {
    ...(source?.type === 'aws:kms' && source.kmsKeyId !== undefined
      ? { sourceKmsKeyArn: source.kmsKeyId }
      : {}),
    ...(side === 'target' && target.type === 'aws:kms' ? { kmsKeyArn: target.kmsKeyArn } : {}),
  };
}

/**
 * Classifies a failed call that read the pinned source (HEAD, CopyObject, UploadPartCopy): the
 * source's version missing is `SourceGone`, its ETag no longer matching is `SourceChanged` (both
 * outcomes, not failures); anything else is classified against `side` (`target` for the copy
 * requests, which are sent to the destination).
 */
export function sourceReadError(
  err: unknown,
  ctx: CopyContext,
  operation: string,
  side: 'source' | 'target',
): RelayError {
  const where = `s3://${ctx.source.bucket}/${ctx.source.key}${ctx.source.versionId === undefined ? '' : ` (version ${ctx.source.versionId})`}`;
  if (isMissingObject(err)) {
    return new SourceGone(`${operation}: ${where} no longer exists`, { cause: err, operation });
  }
  if (isPreconditionFailed(err)) {
    return new SourceChanged(
      `${operation}: ${where} changed since the event (its ETag is no longer ${ctx.source.etag})`,
      {
        cause: err,
        operation,
      },
    );
  }
  const onSource = side === 'source';
  return classifyAwsError(err, {
    operation,
    side,
    bucket: onSource ? ctx.source.bucket : ctx.destination.bucket,
    key: onSource ? ctx.source.key : ctx.destination.key,
    ...kmsKeysOf(ctx, side),
  });
}

/**
 * HEADs the pinned source: what a copy restates (metadata and content headers) in an execution
 * that did not record it, and — after a copy's 412/404 — whether the source is still there.
 */
export async function headPinnedSource(ctx: CopyContext): Promise<StoredObject> {
  try {
    const head = await ctx.s3ClientFor(ctx.source.region).send(
      new HeadObjectCommand({
        Bucket: ctx.source.bucket,
        Key: ctx.source.key,
        ...pinnedReadParams(ctx.source),
        ChecksumMode: 'ENABLED',
        ...sourceOwnerOf(ctx.source),
      }),
      sendOptions(ctx.signal),
    );
    return describeHead(head);
  } catch (err) {
    throw sourceReadError(err, ctx, 's3:HeadObject', 'source');
  }
}

/**
 * What the copy restates of the pinned source (metadata and content headers): as ResolveTargets
 * recorded it, else — in an execution started before ResolveTargets recorded it — read with a HEAD
 * of the pinned source. The copy request itself pins the version either way (`versionId`, else
 * `x-amz-copy-source-if-match`), so a source that changed since still answers 404/412 there and
 * becomes `source-gone` / `superseded`.
 */
export async function pinnedSourceContent(ctx: CopyContext): Promise<SourceContent> {
  return ctx.source.content ?? headPinnedSource(ctx);
}

/**
 * The pinned source's tags as an `x-amz-tagging` value (URL-encoded `k=v&…`), or `undefined`
 * when it has none. UploadPartCopy copies no tags, so a multipart copy sets them at creation. Read
 * even when the source's HEAD reported no `x-amz-tagging-count`: S3 reports that count only to a
 * caller allowed to read the object's tags, which ResolveTargets is not — so its absence does not
 * mean "no tags".
 */
export async function readSourceTagging(ctx: CopyContext): Promise<string | undefined> {
  try {
    const tagging = await ctx.s3ClientFor(ctx.source.region).send(
      new GetObjectTaggingCommand({
        Bucket: ctx.source.bucket,
        Key: ctx.source.key,
        ...(ctx.source.versionId === undefined ? {} : { VersionId: ctx.source.versionId }),
        ...sourceOwnerOf(ctx.source),
      }),
      sendOptions(ctx.signal),
    );
    const tags = tagging.TagSet ?? [];
    if (tags.length === 0) return undefined;
    return tags
      .map((tag) => `${encodeURIComponent(tag.Key ?? '')}=${encodeURIComponent(tag.Value ?? '')}`)
      .join('&');
  } catch (err) {
    throw sourceReadError(err, ctx, 's3:GetObjectTagging', 'source');
  }
}
