/**
 * The backfill's contract (issue #15, docs/backfill.md): the backfill execution's input, what
 * BuildWorkList answers each time it is called, and one line of the work list — the relay request the
 * Distributed Map hands each child workflow, which starts a relay execution with it. Shared by the
 * work-list builder (functions/build-work-list), the state machine (state-machine/backfill.ts), the CDK
 * construct, the local stack and the CLI (`relay replay --distributed`, `relay backfill status`).
 */
import * as z from 'zod/mini';
import './schema-locale.ts';

const nonEmpty = z.string().check(z.minLength(1));

/** The most child workflows a backfill runs at once (Distributed Map's own limit is 10,000). */
export const MAX_BACKFILL_CONCURRENCY = 10_000;
/** How many relay executions a backfill runs at once unless told otherwise. */
export const DEFAULT_BACKFILL_CONCURRENCY = 40;

/** Where a backfill writes its work list and results. */
export const resultsLocationSchema = z.object({ bucket: nonEmpty, prefix: nonEmpty });

/** A results location. */
export type ResultsLocation = z.output<typeof resultsLocationSchema>;

/** The prefix under the backfill's own results bucket when the request names none. */
export const DEFAULT_RESULTS_PREFIX = 'backfills';

/** The backfill execution's input: which objects, to which targets, and where results go. */
export const backfillRequestSchema = z.object({
  /** The source bucket (a configured source) and the prefix to list (every key when absent). */
  source: z.object({ bucket: nonEmpty, prefix: z.optional(z.string()) }),
  /** Only objects last modified at or after this time (ISO 8601). */
  since: z.optional(z.iso.datetime({ offset: true })),
  /** Only these targets (`bucket` or `bucket@region`), as a relay request's `targets`; all when absent. */
  targets: z.optional(z.array(nonEmpty).check(z.minLength(1))),
  /** Deploy where the configuration says so; `false` (the default) relays and verifies only. */
  deploy: z._default(z.boolean(), false),
  /**
   * Where the work list and the Distributed Map's results are written. Absent: the backfill's own results
   * bucket (the work-list builder's `BACKFILL_RESULTS_BUCKET`), under `backfills/`.
   */
  results: z.optional(resultsLocationSchema),
  /** Relay executions at once (the Map's MaxConcurrency). */
  maxConcurrency: z._default(
    z.number().check(z.int(), z.minimum(1), z.maximum(MAX_BACKFILL_CONCURRENCY)),
    DEFAULT_BACKFILL_CONCURRENCY,
  ),
  /** The share of objects that may fail before the map run fails (0 to 100). */
  toleratedFailurePercentage: z._default(z.number().check(z.minimum(0), z.maximum(100)), 0),
});

/** A backfill request as validated (defaults applied). */
export type BackfillRequest = z.output<typeof backfillRequestSchema>;

/** How many listed objects each filter took out, and how many are queued. */
export const workListCountsSchema = z.object({
  /** Objects listed under the prefix. */
  listed: z.number(),
  /** Modified before `since`. */
  tooOld: z.number(),
  /**
   * No rule sends them anywhere, or none of the chosen targets. (Replicas the relay made itself are not
   * told apart here: a listing carries no user metadata, and a HEAD of every source object would double
   * the cost; the relay execution's own loop guard skips any that are queued.)
   */
  noTarget: z.number(),
  /** Already in sync at every chosen target (by the relay's stamp naming this version, or its bytes). */
  inSync: z.number(),
  /** Written to the work list: a relay execution each. */
  queued: z.number(),
  /** Their bytes. */
  queuedBytes: z.number(),
});

/** The counts of a work list. */
export type WorkListCounts = z.output<typeof workListCountsSchema>;

/** An empty {@link WorkListCounts}. */
export function emptyCounts(): WorkListCounts {
  return { listed: 0, tooOld: 0, noTarget: 0, inSync: 0, queued: 0, queuedBytes: 0 };
}

/** How the source is listed: its objects (never versioned), or its versions (versioning Enabled or Suspended). */
export const WORK_LIST_LISTINGS = ['objects', 'versions'] as const;

