/**
 * A backfill's map runs as the console shows them (issue #15), read through the SDK like the CLI reads them
 * (Step Functions API reference: DescribeMapRun, ListExecutions with `mapRunArn`, DescribeExecution,
 * GetExecutionHistory; the Developer Guide's "ResultWriter (Map)" for the result files):
 *
 * - **A map run**: DescribeMapRun — status, MaxConcurrency, the tolerated failure share, item and
 *   execution counts — and where its ResultWriter writes: `<Prefix>/<map run id>/manifest.json` (the id is
 *   the map run ARN's last part), with `SUCCEEDED_n.json`, `FAILED_n.json` and `PENDING_n.json` beside it.
 * - **Its children**: ListExecutions by `mapRunArn`, one page per request, each child described for the
 *   object it relays (its input's `request`, a work-list line) and the relay execution it started: a
 *   succeeded child's output carries `executionArn` (state-machine/backfill.ts `RELAY_RESULT`), a failed
 *   one's cause is the relay execution's DescribeExecution answer (`startExecution.sync:2`), a running one
 *   names it in its TaskSubmitted event where Step Functions logs one.
 * - **Failed items**: once the map run ended, from the FAILED files its manifest lists (what the ResultWriter
 *   wrote: every failed, timed-out and aborted child of the last attempt) when they are small enough to read
 *   in one request; otherwise — still running, nothing written, or files too large — the map run's FAILED
 *   children, a page at a time.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeMapRunCommand,
  type DescribeMapRunCommandOutput,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  ListMapRunsCommand,
  type MapRunListItem,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { mapConcurrently } from '../../cli/concurrency.ts';
import { causeMessage, describeFailure } from '../../cli/executions/cause.ts';
import { EXECUTION_STATUSES, type ExecutionStatusFilter } from '../../cli/options.ts';
import {
  parseMapRunArn,
  type ResultsLocation,
  resultsManifestKey,
  workItemSchema,
} from '../../core/backfill.ts';
import { parseJson } from '../../core/executions/history-events.ts';
import type {
  BackfillObjectView,
  FailedItemsView,
  MapRunChildrenPage,
  MapRunChildView,
  MapRunCountsView,
  MapRunResultsView,
  MapRunView,
} from '../api-types.ts';
import type { ConsoleBackend } from './api.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { BadRequestError, NotFoundError } from './errors.ts';
import { pageSize } from './list.ts';

/** DescribeExecution calls in flight at once for one page of children. */
const DESCRIBE_CONCURRENCY = 8;

/**
 * The most bytes of FAILED result files the page reads in one request. Past it (a backfill with many
 * failures: AWS writes files of up to 5 GB) the failed items are read from the failed children, a page at
 * a time, and the page names the files to download instead.
 */
export const MAX_FAILED_FILE_BYTES = 4 * 1024 * 1024;

/** The most failed items the page lists from the FAILED files (the files hold them all). */
export const MAX_FAILED_LISTED = 100;

/** The prefix a manifest key was written under (`…/<id>/manifest.json` taken off). */
function prefixOfManifest(key: string, mapRunId: string): string {
  const tail = `${mapRunId}/manifest.json`;
  return key.endsWith(tail) ? key.slice(0, -tail.length).replace(/\/$/, '') : key;
}

function countsOf(
  counts: DescribeMapRunCommandOutput['itemCounts'] | DescribeMapRunCommandOutput['executionCounts'],
): MapRunCountsView {
  return {
    total: counts?.total ?? 0,
    pending: counts?.pending ?? 0,
    running: counts?.running ?? 0,
    succeeded: counts?.succeeded ?? 0,
    failed: counts?.failed ?? 0,
    timedOut: counts?.timedOut ?? 0,
    aborted: counts?.aborted ?? 0,
    resultsWritten: counts?.resultsWritten ?? 0,
  };
}

/** Every map run of an execution, the latest first (ListMapRuns, every page). */
export async function listMapRuns(sfn: SFNClient, executionArn: string): Promise<MapRunListItem[]> {
  const runs: MapRunListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListMapRunsCommand({ executionArn, maxResults: 100, nextToken }));
    runs.push(...(page.mapRuns ?? []));
    nextToken = page.nextToken === '' ? undefined : page.nextToken;
  } while (nextToken !== undefined);
  return runs;
}

/** A result file as the manifest lists it. */
interface ManifestFile {
  readonly Key: string;
  readonly Size?: number;
}

