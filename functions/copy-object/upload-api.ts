import {
  AbortMultipartUploadCommand,
  type ChecksumType,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  type Part,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import { SourceChanged } from '../../core/errors.ts';
import { unquoteEtag } from '../../core/etag.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import type { Replica, ReplicaFacts } from '../../core/workflow.ts';
import { isMissingObject, isPreconditionFailed, sendOptions } from '../shared/aws-call.ts';
import {
  copySourceIfMatchOf,
  copySourceOf,
  copySourceOwnerOf,
  pinnedReadParams,
  sourceOwnerOf,
} from '../shared/source-pin.ts';
import { type CopyContext, expectedOwner } from './context.ts';
import { type ByteRange, copySourceRange, parseContentRange } from './part-plan.ts';
import { factsFromWrite } from './replica-facts.ts';
import { kmsKeysOf, sourceReadError } from './source-read.ts';
import { DestinationChanged, destinationCondition } from './write-condition.ts';
import type { CopyChecksum, ReplicaWriteParams } from './write-params.ts';

/** The S3 requests of a multipart copy, each sent to the region its bucket lives in. */

/** A part already uploaded, as ListParts reports it. */
export interface UploadedPart {
  readonly partNumber: number;
  readonly size: number;
  readonly part: CompletedPart;
  /** When the part was uploaded, as ListParts reports it. */
  readonly lastModified?: Date;
}

/** Every part of the upload, and its checksum type. */
export interface UploadListing {
  readonly parts: ReadonlyMap<number, UploadedPart>;
  readonly checksumType?: ChecksumType;
}

function targetError(err: unknown, ctx: CopyContext, operation: string) {
  return classifyAwsError(err, {
    operation,
    side: 'target',
    bucket: ctx.destination.bucket,
    key: ctx.destination.key,
    ...kmsKeysOf(ctx, 'target'),
  });
}

/** CreateMultipartUpload with the replica's headers, the copy's checksum and the source's tags. */
export async function createUpload(
  ctx: CopyContext,
  write: ReplicaWriteParams,
  checksum: CopyChecksum,
  tagging: string | undefined,
): Promise<string> {
  try {
    const response = await ctx.s3ClientFor(ctx.target.region).send(
      new CreateMultipartUploadCommand({
        Bucket: ctx.destination.bucket,
        Key: ctx.destination.key,
        ...write,
        ChecksumType: checksum.type,
        ...(tagging === undefined ? {} : { Tagging: tagging }),
      }),
      sendOptions(ctx.signal),
    );
    if (response.UploadId === undefined || response.UploadId === '') {
      throw new Error('CreateMultipartUpload returned no UploadId');
    }
    return response.UploadId;
  } catch (err) {
    throw targetError(err, ctx, 's3:CreateMultipartUpload');
  }
}

/**
 * The byte range of part `n` of a multipart source (HeadObject `PartNumber=n` on the pinned source).
 * Read per part, not carried in the state: S3 reports part boundaries only this way, and up to
 * 10,000 of them would not fit the 256 KiB state.
 */
export async function sourcePartRange(ctx: CopyContext, partNumber: number): Promise<ByteRange> {
  let contentRange: string | undefined;
  try {
    const head = await ctx.s3ClientFor(ctx.source.region).send(
      new HeadObjectCommand({
        Bucket: ctx.source.bucket,
        Key: ctx.source.key,
        ...pinnedReadParams(ctx.source),
        PartNumber: partNumber,
        ...sourceOwnerOf(ctx.source),
      }),
      sendOptions(ctx.signal),
    );
    contentRange = head.ContentRange;
  } catch (err) {
    throw sourceReadError(err, ctx, 's3:HeadObject', 'source');
  }
  const range = parseContentRange(contentRange);
  if (range === undefined) {
    throw new SourceChanged(
      `s3://${ctx.source.bucket}/${ctx.source.key} reported no byte range for part ${partNumber} (Content-Range ${JSON.stringify(contentRange ?? null)}); it is no longer the multipart object of the event`,
    );
  }
  return range;
}

/** UploadPartCopy of one range of the pinned source; returns the bytes copied. */
export async function copyPart(
  ctx: CopyContext,
  uploadId: string,
  partNumber: number,
  range: ByteRange,
): Promise<number> {
  try {
    await ctx.s3ClientFor(ctx.target.region).send(
      new UploadPartCopyCommand({
        Bucket: ctx.destination.bucket,
        Key: ctx.destination.key,
        UploadId: uploadId,
        PartNumber: partNumber,
        CopySource: copySourceOf(ctx.source),
        ...copySourceIfMatchOf(ctx.source),
        ...copySourceOwnerOf(ctx.source),
        CopySourceRange: copySourceRange(range),
        ...expectedOwner(ctx.target),
      }),
      sendOptions(ctx.signal),
    );
    return range.end - range.start + 1;
  } catch (err) {
    throw sourceReadError(err, ctx, 's3:UploadPartCopy', 'target');
  }
}

function completedPart(part: Part & { PartNumber: number }): CompletedPart {
  return {
    PartNumber: part.PartNumber,
    ...(part.ETag === undefined ? {} : { ETag: part.ETag }),
    ...(part.ChecksumCRC64NVME === undefined ? {} : { ChecksumCRC64NVME: part.ChecksumCRC64NVME }),
    ...(part.ChecksumCRC32C === undefined ? {} : { ChecksumCRC32C: part.ChecksumCRC32C }),
    ...(part.ChecksumCRC32 === undefined ? {} : { ChecksumCRC32: part.ChecksumCRC32 }),
    ...(part.ChecksumSHA256 === undefined ? {} : { ChecksumSHA256: part.ChecksumSHA256 }),
    ...(part.ChecksumSHA1 === undefined ? {} : { ChecksumSHA1: part.ChecksumSHA1 }),
  };
}

/**
 * Every part uploaded so far (all ListParts pages): the relay never carries part ETags in the
 * workflow state, it re-reads them here.
 *
 * @throws MultipartUploadGone when the upload no longer exists
 */
export async function listUploadedParts(ctx: CopyContext, uploadId: string): Promise<UploadListing> {
  const parts = new Map<number, UploadedPart>();
  let checksumType: ChecksumType | undefined;
  let marker: string | undefined;
  try {
    for (;;) {
      const page = await ctx.s3ClientFor(ctx.target.region).send(
        new ListPartsCommand({
          Bucket: ctx.destination.bucket,
          Key: ctx.destination.key,
          UploadId: uploadId,
          ...(marker === undefined ? {} : { PartNumberMarker: marker }),
          ...expectedOwner(ctx.target),
        }),
        sendOptions(ctx.signal),
      );
      checksumType ??= page.ChecksumType;
      for (const part of page.Parts ?? []) {
        if (part.PartNumber === undefined) continue;
        parts.set(part.PartNumber, {
          partNumber: part.PartNumber,
          size: part.Size ?? 0,
          part: completedPart({ ...part, PartNumber: part.PartNumber }),
          ...(part.LastModified === undefined ? {} : { lastModified: part.LastModified }),
        });
      }
      if (page.IsTruncated !== true || page.NextPartNumberMarker === undefined) break;
      marker = page.NextPartNumberMarker;
    }
  } catch (err) {
    throw targetError(err, ctx, 's3:ListParts');
  }
  return { parts, ...(checksumType === undefined ? {} : { checksumType }) };
}

/**
 * CompleteMultipartUpload with the listed parts (ETags and checksums), in part order — only while
 * the destination is still `existing` (`If-None-Match: *` when there was none, else `If-Match`).
 * Returns the replica and what S3 reported about it: the answer's checksum, encryption and `-N`
 * ETag, and the size of the parts ListParts listed.
 *
 * @throws DestinationChanged when the destination is no longer `existing` (the upload stays)
 */
export async function completeUpload(
  ctx: CopyContext,
  uploadId: string,
  listing: UploadListing,
  existing: StoredObject | undefined,
): Promise<{ readonly replica: Replica; readonly facts: ReplicaFacts }> {
  const listed = [...listing.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  const parts = listed.map((p) => p.part);
  try {
    const response = await ctx.s3ClientFor(ctx.target.region).send(
      new CompleteMultipartUploadCommand({
        Bucket: ctx.destination.bucket,
        Key: ctx.destination.key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
        ...(listing.checksumType === undefined ? {} : { ChecksumType: listing.checksumType }),
        ...expectedOwner(ctx.target),
        ...destinationCondition(existing),
      }),
      sendOptions(ctx.signal),
    );
    return {
      replica: {
        bucket: ctx.destination.bucket,
        key: ctx.destination.key,
        ...(response.VersionId === undefined ? {} : { versionId: response.VersionId }),
        etag: unquoteEtag(response.ETag ?? ''),
      },
      facts: factsFromWrite(
        response,
        listed.reduce((total, part) => total + part.size, 0),
      ),
    };
  } catch (err) {
    if (isPreconditionFailed(err) || isMissingObject(err)) {
      throw new DestinationChanged('s3:CompleteMultipartUpload', { cause: err });
    }
    throw targetError(err, ctx, 's3:CompleteMultipartUpload');
  }
}

/** AbortMultipartUpload, best effort: a failure is logged (a lifecycle rule cleans up what is left). */
export async function abortUpload(ctx: CopyContext, uploadId: string, reason: string): Promise<void> {
  try {
    await ctx.s3ClientFor(ctx.target.region).send(
      new AbortMultipartUploadCommand({
        Bucket: ctx.destination.bucket,
        Key: ctx.destination.key,
        UploadId: uploadId,
        ...expectedOwner(ctx.target),
      }),
      sendOptions(ctx.signal),
    );
    ctx.log.info('Multipart upload aborted', { uploadId, reason });
  } catch (err) {
    ctx.log.warn('The multipart upload could not be aborted', {
      uploadId,
      reason,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
  }
}