/**
 * Where BuildWorkList stopped (it runs to a time budget and is called again): the listing's position, the
 * multipart upload of the work list with its parts so far, and the chunks not yet big enough to be a part
 * (S3 parts are 5 MiB at least, except the last).
 */
export const workListCursorSchema = z.object({
  /** Decided by the first call (GetBucketVersioning) and kept, so one build never mixes two listings. */
  listing: z.enum(WORK_LIST_LISTINGS),
  continuationToken: z.optional(nonEmpty),
  keyMarker: z.optional(z.string()),
  versionIdMarker: z.optional(z.string()),
  uploadId: z.optional(nonEmpty),
  /** The parts uploaded, each with the CRC32 the upload was created to carry (CompleteMultipartUpload names it). */
  parts: z.array(z.object({ PartNumber: z.number(), ETag: nonEmpty, ChecksumCRC32: z.optional(nonEmpty) })),
  /** Keys of chunk objects written since the last part, in order. */
  chunks: z.array(nonEmpty),
  /** Their bytes. */
  chunkBytes: z.number(),
  /** Chunks written so far: the number of the next one (a retried call rewrites the same key). */
  chunksWritten: z.number().check(z.int(), z.nonnegative()),
  /**
   * Chunks already in a part, deleted by the next call rather than by the call that uploaded the part: a
   * retry of that call (same cursor) reads them again.
   */
  spentChunks: z.array(nonEmpty),
});

/** Where a work list build stopped. */
export type WorkListCursor = z.output<typeof workListCursorSchema>;

/** BuildWorkList's answer (`$.workList`): done or not, where the list is, and the counts so far. */
export const workListSchema = z.object({
  done: z.boolean(),
  /** The JSONL work list (its final key even before it is complete). */
  bucket: nonEmpty,
  key: nonEmpty,
  /** Where the Distributed Map's ResultWriter writes (the request's, or the default). */
  results: resultsLocationSchema,
  /** Lines in it (= counts.queued). */
  items: z.number(),
  /**
   * The request's settings with their defaults applied, for the Distributed Map's `…Path` fields (an input
   * that omits them still runs with the defaults).
   */
  maxConcurrency: z.number(),
  toleratedFailurePercentage: z.number(),
  counts: workListCountsSchema,
  /** Present while not done. */
  cursor: z.optional(workListCursorSchema),
});

/** BuildWorkList's answer. */
export type WorkList = z.output<typeof workListSchema>;

/**
 * BuildWorkList's input, as the backfill definition passes it: the whole execution state (the request, and
 * after the first call its `workList`; other fields are ignored) and the execution's name.
 */
export const buildWorkListInputSchema = z.object({
  state: z.object({ ...backfillRequestSchema.shape, workList: z.optional(workListSchema) }),
  /** The backfill execution's name: the work list's folder under the results prefix. */
  backfillId: nonEmpty.check(z.maxLength(80)),
});

/** BuildWorkList's input, parsed. */
export type BuildWorkListInput = z.output<typeof buildWorkListInputSchema>;

/**
 * One line of the work list: the relay request for one object — pinned to its version (or, in an
 * unversioned bucket, its ETag), narrowed to the chosen targets, and told whether to deploy.
 */
export const workItemSchema = z.object({
  bucket: nonEmpty,
  key: nonEmpty,
  versionId: z.optional(nonEmpty),
  etag: z.optional(nonEmpty),
  targets: z.optional(z.array(nonEmpty)),
  deploy: z.optional(z.boolean()),
});

/** One work-list line. */
export type WorkItem = z.output<typeof workItemSchema>;

/** Where a backfill writes: `<prefix>/<backfill id>/work-list.jsonl`, and the map run's results beside it. */
export function workListKey(request: { readonly results: ResultsLocation }, backfillId: string): string {
  return `${request.results.prefix.replace(/\/+$/, '')}/${backfillId}/work-list.jsonl`;
}

/** The key of the chunk `n` of a work list being built (deleted once it is part of the list). */
export function workListChunkKey(listKey: string, n: number): string {
  return `${listKey}.chunk-${String(n).padStart(6, '0')}`;
}

/** The smallest S3 multipart part except the last. */
export const MIN_WORK_LIST_PART_BYTES = 5 * 1024 * 1024;
