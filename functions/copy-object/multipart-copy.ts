import {
  isRelayError,
  MultipartUploadGone,
  SourceChanged,
  SourceGone,
  TransientAwsError,
} from '../../core/errors.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import { parseReplicaMetadata, stampNamesSourceVersion } from '../../core/replica-metadata.ts';
import type { CopyResult, Replica, ReplicaFacts } from '../../core/workflow.ts';
import { sourceIdentity } from '../shared/source-pin.ts';
import type { CopyContext } from './context.ts';
import { decideCopy } from './decide.ts';
import { headDestination } from './destination.ts';
import { adoptOrphanedUpload } from './orphaned-uploads.ts';
import { replicaOf, skipped, sourceChanged, sourceGone } from './outcomes.ts';
import { type PartPlan, planParts, uniformRange } from './part-plan.ts';
import { runParts } from './part-runner.ts';
import { factsFromHead } from './replica-facts.ts';
import { pinnedSourceContent, readSourceTagging } from './source-read.ts';
import {
  abortUpload,
  completeUpload,
  copyPart,
  createUpload,
  listUploadedParts,
  sourcePartRange,
  type UploadListing,
} from './upload-api.ts';
import { DestinationChanged, settleLostRace } from './write-condition.ts';
import { copyChecksum, replicaWriteParams } from './write-params.ts';

/** Where a multipart copy starts: a new upload, or the one a previous invocation began. */
export type MultipartStart =
  | { readonly kind: 'new'; readonly existing: StoredObject | undefined }
  | { readonly kind: 'resume'; readonly uploadId: string };

function isRetryable(err: unknown): boolean {
  return isRelayError(err) && err.retryable;
}

function missingParts(plan: PartPlan, done: ReadonlySet<number>): number[] {
  const missing: number[] = [];
  for (let n = 1; n <= plan.count; n++) if (!done.has(n)) missing.push(n);
  return missing;
}

async function partRange(ctx: CopyContext, plan: PartPlan, partNumber: number) {
  return plan.layout === 'source' ? sourcePartRange(ctx, partNumber) : uniformRange(plan, partNumber);
}

/**
 * A previous invocation's upload is gone. If it was completed (the invocation ended before it
 * could return), the destination is our replica: `copied`. Otherwise the copy must start again.
 */
async function uploadGone(ctx: CopyContext, uploadId: string, cause: unknown): Promise<CopyResult> {
  const existing = await headDestination(ctx.s3ClientFor, ctx.target, ctx.destination, ctx.signal);
  const stamp = existing === undefined ? undefined : parseReplicaMetadata(existing.metadata);
  if (
    existing !== undefined &&
    stamp !== undefined &&
    existing.size === ctx.source.size &&
    stampNamesSourceVersion(stamp, sourceIdentity(ctx.source))
  ) {
    return {
      status: 'copied',
      bytes: ctx.source.size,
      destination: replicaOf(ctx.destination, existing),
      replicaFacts: factsFromHead(existing),
    };
  }
  throw new MultipartUploadGone(
    `The multipart upload ${uploadId} to s3://${ctx.destination.bucket}/${ctx.destination.key} no longer exists (aborted, or expired by a lifecycle rule); the copy starts again on the next attempt`,
    { cause, operation: 's3:ListParts' },
  );
}

/**
 * After completing an upload found on the destination key (not one this copy created or was handed): the
 * replica must carry the stamp of this source version, which only the completed object shows. If it does
 * not, the upload was another copy's; the state machine retries this copy against what is there now.
 */
async function proveAdopted(ctx: CopyContext, uploadId: string, replica: Replica): Promise<void> {
  const now = await headDestination(ctx.s3ClientFor, ctx.target, ctx.destination, ctx.signal);
  const stamp = now === undefined ? undefined : parseReplicaMetadata(now.metadata);
  if (stamp !== undefined && stampNamesSourceVersion(stamp, sourceIdentity(ctx.source))) return;
  throw new TransientAwsError(
    `The multipart upload ${uploadId} found on s3://${ctx.destination.bucket}/${ctx.destination.key} was another copy's (the replica it made, ${replica.etag}, is not stamped with this source version); the state machine retries the copy against what is there now`,
    { operation: 's3:CompleteMultipartUpload' },
  );
}

