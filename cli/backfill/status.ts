/**
 * Where a backfill stands (issue #15): its execution, the work list BuildWorkList reported (how many objects
 * were listed, filtered out, already in sync, queued), and its map run's item counts — done, failed,
 * running, pending — with the rate and an ETA. Read-only; `relay backfill status` renders it and, with
 * `--watch`, reads it again until the backfill ends.
 */
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { resultsManifestOf, type WorkList, workListSchema } from '../../core/backfill.ts';
import { parseJson } from '../../core/executions/history-events.ts';
import { BACKFILL_STATES } from '../../state-machine/backfill.ts';
import { fetchHistory } from '../executions/history.ts';
import type { ResultWriterDetails } from './results.ts';

/** A map run's item counts (DescribeMapRun `itemCounts`). */
export interface ItemCounts {
  readonly total: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly running: number;
  readonly pending: number;
  readonly aborted: number;
  readonly timedOut: number;
}

export interface BackfillStatus {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly error?: string;
  readonly cause?: string;
  /**
   * The S3 Inventory manifest the backfill's request named (`relay replay --inventory`): the work list's
   * counts are then of the report's rows, not of a listing.
   */
  readonly inventory?: string;
  /** The last work list BuildWorkList answered (while it is still building: the counts so far). */
  readonly workList?: WorkList;
  readonly mapRunArn?: string;
  readonly items?: ItemCounts;
  /** Objects finished (succeeded + failed + aborted + timed out) per second since the map run started. */
  readonly ratePerSecond?: number;
  /** Seconds until every item is done at that rate. */
  readonly etaSeconds?: number;
  /**
   * Where the results manifest is, once the map run ended: as the backfill's output names it, or — a FAILED
   * backfill has no output, though its map run wrote its results — where its map run wrote it
   * (core/backfill.ts `resultsManifestOf`, as the console finds it).
   */
  readonly results?: ResultWriterDetails;
}

/** The inventory the backfill's request (the execution's input) named, if any. */
function inventoryOf(input: string | undefined): string | undefined {
  const request = parseJson(input);
  const inventory =
    typeof request === 'object' && request !== null
      ? (request as { inventory?: unknown }).inventory
      : undefined;
  return typeof inventory === 'string' ? inventory : undefined;
}

/** BuildWorkList's last answer in the history. */
function lastWorkList(events: Awaited<ReturnType<typeof fetchHistory>>): WorkList | undefined {
  let inBuild = false;
  let found: WorkList | undefined;
  for (const event of events) {
    if (event.type === 'TaskStateEntered')
      inBuild = event.stateEnteredEventDetails?.name === BACKFILL_STATES.buildWorkList;
    const output = inBuild
      ? (event.lambdaFunctionSucceededEventDetails?.output ?? event.taskSucceededEventDetails?.output)
      : undefined;
    if (output === undefined) continue;
    try {
      const raw = JSON.parse(output) as { Payload?: unknown };
      const parsed = workListSchema.safeParse(raw.Payload ?? raw);
      if (parsed.success) found = parsed.data;
    } catch {
      // a truncated or unreadable output: keep the last one read
    }
  }
  return found;
}

function resultsOf(output: string | undefined): ResultWriterDetails | undefined {
  if (output === undefined) return undefined;
  try {
    const details = (JSON.parse(output) as { relayed?: { ResultWriterDetails?: ResultWriterDetails } })
      .relayed?.ResultWriterDetails;
    return details?.Bucket !== undefined && details.Key !== undefined ? details : undefined;
  } catch {
    return undefined;
  }
}

/** Reads the backfill execution, its history and its map run. */
export async function readBackfillStatus(
  sfn: SFNClient,
  executionArn: string,
  now = new Date(),
): Promise<BackfillStatus> {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const history = await fetchHistory(sfn, executionArn);
  const workList = lastWorkList(history);
  const runs = await sfn.send(new ListMapRunsCommand({ executionArn }));
  const mapRunArn = runs.mapRuns?.[0]?.mapRunArn;
  let items: ItemCounts | undefined;
  let ratePerSecond: number | undefined;
  let etaSeconds: number | undefined;
  if (mapRunArn !== undefined) {
    const run = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    const c = run.itemCounts;
    items = {
      total: c?.total ?? 0,
      succeeded: c?.succeeded ?? 0,
      failed: c?.failed ?? 0,
      running: c?.running ?? 0,
      pending: c?.pending ?? 0,
      aborted: c?.aborted ?? 0,
      timedOut: c?.timedOut ?? 0,
    };
    const finished = items.succeeded + items.failed + items.aborted + items.timedOut;
    const since = run.startDate ?? described.startDate;
    const until = run.stopDate ?? now;
    const seconds = since === undefined ? 0 : (until.getTime() - since.getTime()) / 1000;
    if (seconds > 0 && finished > 0) {
      ratePerSecond = finished / seconds;
      etaSeconds = run.stopDate === undefined ? (items.total - finished) / ratePerSecond : 0;
    }
  }
  const reported = resultsOf(described.output);
  const results =
    reported ??
    (described.status === 'FAILED' && workList !== undefined && mapRunArn !== undefined
      ? resultsManifestOf(workList.results, mapRunArn)
      : undefined);
  const inventory = inventoryOf(described.input);
  return {
    executionArn,
    name: described.name ?? executionArn.split(':').at(-1) ?? executionArn,
    status: described.status ?? 'UNKNOWN',
    startDate: described.startDate ?? now,
    ...(described.stopDate === undefined ? {} : { stopDate: described.stopDate }),
    ...(described.error === undefined ? {} : { error: described.error }),
    ...(described.cause === undefined ? {} : { cause: described.cause }),
    ...(inventory === undefined ? {} : { inventory }),
    ...(workList === undefined ? {} : { workList }),
    ...(mapRunArn === undefined ? {} : { mapRunArn }),
    ...(items === undefined ? {} : { items }),
    ...(ratePerSecond === undefined ? {} : { ratePerSecond }),
    ...(etaSeconds === undefined ? {} : { etaSeconds }),
    ...(results === undefined ? {} : { results }),
  };
}