/** The ResultWriter's manifest (the parts the console reads). */
export interface ResultsManifest {
  readonly ResultFiles?: {
    readonly SUCCEEDED?: readonly ManifestFile[];
    readonly FAILED?: readonly ManifestFile[];
    readonly PENDING?: readonly ManifestFile[];
  };
}

async function readJsonObject(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse((await object.Body?.transformToString()) ?? 'null') as unknown;
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound');
}

/** The manifest, `null` when it is not (yet) written, or why it could not be read. */
async function readManifest(
  s3: S3Client,
  bucket: string,
  key: string,
): Promise<ResultsManifest | null | { readonly error: string }> {
  try {
    const value = await readJsonObject(s3, bucket, key);
    return typeof value === 'object' && value !== null ? (value as ResultsManifest) : { error: 'not JSON' };
  } catch (err) {
    if (isMissing(err)) return null;
    return { error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

/** A map run as DescribeMapRun reports it, with where its results go and whether they are written. */
export interface MapRunReading {
  readonly view: MapRunView;
  /** The manifest, read once the map run ended and its results location is known. */
  readonly manifest?: ResultsManifest;
}

/**
 * One map run: DescribeMapRun, and — once it ended — its manifest read back.
 * @param where the ResultWriter's `{bucket, prefix}` (the work list's `results`), when known
 * @param written the `ResultWriterDetails` the backfill's output names, for the map run that wrote them
 */
export async function readMapRun(
  sfn: SFNClient,
  s3: S3Client,
  mapRunArn: string,
  where: ResultsLocation | undefined,
  written: { readonly Bucket: string; readonly Key: string } | undefined,
): Promise<MapRunReading> {
  const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
  const id = parseMapRunArn(mapRunArn)?.id ?? '';
  const status = run.status ?? 'UNKNOWN';
  let location: { bucket: string; prefix: string; manifestKey: string } | undefined;
  if (written?.Key.endsWith(`/${id}/manifest.json`)) {
    location = {
      bucket: written.Bucket,
      prefix: prefixOfManifest(written.Key, id),
      manifestKey: written.Key,
    };
  } else if (where !== undefined) {
    location = {
      bucket: where.bucket,
      prefix: where.prefix,
      manifestKey: resultsManifestKey(where.prefix, id),
    };
  }
  let manifest: ResultsManifest | undefined;
  let results: MapRunResultsView | null = null;
  if (location !== undefined) {
    const ended = status !== 'RUNNING';
    const read = ended ? await readManifest(s3, location.bucket, location.manifestKey) : null;
    const failed = read !== null && 'error' in read ? read.error : null;
    if (read !== null && !('error' in read)) manifest = read;
    results = {
      ...location,
      manifestUrl: `s3://${location.bucket}/${location.manifestKey}`,
      written: !ended || failed !== null ? null : read !== null,
      error: failed,
    };
  }
  const view: MapRunView = {
    mapRunArn,
    status,
    startDate: run.startDate?.toISOString() ?? null,
    stopDate: run.stopDate?.toISOString() ?? null,
    maxConcurrency: run.maxConcurrency ?? 0,
    toleratedFailurePercentage: run.toleratedFailurePercentage ?? 0,
    toleratedFailureCount: run.toleratedFailureCount ?? 0,
    items: countsOf(run.itemCounts),
    executions: countsOf(run.executionCounts),
    redriveCount: run.redriveCount ?? 0,
    redriveDate: run.redriveDate?.toISOString() ?? null,
    results,
  };
  return manifest === undefined ? { view } : { view, manifest };
}

/** The work-list object a child's input (`{ request: <work item> }`) names. */
function objectOf(input: unknown): BackfillObjectView | null {
  const request =
    typeof input === 'object' && input !== null ? (input as { request?: unknown }).request : input;
  const parsed = workItemSchema.safeParse(request);
  if (!parsed.success) return null;
  return { bucket: parsed.data.bucket, key: parsed.data.key, versionId: parsed.data.versionId ?? null };
}

/** The relay execution a child's output or cause names (`executionArn` / `ExecutionArn`), and its status. */
function relayOf(value: unknown): {
  arn?: string;
  status?: string;
  error?: string;
  cause?: string;
} {
  if (typeof value !== 'object' || value === null) return {};
  const v = value as Record<string, unknown>;
  const text = (a: unknown, b: unknown): string | undefined =>
    typeof a === 'string' ? a : typeof b === 'string' ? b : undefined;
  const arn = text(v.executionArn, v.ExecutionArn);
  const status = text(v.status, v.Status);
  const error = text(v.error, v.Error);
  const cause = text(v.cause, v.Cause);
  return {
    ...(arn === undefined ? {} : { arn }),
    ...(status === undefined ? {} : { status }),
    ...(error === undefined ? {} : { error }),
    ...(cause === undefined ? {} : { cause }),
  };
}

/** What a child (described, or as a FAILED result file lists it) says, as the page shows it. */
interface ChildFacts {
  readonly executionArn: string | null;
  readonly name: string;
  readonly status: string;
  readonly startDate: string | null;
  readonly stopDate: string | null;
  readonly input: string | undefined;
  readonly output: string | undefined;
  readonly error: string | undefined;
  readonly cause: string | undefined;
}

function childViewOf(facts: ChildFacts, submitted?: string): MapRunChildView {
  const fromOutput = relayOf(parseJson(facts.output));
  const fromCause = relayOf(parseJson(facts.cause));
  const relay = fromOutput.arn !== undefined ? fromOutput : fromCause;
  // A failed child's cause is the relay execution's DescribeExecution: its own error says what went wrong.
  const message =
    fromCause.arn !== undefined
      ? fromCause.error === undefined && fromCause.cause === undefined
        ? `the relay execution ended ${fromCause.status ?? 'unsuccessfully'}`
        : describeFailure(fromCause.error, fromCause.cause)
      : causeMessage(facts.cause);
  return {
    executionArn: facts.executionArn,
    name: facts.name,
    status: facts.status,
    startDate: facts.startDate,
    stopDate: facts.stopDate,
    object: objectOf(parseJson(facts.input)),
    relayExecutionArn: relay.arn ?? submitted ?? null,
    relayStatus: relay.status ?? (submitted === undefined ? null : 'RUNNING'),
    error: facts.error ?? null,
    message: message ?? null,
  };
}

/**
 * The relay execution a running child started, from its TaskSubmitted event (the integration's
 * StartExecution answer), where Step Functions logs one; undefined otherwise.
 */
async function submittedRelay(sfn: SFNClient, executionArn: string): Promise<string | undefined> {
  const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 50 }));
  for (const event of page.events ?? []) {
    const arn = relayOf(parseJson(event.taskSubmittedEventDetails?.output)).arn;
    if (arn !== undefined) return arn;
  }
  return undefined;
}