async function startUpload(ctx: CopyContext, plan: PartPlan): Promise<string> {
  const stored = await pinnedSourceContent(ctx);
  const checksum = multipartChecksum(ctx, plan);
  const tagging = await readSourceTagging(ctx);
  const uploadId = await createUpload(
    ctx,
    replicaWriteParams(ctx.source, stored, ctx.target, checksum),
    checksum,
    tagging,
  );
  ctx.log.info('Multipart copy started', { uploadId, parts: plan.count, layout: plan.layout, checksum });
  return uploadId;
}

function multipartChecksum(ctx: CopyContext, plan: PartPlan) {
  return copyChecksum(ctx.source, true, plan.layout === 'source');
}

function bytesOf(listing: UploadListing): number {
  let total = 0;
  for (const part of listing.parts.values()) total += part.size;
  return total;
}

/** An open multipart upload: its id, whether it was found on the key (adopted), and the parts done. */
interface OpenUpload {
  readonly uploadId: string;
  readonly adopted: boolean;
  /** Part number → bytes of the parts already uploaded. */
  readonly done: Map<number, number>;
}

/**
 * Phase 1, start or resume: the upload a previous invocation began (its parts re-read with ListParts),
 * one found on the destination key (orphaned-uploads.ts), or a new one. A source that vanished or
 * changed before any upload exists, or a resumed upload that is gone, is an outcome (`result`).
 */
async function openUpload(
  ctx: CopyContext,
  plan: PartPlan,
  start: MultipartStart,
): Promise<{ readonly upload: OpenUpload } | { readonly result: CopyResult }> {
  const done = new Map<number, number>();
  if (start.kind === 'resume') {
    try {
      const listing = await listUploadedParts(ctx, start.uploadId);
      for (const part of listing.parts.values()) done.set(part.partNumber, part.size);
    } catch (err) {
      if (err instanceof MultipartUploadGone) return { result: await uploadGone(ctx, start.uploadId, err) };
      throw err;
    }
    return { upload: { uploadId: start.uploadId, adopted: false, done } };
  }
  const found = await adoptOrphanedUpload(ctx, plan, multipartChecksum(ctx, plan));
  if (found !== undefined) {
    for (const part of found.listing.parts.values()) done.set(part.partNumber, part.size);
    return { upload: { uploadId: found.uploadId, adopted: true, done } };
  }
  try {
    return { upload: { uploadId: await startUpload(ctx, plan), adopted: false, done } };
  } catch (err) {
    if (err instanceof SourceGone) return { result: sourceGone(ctx.destination) };
    if (err instanceof SourceChanged) return { result: sourceChanged(ctx.destination, start.existing) };
    throw err;
  }
}

/**
 * Phase 3, complete: the destination is checked once more — a replica from a newer event wins
 * (`superseded`), and one of this source version another writer finished meanwhile makes the upload
 * unneeded (`in-sync`, except on a re-copy); either way the upload is aborted — then the parts are
 * listed (one missing: `copying` again) and the completion is conditional on the destination staying
 * as seen. A lost race is settled by looking again (write-condition.ts). `completed`: the upload is
 * gone (an adopted one is then proven ours by the caller).
 */
async function completeCopy(
  ctx: CopyContext,
  plan: PartPlan,
  upload: OpenUpload,
): Promise<{ readonly result: CopyResult; readonly completed: boolean }> {
  const { uploadId } = upload;
  const existing = await headDestination(ctx.s3ClientFor, ctx.target, ctx.destination, ctx.signal);
  const decision = decideCopy(ctx.source, existing, ctx.recopy, ctx.settings.verify);
  if (decision.action === 'skip' && existing !== undefined) {
    await abortUpload(ctx, uploadId, decision.why);
    return { result: skipped(ctx.destination, decision.status, existing), completed: false };
  }
  const listing = await listUploadedParts(ctx, uploadId);
  const unlisted = missingParts(plan, new Set(listing.parts.keys()));
  if (unlisted.length > 0) {
    return {
      result: copying(uploadId, unlisted[0] ?? 1, upload.done, ctx, bytesOf(listing)),
      completed: false,
    };
  }
  let written: { readonly replica: Replica; readonly facts: ReplicaFacts };
  try {
    written = await completeUpload(ctx, uploadId, listing, existing);
  } catch (err) {
    if (!(err instanceof DestinationChanged)) throw err;
    // Another writer got there first: its replica may already be this one (then this upload is not
    // needed); if not, the error is retryable and the upload is kept for the next attempt.
    const settled = await settleLostRace(ctx, err);
    await abortUpload(ctx, uploadId, `the destination is already ${settled.status}`);
    return { result: settled, completed: false };
  }
  const { replica, facts } = written;
  return {
    result: { status: 'copied', bytes: ctx.source.size, destination: replica, replicaFacts: facts },
    completed: true,
  };
}

