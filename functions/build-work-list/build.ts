import { getMaxListeners, setMaxListeners } from 'node:events';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import {
  type BackfillRequest,
  type BuildWorkListInput,
  emptyCounts,
  MIN_WORK_LIST_PART_BYTES,
  type ResultsLocation,
  type WorkList,
  type WorkListCounts,
  type WorkListCursor,
  workListKey,
} from '../../core/backfill.ts';
import { classifyAwsError, errorCodeOf } from '../../core/classify-aws-error.ts';
import type { RelayConfig, SourceConfig } from '../../core/config/schema.ts';
import { InvalidInput } from '../../core/errors.ts';
import { NO_TAG_SET_CODE, targetTagValue } from '../../core/target-tag.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import { silentLog, type TaskLog } from '../shared/log.ts';
import { type Clock, systemClock, type TaskOptions } from '../shared/task.ts';
import { type SyncQuestion, targetsNotInSync } from './in-sync.ts';
import { INVENTORY_FILE_CHECK_CONCURRENCY, openInventoryPages } from './inventory.ts';
import {
  type ListedObject,
  type ListedSource,
  type Listing,
  openListingPages,
  type SourcePages,
} from './listing.ts';
import { backfillSource, checkTargetSelection, createRouter, type Router, workItemFor } from './select.ts';
import { type UploadState, WorkListWriter } from './work-list-writer.ts';

/** Time a call keeps in hand after its last page: the chunk write and the answer, before the Lambda times out. */
export const WORK_LIST_TIME_MARGIN_MS = 60_000;

/** How long a call lists when it is not told the time it has left (in-process, outside Lambda). */
export const DEFAULT_WORK_LIST_BUDGET_MS = 5 * 60_000;

/** Keys per listing page (S3's most). */
export const DEFAULT_LISTING_PAGE_SIZE = 1000;

/** Destination HEADs in flight at once. */
export const DEFAULT_HEAD_CONCURRENCY = 32;

/** What BuildWorkList needs. */
export interface BuildWorkListDeps {
  readonly s3ClientFor: S3ClientFor;
  /** The validated relay configuration (loaded once per container). */
  readonly loadConfig: () => Promise<RelayConfig>;
  /**
   * The results bucket's region: the backfill state machine's own (its Distributed Map reads the list
   * and writes its results there). The Lambda's `AWS_REGION`.
   */
  readonly resultsRegion: string;
  /** Where a request without `results` writes (the backfill's own bucket). @default none: `results` is required */
  readonly defaultResults?: ResultsLocation;
  readonly log?: TaskLog;
  readonly clock?: Clock;
  /** Bytes that make a part of the work list. @default MIN_WORK_LIST_PART_BYTES (5 MiB, S3's smallest) */
  readonly partBytes?: number;
  /** Time kept back from the Lambda's remaining time. @default WORK_LIST_TIME_MARGIN_MS */
  readonly timeMarginMs?: number;
  /** The listing time of a call told no remaining time. @default DEFAULT_WORK_LIST_BUDGET_MS */
  readonly budgetMs?: number;
  /** Keys per listing page. @default DEFAULT_LISTING_PAGE_SIZE */
  readonly pageSize?: number;
  /** Destination HEADs in flight at once. @default DEFAULT_HEAD_CONCURRENCY */
  readonly headConcurrency?: number;
}

/** The value of the source's `TargetBucket` tag when the source enables the convention (else none). */
async function bucketTagValueOf(
  deps: BuildWorkListDeps,
  source: SourceConfig,
  signal: AbortSignal | undefined,
): Promise<string | undefined> {
  const settings = source.targetBucketTag;
  if (settings?.enabled !== true) return undefined;
  try {
    const tagging = await deps.s3ClientFor(source.region).send(
      new GetBucketTaggingCommand({
        Bucket: source.bucket,
        ...(source.account === undefined ? {} : { ExpectedBucketOwner: source.account }),
      }),
      signal === undefined ? {} : { abortSignal: signal },
    );
    return targetTagValue(tagging.TagSet, settings.tagKey);
  } catch (err) {
    if (errorCodeOf(err) === NO_TAG_SET_CODE) return undefined;
    throw classifyAwsError(err, { operation: 's3:GetBucketTagging', side: 'source', bucket: source.bucket });
  }
}

/**
 * The source's pages from the cursor: the S3 Inventory report the request names (read in the source's
 * region, where S3 delivers a bucket's inventory), or the listing of the prefix.
 *
 * @throws InvalidInput when the cursor was made by the other kind of read (the state was changed between calls)
 */
