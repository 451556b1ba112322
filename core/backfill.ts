/**
 * The backfill's contract (issue #15, docs/backfill.md): the backfill execution's input, what
 * BuildWorkList answers each time it is called, and one line of the work list — the relay request the
 * Distributed Map hands each child workflow, which starts a relay execution with it. Shared by the
 * work-list builder (functions/build-work-list), the state machine (state-machine/backfill.ts), the CDK
 * construct, the local stack and the CLI (`relay replay --distributed`, `relay backfill status`).
 */
import * as z from 'zod/mini';
import { InvalidInput } from './errors.ts';
import { unquoteEtag } from './etag.ts';
import { decodeNotificationKey } from './events/decode-key.ts';
import './schema-locale.ts';

const nonEmpty = z.string().check(z.minLength(1));

/** The most child workflows a backfill runs at once (Distributed Map's own limit is 10,000). */
export const MAX_BACKFILL_CONCURRENCY = 10_000;
/** How many relay executions a backfill runs at once unless told otherwise. */
export const DEFAULT_BACKFILL_CONCURRENCY = 40;

/** An S3 URL of an object: `s3://bucket/key`, the key not empty. */
const INVENTORY_URL = /^s3:\/\/([^/]+)\/(.+)$/;

/** Where a backfill writes its work list and results. */
export const resultsLocationSchema = z.object({ bucket: nonEmpty, prefix: nonEmpty });

/** A results location. */
export type ResultsLocation = z.output<typeof resultsLocationSchema>;

/** The prefix under the backfill's own results bucket when the request names none. */
export const DEFAULT_RESULTS_PREFIX = 'backfills';

/**
 * The stack output naming the backfill's own results bucket (infra/backfill.ts); CDK suffixes its key with
 * the construct path and a hash (`RelayBackfillResultsBucket1A2B3C4D`).
 */
export const BACKFILL_RESULTS_OUTPUT = 'BackfillResultsBucket';

/** The stack output naming the backfill's state machine (infra/backfill.ts), keyed like the results bucket's. */
export const BACKFILL_STATE_MACHINE_OUTPUT = 'BackfillStateMachineArn';

/** The bucket `relay local` creates for the backfill's work lists and results. */
export function localResultsBucket(relayName: string, accountId: string): string {
  return `${relayName}-backfill-${accountId}`.toLowerCase().slice(0, 63);
}