function factsOfDescribed(arn: string, d: DescribeExecutionCommandOutput): ChildFacts {
  return {
    executionArn: d.executionArn ?? arn,
    name: d.name ?? arn.split(':').at(-1) ?? arn,
    status: d.status ?? 'UNKNOWN',
    startDate: d.startDate?.toISOString() ?? null,
    stopDate: d.stopDate?.toISOString() ?? null,
    input: d.input,
    output: d.output,
    error: d.error,
    cause: d.cause,
  };
}

/** One child execution: DescribeExecution (and, while it runs, the first page of its history). */
export async function childOf(sfn: SFNClient, executionArn: string): Promise<MapRunChildView> {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const facts = factsOfDescribed(executionArn, described);
  const submitted = facts.status === 'RUNNING' ? await submittedRelay(sfn, executionArn) : undefined;
  return childViewOf(facts, submitted);
}

function statusFilter(value: string | null): ExecutionStatusFilter | undefined {
  if (value === null || value === '') return undefined;
  const found = EXECUTION_STATUSES.find((status) => status === value);
  if (found === undefined) {
    throw new BadRequestError(`status must be one of ${EXECUTION_STATUSES.join(', ')}, not ${value}`);
  }
  return found;
}

/** A map run ARN from a path, or 400 naming the shape expected. */
function mapRunRegion(mapRunArn: string): string {
  const parsed = parseMapRunArn(mapRunArn);
  if (parsed === undefined) {
    throw new BadRequestError(
      `${mapRunArn} is not a map run ARN (arn:aws:states:<region>:<account>:mapRun:<state machine>/<label>:<id>)`,
    );
  }
  return parsed.region;
}