function openSourcePages(
  deps: BuildWorkListDeps,
  request: BackfillRequest,
  source: SourceConfig,
  cursor: WorkListCursor | undefined,
  signal: AbortSignal | undefined,
): Promise<SourcePages> {
  const client = deps.s3ClientFor(source.region);
  const options = { pageSize: deps.pageSize ?? DEFAULT_LISTING_PAGE_SIZE, signal };
  const fromInventory = request.inventory !== undefined;
  if (cursor !== undefined && (cursor.listing === 'inventory') !== fromInventory) {
    throw new InvalidInput(
      `The backfill state's workList cursor was made by ${cursor.listing === 'inventory' ? 'reading an inventory' : 'listing the bucket'}, but the request ${fromInventory ? 'names an inventory' : 'names none'}: the execution state was changed between calls; start the backfill again`,
    );
  }
  if (request.inventory !== undefined) {
    return openInventoryPages(
      client,
      { ...request, inventory: request.inventory },
      cursor?.inventory,
      options,
    );
  }
  const listed: ListedSource = {
    bucket: source.bucket,
    prefix: request.source.prefix,
    account: source.account,
  };
  return openListingPages(client, listed, cursor, options);
}

function uploadStateOf(cursor: WorkListCursor | undefined): UploadState | undefined {
  if (cursor?.uploadId === undefined) return undefined;
  return {
    uploadId: cursor.uploadId,
    parts: cursor.parts,
    chunks: cursor.chunks,
    chunkBytes: cursor.chunkBytes,
    chunksWritten: cursor.chunksWritten,
    spentChunks: cursor.spentChunks,
  };
}

/** The previous call's answer, checked against this backfill: the cursor it resumes from. */
function previousOf(
  input: BuildWorkListInput & { readonly state: { readonly results: ResultsLocation } },
  key: string,
): WorkList | undefined {
  const previous = input.state.workList;
  if (previous === undefined) return undefined;
  if (previous.bucket !== input.state.results.bucket || previous.key !== key) {
    throw new InvalidInput(
      `The backfill state's workList names s3://${previous.bucket}/${previous.key}, but this backfill writes s3://${input.state.results.bucket}/${key}: the execution state was changed between calls; start the backfill again`,
    );
  }
  if (!previous.done && previous.cursor === undefined) {
    throw new InvalidInput(
      'The backfill state has a workList that is not done but carries no cursor; start the backfill again',
    );
  }
  return previous;
}

/** The time this call may list until, on `clock`. */
function deadlineOf(deps: BuildWorkListDeps, clock: Clock, options: TaskOptions): number {
  const margin = deps.timeMarginMs ?? WORK_LIST_TIME_MARGIN_MS;
  const available =
    options.remainingTimeMs === undefined
      ? (deps.budgetMs ?? DEFAULT_WORK_LIST_BUDGET_MS)
      : options.remainingTimeMs() - margin;
  return clock() + Math.max(0, available);
}

/** Adds one page's objects to the list: the filters, counted, then a line per object that needs relaying. */
async function addPage(
  deps: BuildWorkListDeps,
  request: BackfillRequest,
  context: {
    readonly config: RelayConfig;
    readonly router: Router;
    readonly listing: Listing;
    readonly signal: AbortSignal | undefined;
  },
  objects: readonly ListedObject[],
  counts: WorkListCounts,
  writer: WorkListWriter,
): Promise<void> {
  const routed: SyncQuestion[] = [];
  for (const object of objects) {
    counts.listed += 1;
    const route = context.router.route(object);
    if (route.kind === 'too-old') counts.tooOld += 1;
    else if (route.kind === 'no-target') counts.noTarget += 1;
    else routed.push({ object, targets: route.targets });
  }
  // Deploying is the relay's to decide (its ledger deploys at most once): with `deploy`, nothing is skipped.
  const needed = request.deploy
    ? routed.map((entry) => entry.targets)
    : await targetsNotInSync(
        {
          s3ClientFor: deps.s3ClientFor,
          verify: context.config.defaults.verify,
          concurrency: deps.headConcurrency ?? DEFAULT_HEAD_CONCURRENCY,
          signal: context.signal,
        },
        request.source.bucket,
        routed,
      );
  routed.forEach((entry, i) => {
    const targets = needed[i] ?? entry.targets;
    if (targets.length === 0) {
      counts.inSync += 1;
      return;
    }
    const narrowed = request.targets !== undefined || targets.length < entry.targets.length;
    const item = workItemFor(
      request.source.bucket,
      entry.object,
      context.listing,
      targets,
      narrowed,
      request.deploy,
    );
    writer.add(JSON.stringify(item));
    counts.queued += 1;
    counts.queuedBytes += entry.object.size;
  });
}

