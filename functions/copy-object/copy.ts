import { SourceChanged, SourceGone } from '../../core/errors.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import { destinationKey } from '../../core/routing.ts';
import type { CopyResult, TaskInput } from '../../core/workflow.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import type { GrantAdviceDeps } from '../shared/grant-advice.ts';
import { silentLog, type TaskLog } from '../shared/log.ts';
import { type Clock, systemClock, type TaskOptions } from '../shared/task.ts';
import { copyDeadline } from './budget.ts';
import type { CopyContext } from './context.ts';
import { decideCopy } from './decide.ts';
import { headDestination } from './destination.ts';
import { multipartCopy } from './multipart-copy.ts';
import { skipped, sourceChanged, sourceGone } from './outcomes.ts';
import { copyWhole } from './single-copy.ts';
import { pinnedSourceContent } from './source-read.ts';
import { DestinationChanged, settleLostRace } from './write-condition.ts';
import { copyChecksum, replicaWriteParams } from './write-params.ts';

/** UploadPartCopy requests in flight at once, by default. */
export const DEFAULT_PART_CONCURRENCY = 8;

/** What the Copy task needs. */
export interface CopyObjectDeps extends GrantAdviceDeps {
  readonly s3ClientFor: S3ClientFor;
  readonly clock?: Clock;
  readonly log?: TaskLog;
  /** UploadPartCopy requests in flight at once. @default 8 */
  readonly partConcurrency?: number;
  /** Milliseconds of the Lambda's remaining time a multipart copy leaves unused. @default 60 000 */
  readonly timeMarginMs?: number;
}

async function copyInOneRequest(ctx: CopyContext, existing: StoredObject | undefined): Promise<CopyResult> {
  try {
    const stored = await pinnedSourceContent(ctx);
    const write = replicaWriteParams(ctx.source, stored, ctx.target, copyChecksum(ctx.source, false, false));
    const { replica, facts } = await copyWhole(ctx, write, existing);
    ctx.log.info('Object copied', {
      destination: ctx.destination,
      etag: replica.etag,
      bytes: ctx.source.size,
    });
    return { status: 'copied', bytes: ctx.source.size, destination: replica, replicaFacts: facts };
  } catch (err) {
    if (err instanceof SourceGone) return sourceGone(ctx.destination);
    if (err instanceof SourceChanged) return sourceChanged(ctx.destination, existing);
    if (err instanceof DestinationChanged) return settleLostRace(ctx, err);
    throw err;
  }
}

/**
 * The Copy task (DESIGN §2): continues a multipart copy in progress, or checks the destination
 * first — `in-sync` (unless a re-copy) or `superseded` leave it alone — and then copies the pinned
 * source, restating the metadata ResolveTargets recorded (no second HEAD of the source; older
 * executions' state without it reads it): CopyObject up to `settings.multipartThresholdBytes`, a
 * multipart copy above it (working
 * to a time budget and returning `copying` to be called again). A source that vanished or
 * changed is the outcome `source-gone` / `superseded`, not a failure. The replica is written only
 * while the destination is still what the check saw (conditional writes); a concurrent writer that
 * got there first with the same bytes makes the result `in-sync`. A `copied` or `in-sync` result
 * carries what S3 reported about the replica (`replicaFacts`), Verify's evidence.
 */
export async function copyObject(
  input: TaskInput,
  deps: CopyObjectDeps,
  options: TaskOptions = {},
): Promise<CopyResult> {
  const { source, target, settings } = input;
  const clock = deps.clock ?? systemClock;
  const previous = input.copy?.status === 'copying' ? input.copy : undefined;
  const ctx: CopyContext = {
    s3ClientFor: deps.s3ClientFor,
    source,
    target,
    settings,
    destination: previous?.destination ?? { bucket: target.bucket, key: destinationKey(target, source.key) },
    signal: options.signal,
    clock,
    log: deps.log ?? silentLog,
    partConcurrency: deps.partConcurrency ?? DEFAULT_PART_CONCURRENCY,
    recopy: input.recopy === true,
  };
  const deadline = () =>
    copyDeadline(clock, settings.copyTimeBudgetSeconds, options.remainingTimeMs, deps.timeMarginMs);

  if (previous !== undefined) {
    return multipartCopy(ctx, { kind: 'resume', uploadId: previous.uploadId }, deadline());
  }
  const existing = await headDestination(ctx.s3ClientFor, target, ctx.destination, ctx.signal);
  const decision = decideCopy(source, existing, ctx.recopy, settings.verify);
  if (decision.action === 'skip' && existing !== undefined) {
    ctx.log.info(`Not copied: ${decision.status}`, { destination: ctx.destination, why: decision.why });
    return skipped(ctx.destination, decision.status, existing);
  }
  return source.size > settings.multipartThresholdBytes
    ? multipartCopy(ctx, { kind: 'new', existing }, deadline())
    : copyInOneRequest(ctx, existing);
}