/**
 * The one failure path of a run that has an upload: the upload vanished (completed by another copy
 * that shared it, aborted, or expired) → uploadGone; the source vanished or changed → abort, outcome;
 * a permanent failure → abort, throw; a transient one → `copying` when this invocation made progress
 * (the upload is kept), else thrown for the state machine to retry (a new upload that made no progress
 * is aborted first).
 */
async function failedRun(
  ctx: CopyContext,
  plan: PartPlan,
  upload: OpenUpload,
  start: MultipartStart,
  progressed: boolean,
  err: unknown,
): Promise<CopyResult> {
  const { uploadId } = upload;
  if (err instanceof MultipartUploadGone) return uploadGone(ctx, uploadId, err);
  if (err instanceof SourceGone || err instanceof SourceChanged) {
    await abortUpload(ctx, uploadId, err.message);
    const existing = start.kind === 'new' ? start.existing : undefined;
    return err instanceof SourceGone ? sourceGone(ctx.destination) : sourceChanged(ctx.destination, existing);
  }
  if (!isRetryable(err)) {
    await abortUpload(ctx, uploadId, err instanceof Error ? err.message : String(err));
    throw err;
  }
  if (progressed) {
    return copying(
      uploadId,
      missingParts(plan, new Set(upload.done.keys()))[0] ?? plan.count + 1,
      upload.done,
      ctx,
    );
  }
  if (start.kind === 'new' && !upload.adopted) {
    await abortUpload(ctx, uploadId, 'no part could be copied; the state machine retries');
  }
  throw err;
}

/**
 * One invocation of a multipart copy (DESIGN §2 "Cross-region copy"), in three phases: start or resume
 * the upload ({@link openUpload}), copy the missing parts in parallel until the deadline (then
 * `copying`, to be called again), and complete ({@link completeCopy}); anything that fails once an
 * upload is open takes one path ({@link failedRun}). Completed means the upload is gone: a failure
 * after it (proving an adopted upload) is thrown as it is.
 */
export async function multipartCopy(
  ctx: CopyContext,
  start: MultipartStart,
  deadline: number,
): Promise<CopyResult> {
  const plan = planParts(ctx.source, ctx.settings.partSizeBytes);
  const opened = await openUpload(ctx, plan, start);
  if ('result' in opened) return opened.result;
  const { upload } = opened;

  let progressed = false;
  let completed = false;
  try {
    const run = await runParts({
      parts: missingParts(plan, new Set(upload.done.keys())),
      concurrency: ctx.partConcurrency,
      expired: () => ctx.clock() >= deadline,
      copy: async (partNumber) =>
        copyPart(ctx, upload.uploadId, partNumber, await partRange(ctx, plan, partNumber)),
    });
    for (const [partNumber, bytes] of run.done) upload.done.set(partNumber, bytes);
    progressed = run.done.size > 0;
    if (run.error !== undefined) throw run.error;

    const missing = missingParts(plan, new Set(upload.done.keys()));
    if (missing.length > 0) return copying(upload.uploadId, missing[0] ?? plan.count + 1, upload.done, ctx);

    const finished = await completeCopy(ctx, plan, upload);
    completed = finished.completed;
    if (completed && finished.result.status === 'copied') {
      if (upload.adopted) await proveAdopted(ctx, upload.uploadId, finished.result.destination);
      ctx.log.info('Multipart copy completed', {
        uploadId: upload.uploadId,
        parts: plan.count,
        etag: finished.result.destination.etag,
      });
    }
    return finished.result;
  } catch (err) {
    if (completed) throw err; // the upload is gone: nothing to abort or continue
    return failedRun(ctx, plan, upload, start, progressed, err);
  }
}

function copying(
  uploadId: string,
  nextPart: number,
  done: ReadonlyMap<number, number>,
  ctx: CopyContext,
  listedBytes?: number,
): CopyResult {
  let bytes = 0;
  for (const size of done.values()) bytes += size;
  return {
    status: 'copying',
    bytes: listedBytes ?? bytes,
    uploadId,
    nextPart,
    destination: { bucket: ctx.destination.bucket, key: ctx.destination.key },
  };
}
