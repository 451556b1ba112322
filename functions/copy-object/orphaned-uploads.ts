import { ListMultipartUploadsCommand, type MultipartUpload } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import { isRelayError, MultipartUploadGone } from '../../core/errors.ts';
import { sendOptions } from '../shared/aws-call.ts';
import { type CopyContext, expectedOwner } from './context.ts';
import { type PartPlan, uniformRange } from './part-plan.ts';
import { abortUpload, listUploadedParts, type UploadListing } from './upload-api.ts';
import type { CopyChecksum } from './write-params.ts';

/**
 * Orphaned multipart uploads (DESIGN §2 "Cross-region copy", issue 10 point 4). A Copy that starts a
 * multipart copy afresh — no `copying` result in its input, because the invocation (or the local stack)
 * that began the upload died before returning it — first looks for that upload on the destination key
 * (ListMultipartUploads with the key as prefix, exact key match) instead of leaving it behind.
 *
 * Which upload is ours? S3 shows nothing of an upload's metadata (where the relay's stamp naming the
 * source version is) before it completes. So the relay **adopts** an upload only when everything S3 does
 * show fits this very copy — same checksum algorithm and type, same storage class, and every part listed
 * so far has the number and size this copy's part plan gives it — and then proves the stamp after
 * completing it: a completed adopted upload whose replica is not stamped with this source version (another
 * copy of the same key and size was using it) is not reported as copied; the copy is retried against what
 * is there now (see multipart-copy.ts). Adopting the upload of a concurrent copy of the *same* version is
 * harmless: both write the same bytes to the same parts, the first to complete wins, and the other finds
 * the replica already made.
 *
 * Every other upload on the key is **aborted once it is idle**: nothing — neither its creation nor a part —
 * for {@link idleAfterMs}, longer than any live copy leaves an upload untouched (a copy invocation starts
 * parts until its time budget is spent, and the state machine calls it again at once). Younger ones may
 * belong to a live copy of another version and are left alone; an `AbortIncompleteMultipartUpload`
 * lifecycle rule on the target bucket is the backstop on AWS (README).
 */

/** An upload this copy continues, with the parts it already holds. */
export interface AdoptedUpload {
  readonly uploadId: string;
  readonly listing: UploadListing;
  /** When the upload was created, as S3 reports it. */
  readonly initiated?: Date;
}

/** The shortest idle time after which another upload on the key counts as orphaned (15 minutes). */
export const MIN_IDLE_MS = 15 * 60_000;

/** How long an upload must have been untouched before it is aborted as an orphan. */
export function idleAfterMs(copyTimeBudgetSeconds: number): number {
  return Math.max(MIN_IDLE_MS, 2 * copyTimeBudgetSeconds * 1000);
}

/** The in-progress uploads on exactly the destination key, newest first (all pages). */
export async function uploadsOnKey(ctx: CopyContext): Promise<MultipartUpload[]> {
  const found: MultipartUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  try {
    for (;;) {
      const page = await ctx.s3ClientFor(ctx.target.region).send(
        new ListMultipartUploadsCommand({
          Bucket: ctx.destination.bucket,
          Prefix: ctx.destination.key,
          ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          ...(uploadIdMarker === undefined ? {} : { UploadIdMarker: uploadIdMarker }),
          ...expectedOwner(ctx.target),
        }),
        sendOptions(ctx.signal),
      );
      for (const upload of page.Uploads ?? []) {
        if (upload.Key === ctx.destination.key && upload.UploadId) found.push(upload);
      }
      if (page.IsTruncated !== true || page.NextKeyMarker === undefined) break;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  } catch (err) {
    throw classifyAwsError(err, {
      operation: 's3:ListMultipartUploads',
      side: 'target',
      bucket: ctx.destination.bucket,
      key: ctx.destination.key,
    });
  }
  const time = (upload: MultipartUpload): number => upload.Initiated?.getTime() ?? 0;
  return found.sort((a, b) => time(b) - time(a));
}

/** Whether what ListMultipartUploads shows of `upload` is what this copy would have created. */
function sameShape(upload: MultipartUpload, ctx: CopyContext, checksum: CopyChecksum): boolean {
  if (upload.ChecksumAlgorithm !== undefined && upload.ChecksumAlgorithm !== checksum.algorithm) return false;
  if (upload.ChecksumType !== undefined && upload.ChecksumType !== checksum.type) return false;
  const storageClass = ctx.target.storageClass ?? 'STANDARD';
  return upload.StorageClass === undefined || upload.StorageClass === storageClass;
}

/** Whether every part listed has a number and (for a uniform plan) the size this copy's plan gives it. */
export function partsFitPlan(listing: UploadListing, plan: PartPlan): boolean {
  for (const part of listing.parts.values()) {
    if (part.partNumber < 1 || part.partNumber > plan.count) return false;
    if (plan.layout === 'uniform') {
      const range = uniformRange(plan, part.partNumber);
      if (part.size !== range.end - range.start + 1) return false;
    }
  }
  return true;
}

/** The last time anything happened to the upload: its creation or its newest part. */
function lastActivity(upload: MultipartUpload, listing: UploadListing | undefined): number {
  let last = upload.Initiated?.getTime() ?? 0;
  for (const part of listing?.parts.values() ?? []) {
    if (part.lastModified !== undefined) last = Math.max(last, part.lastModified.getTime());
  }
  return last;
}

async function partsOf(ctx: CopyContext, uploadId: string): Promise<UploadListing | undefined> {
  try {
    return await listUploadedParts(ctx, uploadId);
  } catch (err) {
    if (err instanceof MultipartUploadGone) return undefined; // completed or aborted meanwhile
    throw err;
  }
}

/**
 * Looks for the upload an earlier attempt of this copy started on the destination key: returns it to be
 * continued (see the module comment for when), and aborts the other uploads on the key that are idle.
 * Best effort: when the uploads cannot be listed (e.g. no `s3:ListBucketMultipartUploads` permission) it
 * logs a warning and returns `undefined`, and the copy starts a new upload as before.
 */
export async function adoptOrphanedUpload(
  ctx: CopyContext,
  plan: PartPlan,
  checksum: CopyChecksum,
): Promise<AdoptedUpload | undefined> {
  let uploads: MultipartUpload[];
  try {
    uploads = await uploadsOnKey(ctx);
  } catch (err) {
    if (isRelayError(err) && err.retryable) throw err;
    ctx.log.warn('Could not look for an interrupted multipart upload to continue', {
      destination: ctx.destination,
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    });
    return undefined;
  }
  const idleAfter = idleAfterMs(ctx.settings.copyTimeBudgetSeconds);
  const now = ctx.clock();
  let adopted: AdoptedUpload | undefined;
  for (const upload of uploads) {
    const uploadId = upload.UploadId ?? '';
    const listing = await partsOf(ctx, uploadId);
    if (listing === undefined) continue;
    if (adopted === undefined && sameShape(upload, ctx, checksum) && partsFitPlan(listing, plan)) {
      adopted = { uploadId, listing, ...(upload.Initiated ? { initiated: upload.Initiated } : {}) };
      continue;
    }
    if (now - lastActivity(upload, listing) >= idleAfter) {
      await abortUpload(ctx, uploadId, 'an orphaned multipart upload on the destination key (idle)');
    }
  }
  if (adopted !== undefined) {
    ctx.log.info('Continuing an interrupted multipart copy', {
      uploadId: adopted.uploadId,
      partsDone: adopted.listing.parts.size,
      parts: plan.count,
    });
  }
  return adopted;
}