/** The backfill execution's input: which objects, to which targets, and where results go. */
export const backfillRequestSchema = z.object({
  /**
   * The source bucket (a configured source) and the prefix to list (every key when absent). With
   * `inventory`, nothing is listed and the prefix filters the inventory's keys instead.
   */
  source: z.object({ bucket: nonEmpty, prefix: z.optional(z.string()) }),
  /**
   * Read the objects from this S3 Inventory report (`s3://bucket/…/manifest.json`, CSV format) instead of
   * listing the source: no LIST request per 1,000 keys, and no listing time, for buckets of millions of
   * objects. The report must be of the source bucket; it is as fresh as its date (S3 Inventory is a daily
   * or weekly snapshot), and every object is still HEADed at its targets and pinned as the report names it.
   */
  inventory: z.optional(
    z.string().check(
      z.regex(INVENTORY_URL, {
        message: 'the S3 URL of an S3 Inventory manifest: s3://bucket/…/manifest.json',
      }),
    ),
  ),
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

/**
 * How the source is read: listed by its objects (never versioned) or its versions (versioning Enabled or
 * Suspended), or read from the S3 Inventory report the request names.
 */
export const WORK_LIST_LISTINGS = ['objects', 'versions', 'inventory'] as const;

/**
 * Where a build reading an S3 Inventory stopped: the next line of the report's CSV files is line `line`
 * of file `file` (in the manifest's order), which starts `byte` bytes into the file once it is
 * decompressed. A call resumes by decompressing the file again and skipping `byte` bytes — checking that
 * they hold exactly `line` lines, so a file changed since is refused rather than read from a wrong line —
 * and a retried call, given the same cursor, reads the same lines again: nothing skipped, nothing twice.
 */
export const inventoryCursorSchema = z.object({
  /** The manifest's ETag when the build started: a later call reads it only if it is unchanged (If-Match). */
  manifestETag: z.optional(nonEmpty),
  file: z.number().check(z.int(), z.nonnegative()),
  line: z.number().check(z.int(), z.nonnegative()),
  byte: z.number().check(z.int(), z.nonnegative()),
});

/** Where an inventory read stopped. */
export type InventoryCursor = z.output<typeof inventoryCursorSchema>;

/**
 * Where BuildWorkList stopped (it runs to a time budget and is called again): the listing's position, the
 * multipart upload of the work list with its parts so far, and the chunks not yet big enough to be a part
 * (S3 parts are 5 MiB at least, except the last).
 */
export const workListCursorSchema = z.object({
  /** Decided by the first call (the request, or GetBucketVersioning) and kept, so one build never mixes two. */
  listing: z.enum(WORK_LIST_LISTINGS),
  continuationToken: z.optional(nonEmpty),
  keyMarker: z.optional(z.string()),
  versionIdMarker: z.optional(z.string()),
  /** Where the inventory read stopped (listing `inventory`). */
  inventory: z.optional(inventoryCursorSchema),
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

/** What a map run ARN (`arn:<partition>:states:<region>:<account>:mapRun:<machine>/<label>:<id>`) names. */
export function parseMapRunArn(arn: string): { readonly region: string; readonly id: string } | undefined {
  const match = /^arn:[^:]+:states:([^:]+):[^:]*:mapRun:[^:]+:([^:]+)$/.exec(arn);
  if (match === null) return undefined;
  return { region: match[1] ?? '', id: match[2] ?? '' };
}

/**
 * Where a map run's ResultWriter writes its manifest: `<Prefix>/<map run id>/manifest.json` — the key of
 * `ResultWriterDetails` in the Step Functions Developer Guide's example (`csvProcessJobs/<id>/manifest.json`
 * for the map run `…:mapRun:csvProcess/Map:<id>`), and what the local stack writes (no `/` doubled).
 */
export function resultsManifestKey(prefix: string, mapRunId: string): string {
  const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return `${base}${mapRunId}/manifest.json`;
}

/**
 * The results manifest of a map run that wrote into `results` (the work list's `results`), for when the
 * backfill's output does not name it — a backfill that FAILED has no output, though its map run wrote its
 * results; `undefined` when the ARN is not a map run's.
 */
export function resultsManifestOf(
  results: ResultsLocation,
  mapRunArn: string,
): { readonly Bucket: string; readonly Key: string } | undefined {
  const id = parseMapRunArn(mapRunArn)?.id;
  return id === undefined
    ? undefined
    : { Bucket: results.bucket, Key: resultsManifestKey(results.prefix, id) };
}

/** The key of the chunk `n` of a work list being built (deleted once it is part of the list). */
export function workListChunkKey(listKey: string, n: number): string {
  return `${listKey}.chunk-${String(n).padStart(6, '0')}`;
}

/** The smallest S3 multipart part except the last. */
export const MIN_WORK_LIST_PART_BYTES = 5 * 1024 * 1024;

// The S3 Inventory a backfill may read instead of listing its source (`inventory` in the request). The
// format is S3's (Amazon S3 User Guide, "Cataloging and analyzing your data with S3 Inventory"): a
// manifest.json names the source bucket, the destination bucket (as an ARN) holding the report's files,
// the files' format and schema, and the files; a CSV file is gzipped, has no header row, quotes every
// field, and URL-encodes the key (with `+` for a space, as classic S3 notifications do).

/** An object's place in S3. */
export interface S3ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/** The manifest an `inventory` URL names. @throws InvalidInput when it is not `s3://bucket/key` */
export function inventoryLocation(url: string): S3ObjectLocation {
  const match = INVENTORY_URL.exec(url);
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new InvalidInput(
      `The inventory ${JSON.stringify(url)} is not an S3 URL of a manifest: name the manifest.json of an S3 Inventory report, s3://bucket/…/YYYY-MM-DDTHH-MMZ/manifest.json`,
    );
  }
  return { bucket: match[1], key: match[2] };
}

/** The only inventory format a backfill reads. */
export const INVENTORY_FORMAT = 'CSV';

/** The columns a backfill needs in every inventory report: which object, how big, which bytes. */
export const REQUIRED_INVENTORY_COLUMNS = ['Bucket', 'Key', 'Size', 'ETag'] as const;

const inventoryManifestSchema = z.object({
  sourceBucket: nonEmpty,
  destinationBucket: nonEmpty,
  fileFormat: nonEmpty,
  fileSchema: z.string(),
  creationTimestamp: z.optional(z.union([z.string(), z.number()])),
  files: z.array(z.object({ key: nonEmpty, size: z.number().check(z.nonnegative()) })),
});

/** A manifest.json as a backfill uses it. */
export interface InventoryManifest {
  /** `s3://…/manifest.json`. */
  readonly url: string;
  /** The bucket the report lists. */
  readonly sourceBucket: string;
  /** The bucket holding the report's files (the manifest's `destinationBucket`, an ARN, by name). */
  readonly filesBucket: string;
  /** The CSV columns, in order (`fileSchema`). */
  readonly columns: readonly string[];
  /** Whether the report lists every version (then the latest one that is not a delete marker is taken). */
  readonly versions: boolean;
  /** The gzipped CSV files, in order, with their compressed sizes. */
  readonly files: readonly { readonly key: string; readonly size: number }[];
  /** When S3 began the report (ISO 8601), when the manifest says. */
  readonly createdAt?: string;
}

/** `arn:aws:s3:::bucket` (any partition) → `bucket`; a bare name as it is. */
function bucketOfArn(value: string): string {
  const match = /^arn:[^:]+:s3:::([^/]+)$/.exec(value);
  return match?.[1] ?? value;
}

function createdAtOf(timestamp: string | number | undefined): string | undefined {
  const millis = typeof timestamp === 'string' ? Number(timestamp) : timestamp;
  if (millis === undefined || !Number.isFinite(millis)) return undefined;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * Reads a manifest.json: its JSON, a CSV format (ORC and Parquet are refused: "configure the inventory as
 * CSV"), the columns a backfill needs, and — for a report of every version — the columns that tell the
 * latest version and delete markers apart.
 *
 * @throws InvalidInput naming the manifest and what is wrong with it, and how to fix it
 */
export function parseInventoryManifest(text: string, location: S3ObjectLocation): InventoryManifest {
  const url = `s3://${location.bucket}/${location.key}`;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidInput(
      `The inventory ${url} is not JSON, so it is not an S3 Inventory manifest: name the manifest.json of a report (s3://bucket/…/YYYY-MM-DDTHH-MMZ/manifest.json)`,
      { cause: err },
    );
  }
  const parsed = z.safeParse(inventoryManifestSchema, raw);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(manifest)'}: ${issue.message}`)
      .join('; ');
    throw new InvalidInput(
      `The inventory ${url} is not an S3 Inventory manifest (${problems}): name the manifest.json of a report`,
      { cause: parsed.error },
    );
  }
  const manifest = parsed.data;
  if (manifest.fileFormat.toUpperCase() !== INVENTORY_FORMAT) {
    throw new InvalidInput(
      `The inventory ${url} is in ${manifest.fileFormat} format, which the backfill does not read: configure the inventory as CSV (its output format) and use a report delivered after that, or leave out the inventory to list the bucket`,
    );
  }
  const columns = manifest.fileSchema
    .split(',')
    .map((column) => column.trim())
    .filter((column) => column !== '');
  const versions = columns.includes('VersionId');
  const needed = [
    ...REQUIRED_INVENTORY_COLUMNS,
    ...(versions ? (['IsLatest', 'IsDeleteMarker'] as const) : []),
  ];
  const missing = needed.filter((column) => !columns.includes(column));
  if (missing.length > 0) {
    throw new InvalidInput(
      `The inventory ${url} has no ${missing.join(', ')} field (its fields: ${columns.join(', ') || 'none'}): add ${missing.join(', ')} to the inventory's additional fields and use a report delivered after that, or leave out the inventory to list the bucket`,
    );
  }
  const createdAt = createdAtOf(manifest.creationTimestamp);
  return {
    url,
    sourceBucket: manifest.sourceBucket,
    filesBucket: bucketOfArn(manifest.destinationBucket),
    columns,
    versions,
    files: manifest.files.map((file) => ({ key: file.key, size: file.size })),
    ...(createdAt === undefined ? {} : { createdAt }),
  };
}

/**
 * Checks that a backfill can use this report: it lists the request's source bucket, and it has the
 * LastModifiedDate field when `since` filters by it.
 *
 * @throws InvalidInput naming the mismatch and how to fix it
 */
export function checkInventoryUse(
  manifest: InventoryManifest,
  request: { readonly source: { readonly bucket: string }; readonly since?: string | undefined },
): void {
  if (manifest.sourceBucket !== request.source.bucket) {
    throw new InvalidInput(
      `The inventory ${manifest.url} lists the bucket ${manifest.sourceBucket}, not the backfill's source ${request.source.bucket}: name a report of ${request.source.bucket} (its manifests are under …/${request.source.bucket}/<inventory name>/)`,
    );
  }
  if (request.since !== undefined && !manifest.columns.includes('LastModifiedDate')) {
    throw new InvalidInput(
      `The inventory ${manifest.url} has no LastModifiedDate field, so it cannot tell which objects changed since ${request.since}: add LastModifiedDate to the inventory's additional fields, or leave out since`,
    );
  }
}

/** One row of an inventory CSV file. */
export interface InventoryRow {
  readonly bucket: string;
  /** Decoded. */
  readonly key: string;
  /** Absent when the report lists current versions only, or the row names none. */
  readonly versionId?: string;
  /** `true` unless the report lists every version and this is not the latest. */
  readonly isLatest: boolean;
  readonly isDeleteMarker: boolean;
  /** Absent for a delete marker. */
  readonly size?: number;
  readonly lastModified?: Date;
  /** Unquoted; absent for a delete marker. */
  readonly etag?: string;
}

/** The fields of one CSV line (RFC 4180: quoted or not, `""` for a quote inside quotes). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (line[i] === '"') {
      i += 1;
      for (;;) {
        const quote = line.indexOf('"', i);
        if (quote === -1) throw new Error('a quoted field is not closed');
        field += line.slice(i, quote);
        i = quote + 1;
        if (line[i] !== '"') break;
        field += '"';
        i += 1;
      }
      if (i < line.length && line[i] !== ',') throw new Error(`a quoted field is followed by ${line[i]}`);
    } else {
      const comma = line.indexOf(',', i);
      field = line.slice(i, comma === -1 ? line.length : comma);
      i = comma === -1 ? line.length : comma;
    }
    fields.push(field);
    if (i >= line.length) return fields;
    i += 1; // the comma
  }
}

function booleanField(value: string, column: string): boolean {
  const lower = value.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new Error(`${column} is ${JSON.stringify(value)}, not true or false`);
}

/**
 * One CSV line of an inventory file, read by the manifest's columns: the key URL-decoded (`+` is a space,
 * `%2B` a plus), sizes and dates parsed, an empty VersionId taken as none.
 *
 * @throws Error saying what in the line is wrong (the caller names the file and line)
 */
export function parseInventoryRow(line: string, columns: readonly string[]): InventoryRow {
  const fields = splitCsvLine(line.endsWith('\r') ? line.slice(0, -1) : line);
  if (fields.length !== columns.length) {
    throw new Error(`it has ${fields.length} fields where the manifest's fileSchema names ${columns.length}`);
  }
  const value = (column: string): string | undefined => {
    const index = columns.indexOf(column);
    return index === -1 ? undefined : fields[index];
  };
  const encodedKey = value('Key') ?? '';
  let key: string;
  try {
    key = decodeNotificationKey(encodedKey);
  } catch {
    throw new Error(`its Key ${JSON.stringify(encodedKey)} is not URL-encoded as S3 Inventory encodes keys`);
  }
  if (key === '') throw new Error('its Key is empty');
  const isLatest = value('IsLatest');
  const isDeleteMarker = value('IsDeleteMarker');
  const versionId = value('VersionId');
  const sizeText = value('Size');
  const size = sizeText === undefined || sizeText === '' ? undefined : Number(sizeText);
  if (size !== undefined && !(Number.isSafeInteger(size) && size >= 0)) {
    throw new Error(`its Size ${JSON.stringify(sizeText)} is not a number of bytes`);
  }
  const modified = value('LastModifiedDate');
  const lastModified = modified === undefined || modified === '' ? undefined : new Date(modified);
  if (lastModified !== undefined && Number.isNaN(lastModified.getTime())) {
    throw new Error(`its LastModifiedDate ${JSON.stringify(modified)} is not a date`);
  }
  const etag = value('ETag');
  const deleteMarker =
    isDeleteMarker === undefined || isDeleteMarker === ''
      ? false
      : booleanField(isDeleteMarker, 'IsDeleteMarker');
  if (!deleteMarker && (size === undefined || etag === undefined || etag === '')) {
    throw new Error('it names an object without its Size or ETag');
  }
  return {
    bucket: value('Bucket') ?? '',
    key,
    ...(versionId === undefined || versionId === '' ? {} : { versionId }),
    isLatest: isLatest === undefined || isLatest === '' ? true : booleanField(isLatest, 'IsLatest'),
    isDeleteMarker: deleteMarker,
    ...(size === undefined ? {} : { size }),
    ...(lastModified === undefined ? {} : { lastModified }),
    ...(etag === undefined || etag === '' ? {} : { etag: unquoteEtag(etag) }),
  };
}

/**
 * Whether a row is an object a backfill relays: the latest version, not a delete marker (a report of
 * current versions lists nothing else). Such a row has its size and ETag ({@link parseInventoryRow}).
 */
export function isCurrentObject(
  row: InventoryRow,
): row is InventoryRow & { readonly size: number; readonly etag: string } {
  return row.isLatest && !row.isDeleteMarker && row.size !== undefined && row.etag !== undefined;
}
