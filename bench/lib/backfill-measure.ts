/**
 * The pure part of the backfill case (bench/cases/backfill.ts): how many objects it runs, the work-list
 * phase read from the backfill execution's history, and the stack's resident memory at each tenth of the
 * items done — kept apart so they are tested without a stack.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

/** The size of the backfill (#15 point 4). */
export const FULL_BACKFILL_OBJECTS = 100_000;
/** A quick run's size. */
export const QUICK_BACKFILL_OBJECTS = 1_000;
/** The environment variable that sets the size (the `--backfill-objects` flag wins over it). */
export const BACKFILL_OBJECTS_ENV = 'BENCH_BACKFILL_OBJECTS';

/**
 * The number of objects the case seeds and relays: `--backfill-objects`, else `BENCH_BACKFILL_OBJECTS`,
 * else {@link QUICK_BACKFILL_OBJECTS} in a quick run and {@link FULL_BACKFILL_OBJECTS} otherwise.
 * @throws Error naming the setting when it is not a whole number of at least 10 (a tenth must be an object)
 */
export function backfillObjectCount(options: {
  readonly quick: boolean;
  readonly flag?: string | undefined;
  readonly env?: string | undefined;
}): number {
  const [text, from] =
    options.flag !== undefined
      ? [options.flag, '--backfill-objects']
      : options.env !== undefined && options.env.trim() !== ''
        ? [options.env, BACKFILL_OBJECTS_ENV]
        : [undefined, ''];
  if (text === undefined) return options.quick ? QUICK_BACKFILL_OBJECTS : FULL_BACKFILL_OBJECTS;
  const n = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(n) || n < 10) {
    throw new Error(`${from}: '${text}' is not a whole number of objects of at least 10 (e.g. 2000)`);
  }
  return n;
}

/** The BuildWorkList phase of a backfill: first entered to last exited, and how many calls it took. */
export interface WorkListPhase {
  /** When it was first entered and last exited, ms since the epoch. */
  readonly from: number;
  readonly to: number;
  readonly ms: number;
  readonly calls: number;
}

function eventName(event: HistoryEvent): string | undefined {
  return event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
}

/**
 * The work-list phase read from the backfill execution's history: from the first time `state` (BuildWorkList)
 * was entered to the last time it was exited; each entry is one call (it is called again until done).
 * @throws Error when the history never exits the state (the backfill failed before its map run)
 */
export function workListPhase(events: readonly HistoryEvent[], state: string): WorkListPhase {
  let first: number | undefined;
  let last: number | undefined;
  let calls = 0;
  for (const event of events) {
    if (eventName(event) !== state || event.timestamp === undefined) continue;
    const at = new Date(event.timestamp).getTime();
    if (event.type?.endsWith('StateEntered')) {
      calls += 1;
      first ??= at;
    } else if (event.type?.endsWith('StateExited')) {
      last = at;
    }
  }
  if (first === undefined || last === undefined) {
    throw new Error(`the backfill's history never left ${state}: it ended before its map run`);
  }
  return { from: first, to: last, ms: last - first, calls };
}

/** One reading of the stack process while a side runs. */
export interface RssSample {
  /** When it was taken, ms since the epoch. */
  readonly at: number;
  /** Resident set size, bytes. */
  readonly rss: number;
  /** CPU time the process had used by then, ms. */
  readonly cpuMs: number;
}

/**
 * The CPU time the process used from `from` to `to` (ms since the epoch), read from the samples: the first
 * sample at or after each instant (the last sample when none is; samples in any order).
 * @throws Error when there are no samples, or none at or after `from`
 */
export function cpuBetween(samples: readonly RssSample[], from: number, to: number): number {
  const sorted = [...samples].sort((a, b) => a.at - b.at);
  const at = (instant: number) => sorted.find((s) => s.at >= instant) ?? sorted.at(-1);
  const start = sorted.find((s) => s.at >= from);
  const end = at(to);
  if (start === undefined || end === undefined) {
    throw new Error(`no sample of the process at or after ${new Date(from).toISOString()}`);
  }
  return end.cpuMs - start.cpuMs;
}

/** A reading with how many objects were done when it was taken. */
export interface ProgressSample {
  /** Items done (succeeded or failed) when it was taken. */
  readonly done: number;
  /** Resident set size, bytes. */
  readonly rss: number;
}

/** The stack's RSS when a tenth of the items was done, two tenths, … all of them. */
export interface RssAtTenth {
  /** 10, 20, … 100. */
  readonly percent: number;
  readonly done: number;
  readonly rss: number;
}

/**
 * For each tenth of `total`, the first sample at or past it (samples in the order taken; a tenth no sample
 * reached is left out). The flat-memory figure is the last entry's RSS less the first's.
 */
export function rssByTenth(samples: readonly ProgressSample[], total: number): RssAtTenth[] {
  const out: RssAtTenth[] = [];
  let tenth = 1;
  for (const sample of samples) {
    while (tenth <= 10 && sample.done >= Math.ceil((total * tenth) / 10)) {
      out.push({ percent: tenth * 10, done: sample.done, rss: sample.rss });
      tenth += 1;
    }
  }
  return out;
}

/**
 * The growth from 10% to 100% of the items done, bytes.
 * @throws Error when the samples did not reach both (the run ended early or was not sampled)
 */