/** One page of a map run's children (ListExecutions with `mapRunArn`), each described. */
async function childrenPage(
  sfn: SFNClient,
  mapRunArn: string,
  options: { status: ExecutionStatusFilter | undefined; next: string | null; limit: number },
): Promise<MapRunChildrenPage> {
  const cursor = decodeCursor(options.next, options.limit);
  let page: ListExecutionsCommandOutput;
  try {
    page = await sfn.send(
      new ListExecutionsCommand({
        mapRunArn,
        maxResults: cursor.size,
        ...(cursor.token === undefined ? {} : { nextToken: cursor.token }),
        ...(options.status === undefined ? {} : { statusFilter: options.status }),
      }),
    );
  } catch (err) {
    if (err instanceof Error && err.name === 'ResourceNotFound')
      throw new NotFoundError(`no map run ${mapRunArn}`);
    throw err;
  }
  const arns = (page.executions ?? [])
    .slice(cursor.skip)
    .map((e) => e.executionArn)
    .filter((arn): arn is string => arn !== undefined);
  const children = await mapConcurrently(arns, DESCRIBE_CONCURRENCY, (arn) => childOf(sfn, arn));
  const token = page.nextToken === undefined || page.nextToken === '' ? undefined : page.nextToken;
  return {
    mapRunArn,
    children,
    nextToken: token === undefined ? null : encodeCursor({ token, skip: 0, size: cursor.size }),
  };
}

/**
 * GET /api/map-runs/:mapRunArn/executions?status=&limit=&next= — one page of the map run's child
 * executions: 1 ListExecutions and 1 DescribeExecution per child (a running child's first history page too).
 */
export async function mapRunChildren(
  backend: ConsoleBackend,
  mapRunArn: string,
  query: URLSearchParams,
): Promise<MapRunChildrenPage> {
  const sfn = backend.sfnFor(mapRunRegion(mapRunArn));
  return childrenPage(sfn, mapRunArn, {
    status: statusFilter(query.get('status')),
    next: query.get('next'),
    limit: pageSize(query.get('limit')),
  });
}

/** An entry of a FAILED result file (the shape Step Functions writes with Transformation NONE). */
interface ResultEntry {
  readonly ExecutionArn?: string;
  readonly Name?: string;
  readonly Status?: string;
  readonly StartDate?: string;
  readonly StopDate?: string;
  readonly Input?: string;
  readonly Error?: string;
  readonly Cause?: string;
}

function dateText(value: unknown): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function factsOfEntry(entry: ResultEntry): ChildFacts {
  const arn = typeof entry.ExecutionArn === 'string' ? entry.ExecutionArn : null;
  return {
    executionArn: arn,
    name: entry.Name ?? arn?.split(':').at(-1) ?? 'unknown',
    status: entry.Status ?? 'FAILED',
    startDate: dateText(entry.StartDate),
    stopDate: dateText(entry.StopDate),
    input: typeof entry.Input === 'string' ? entry.Input : JSON.stringify(entry.Input ?? null),
    output: undefined,
    error: entry.Error,
    cause: entry.Cause,
  };
}

/**
 * The failed items of a backfill's latest map run: from the FAILED files the manifest lists when the map
 * run ended and they are at most {@link MAX_FAILED_FILE_BYTES}, else its FAILED children's first page.
 */
export async function failedItemsOf(
  sfn: SFNClient,
  s3: S3Client,
  latest: MapRunReading | undefined,
): Promise<FailedItemsView> {
  if (latest === undefined) {
    return { from: 'none', mapRunArn: null, items: [], total: null, files: [], nextToken: null };
  }
  const { view, manifest } = latest;
  const files = manifest?.ResultFiles?.FAILED ?? [];
  const bytes = files.reduce((sum, file) => sum + (file.Size ?? MAX_FAILED_FILE_BYTES + 1), 0);
  const bucket = view.results?.bucket;
  const urls = bucket === undefined ? [] : files.map((file) => `s3://${bucket}/${file.Key}`);
  if (manifest !== undefined && bucket !== undefined && bytes <= MAX_FAILED_FILE_BYTES) {
    const items: MapRunChildView[] = [];
    let total = 0;
    for (const file of files) {
      const entries = await readJsonObject(s3, bucket, file.Key);
      if (!Array.isArray(entries)) continue;
      total += entries.length;
      for (const entry of entries) {
        if (items.length >= MAX_FAILED_LISTED) break;
        if (typeof entry === 'object' && entry !== null)
          items.push(childViewOf(factsOfEntry(entry as ResultEntry)));
      }
    }
    return { from: 'results', mapRunArn: view.mapRunArn, items, total, files: urls, nextToken: null };
  }
  const page = await childrenPage(sfn, view.mapRunArn, {
    status: 'FAILED',
    next: null,
    limit: 25,
  });
  return {
    from: 'children',
    mapRunArn: view.mapRunArn,
    items: page.children,
    total: null,
    files: urls,
    nextToken: page.nextToken,
  };
}