/**
 * BuildWorkList: lists the backfill's source prefix — or reads the S3 Inventory report the request names,
 * its keys filtered by the prefix — from where the previous call stopped, keeps the objects that need
 * relaying — modified since `since`, routed by the relay's own rules to one of the chosen targets, and
 * (unless `deploy`) not already in sync at every one of them — and writes a relay request per object to
 * the JSONL work list. It reads page by page until the source ends or its time is nearly up (at least one
 * page per call, so every call makes progress), and answers `done: false` with a cursor to be called
 * again, or `done: true` once the list is complete (`items: 0`, and no object written, when nothing
 * needs relaying).
 *
 * @throws InvalidInput when the request does not parse, its source is not configured, a target selector
 *   names no target of the source, or its inventory is missing, changed or not a CSV report of the
 *   source; AccessDenied naming the grant when the inventory may not be read; ConfigInvalid for a bad
 *   configuration; the classified AWS error of a failed call (TransientAwsError is retried by the state
 *   machine from the same cursor)
 */
export async function buildWorkList(
  input: BuildWorkListInput,
  deps: BuildWorkListDeps,
  options: TaskOptions = {},
): Promise<WorkList> {
  const results = input.state.results ?? deps.defaultResults;
  if (results === undefined) {
    throw new InvalidInput(
      'The backfill request names no results location and this builder has no default: set results { bucket, prefix } in the input, or deploy the backfill with its results bucket (BACKFILL_RESULTS_BUCKET)',
    );
  }
  const request = { ...input.state, results };
  const key = workListKey(request, input.backfillId);
  const previous = previousOf({ ...input, state: request }, key);
  if (previous?.done === true) return previous;

  const clock = deps.clock ?? systemClock;
  const deadline = deadlineOf(deps, clock, options);
  const log = deps.log ?? silentLog;
  const signal = options.signal;
  // Each request in flight listens on the signal until it ends: room for every HEAD at once, the listing,
  // the work list's upload and the inventory checks, so Node does not warn of a listener leak.
  if (signal !== undefined) {
    const inFlight =
      (deps.headConcurrency ?? DEFAULT_HEAD_CONCURRENCY) + INVENTORY_FILE_CHECK_CONCURRENCY + 8;
    setMaxListeners(Math.max(getMaxListeners(signal), inFlight), signal);
  }
  const config = await deps.loadConfig();
  const source = backfillSource(config, request);
  const bucketTagValue = await bucketTagValueOf(deps, source, signal);
  checkTargetSelection(source, request, bucketTagValue);

  const cursor = previous?.cursor;
  // Before anything is written: a manifest that cannot serve this backfill is refused here.
  const pages = await openSourcePages(deps, request, source, cursor, signal);
  const listing = pages.listing;
  const place = { bucket: request.results.bucket, key };
  const counts: WorkListCounts = { ...(previous?.counts ?? emptyCounts()) };
  const router = createRouter(config, request, bucketTagValue);
  let writer: WorkListWriter;
  try {
    writer = await WorkListWriter.open(deps.s3ClientFor(deps.resultsRegion), place, uploadStateOf(cursor), {
      partBytes: deps.partBytes ?? MIN_WORK_LIST_PART_BYTES,
      signal,
      log,
    });
    do {
      const objects = await pages.next();
      await addPage(deps, request, { config, router, listing, signal }, objects, counts, writer);
      await writer.uploadPartIfFull();
    } while (!pages.done && clock() < deadline);
  } finally {
    pages.close();
  }

  const answer = {
    bucket: place.bucket,
    results: request.results,
    key,
    items: counts.queued,
    maxConcurrency: request.maxConcurrency,
    toleratedFailurePercentage: request.toleratedFailurePercentage,
    counts,
  };
  if (!pages.done) {
    const upload = await writer.pause();
    log.info('Work list in progress', { workList: `s3://${place.bucket}/${key}`, counts });
    return { done: false, ...answer, cursor: { listing, ...pages.position(), ...upload } };
  }
  if (counts.queued === 0) await writer.abort();
  else await writer.complete();
  log.info(counts.queued === 0 ? 'Nothing to backfill' : 'Work list complete', {
    workList: `s3://${place.bucket}/${key}`,
    counts,
  });
  return { done: true, ...answer };
}