export function growthFromTenthToEnd(tenths: readonly RssAtTenth[]): number {
  const first = tenths.find((t) => t.percent === 10);
  const end = tenths.find((t) => t.percent === 100);
  if (first === undefined || end === undefined) {
    throw new Error('the samples reach neither 10% nor 100% of the items: no memory growth to report');
  }
  return end.rss - first.rss;
}

/**
 * The samples with the objects done at each: the executions that had stopped by then (their stop dates read
 * once at the end, so the stack is not polled for progress while it is measured).
 */
export function progressOf(
  samples: readonly RssSample[],
  executions: ReadonlyArray<{ readonly stopDate?: Date | undefined }>,
): ProgressSample[] {
  const stops = executions
    .filter((e) => e.stopDate !== undefined)
    .map((e) => new Date(e.stopDate as Date).getTime())
    .sort((a, b) => a - b);
  let done = 0;
  return [...samples]
    .sort((a, b) => a.at - b.at)
    .map((sample) => {
      while (done < stops.length && (stops[done] as number) <= sample.at) done += 1;
      return { done, rss: sample.rss };
    });
}

/**
 * The most executions running at once (from their start and stop dates; one not stopped runs to the end). An
 * execution that stops at the instant another starts is not counted with it.
 */
export function maxInFlight(
  executions: ReadonlyArray<{ readonly startDate?: Date | undefined; readonly stopDate?: Date | undefined }>,
): number {
  const edges: Array<[number, number]> = [];
  for (const e of executions) {
    if (e.startDate === undefined) continue;
    edges.push([new Date(e.startDate).getTime(), 1]);
    if (e.stopDate !== undefined) edges.push([new Date(e.stopDate).getTime(), -1]);
  }
  // At one instant, stops before starts.
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let running = 0;
  let most = 0;
  for (const [, delta] of edges) {
    running += delta;
    most = Math.max(most, running);
  }
  return most;
}

/** The stack's JS heap after a full GC, taken once a tenth of the objects was done. */
export interface HeapAtTenth {
  /** 10, 20, … 90. */
  readonly percent: number;
  readonly done: number;
  readonly heapUsed: number;
  /** The heap V8 has committed (used or not). */
  readonly heapTotal?: number;
  /** Memory outside the JS heap that JS objects own (typed arrays, Buffers, native objects). */
  readonly external?: number;
  readonly arrayBuffers?: number;
  readonly rss: number;
  /** The resident set's anonymous part (memory the stack allocated). */
  readonly rssAnon?: number;
  /** The resident set's file-backed part (mapped files: the local S3's LevelDB index). */
  readonly rssFile?: number;
}

/**
 * The JS heap the stack keeps per object done, bytes: the slope from its first to its last reading. Both are
 * taken while the same number of executions is in flight (the map run's concurrency), so what those hold
 * cancels out, and neither includes the warm-up before the first.
 * @throws Error when fewer than two readings were taken (the run was too short to see)
 */
export function heapSlope(readings: readonly HeapAtTenth[]): number {
  const first = readings[0];
  const last = readings.at(-1);
  if (first === undefined || last === undefined || last.done <= first.done) {
    throw new Error('fewer than two heap readings a tenth apart: no heap per object to report');
  }
  return Math.round((last.heapUsed - first.heapUsed) / (last.done - first.done));
}

/**
 * The RSS after full GCs per object done, bytes: the least-squares slope through every reading (one reading
 * apart is the allocator's state of the moment — measured ±40 MiB — where a trend through nine is what grows
 * with the objects).
 * @throws Error when fewer than two readings were taken at different counts
 */
export function rssTrend(readings: readonly HeapAtTenth[]): number {
  const n = readings.length;
  const meanX = readings.reduce((sum, r) => sum + r.done, 0) / n;
  const meanY = readings.reduce((sum, r) => sum + r.rss, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const r of readings) {
    sxx += (r.done - meanX) ** 2;
    sxy += (r.done - meanX) * (r.rss - meanY);
  }
  if (n < 2 || sxx === 0) throw new Error('fewer than two RSS readings a tenth apart: no trend to report');
  return sxy / sxx;
}

/** How many executions were running at `instant` (started at or before it, not stopped by then). */
export function inFlightAt(
  executions: ReadonlyArray<{ readonly startDate?: Date | undefined; readonly stopDate?: Date | undefined }>,
  instant: number,
): number {
  return executions.filter(
    (e) =>
      e.startDate !== undefined &&
      new Date(e.startDate).getTime() <= instant &&
      (e.stopDate === undefined || new Date(e.stopDate).getTime() > instant),
  ).length;
}

/** Objects per second, from a count and milliseconds. */
export function perSecond(count: number, ms: number): number {
  return ms > 0 ? count / (ms / 1000) : Number.NaN;
}

/** The latest stop date among executions (ms since the epoch), or NaN when none has stopped. */
export function latestStop(executions: ReadonlyArray<{ readonly stopDate?: Date | undefined }>): number {
  let latest = Number.NaN;
  for (const e of executions) {
    if (e.stopDate === undefined) continue;
    const at = new Date(e.stopDate).getTime();
    if (Number.isNaN(latest) || at > latest) latest = at;
  }
  return latest;
}
