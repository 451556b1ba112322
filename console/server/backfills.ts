/**
 * The console's backfills (issue #15): the executions of the backfill state machine beside the relay, read
 * as `relay backfill status` reads one (cli/backfill/status.ts: DescribeExecution, the history for
 * BuildWorkList's last answer, ListMapRuns and DescribeMapRun), and one backfill's page — its work list,
 * its map runs (map-runs.ts), their children and failed items. Redrive is the console's own
 * (POST /api/executions/:arn/redrive): RedriveExecution of a FAILED backfill redrives its map run, which
 * re-runs the failed items only.
 *
 * What a request costs: the list, 1 ListExecutions and per row (at most `limit`, 25 by default) 1
 * DescribeExecution, the history pages, 1 ListMapRuns and 1 DescribeMapRun; a backfill's page, the same for
 * it plus DescribeMapRun per map run, the manifest and (bounded) FAILED files once the map run ended, or one
 * page of its failed children.
 */
import { DescribeExecutionCommand, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { parseExecutionArn, type StateMachineRef } from '../../cli/aws/arn.ts';
import { type BackfillStatus, readBackfillStatus } from '../../cli/backfill/status.ts';
import { mapConcurrently } from '../../cli/concurrency.ts';
import { CliError } from '../../cli/errors.ts';
import { causeMessage } from '../../cli/executions/cause.ts';
import { whyNotRedrivable } from '../../cli/executions/redrive.ts';
import { parseJson } from '../../core/executions/history-events.ts';
import type { BackfillDetailView, BackfillPage, BackfillSummary } from '../api-types.ts';
import { type ConsoleBackend, describeNamed } from './api.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import { NoBackfillError } from './errors.ts';
import { pageSize } from './list.ts';
import { failedItemsOf, listMapRuns, type MapRunReading, readMapRun } from './map-runs.ts';

/** Backfills described at once for one page. */
const DESCRIBE_CONCURRENCY = 8;

/** The backfill state machine, or 409 NoBackfill saying why there is none. */
export async function backfillMachineOf(backend: ConsoleBackend): Promise<StateMachineRef> {
  if (backend.backfillMachine === undefined) {
    throw new NoBackfillError(
      'this console was started without a backfill state machine to read (relay console finds <relay>-backfill, or the stack output BackfillStateMachineArn)',
    );
  }
  try {
    return await backend.backfillMachine();
  } catch (err) {
    if (err instanceof CliError) throw new NoBackfillError(err.message);
    throw err;
  }
}

/** A backfill's list row, from what `relay backfill status` reads. */
export function backfillSummaryOf(status: BackfillStatus): BackfillSummary {
  const items = status.items;
  return {
    executionArn: status.executionArn,
    name: status.name,
    status: status.status,
    startDate: status.startDate.toISOString(),
    stopDate: status.stopDate?.toISOString() ?? null,
    workList: status.workList === undefined ? null : { ...status.workList.counts },
    items:
      items === undefined
        ? null
        : {
            total: items.total,
            done: items.succeeded + items.failed + items.timedOut + items.aborted,
            succeeded: items.succeeded,
            failed: items.failed + items.timedOut + items.aborted,
            running: items.running,
            pending: items.pending,
          },
  };
}

async function rowOf(sfn: SFNClient, executionArn: string): Promise<BackfillSummary> {
  return backfillSummaryOf(await readBackfillStatus(sfn, executionArn));
}

/** GET /api/backfills?limit=&next= — one page of backfills, newest first (ListExecutions' own order). */
export async function listBackfillsPage(
  backend: ConsoleBackend,
  query: URLSearchParams,
): Promise<BackfillPage> {
  const limit = pageSize(query.get('limit'));
  const cursor = decodeCursor(query.get('next'), limit);
  const machine = await backfillMachineOf(backend);
  const sfn = backend.sfnFor(machine.region);
  const page = await sfn.send(
    new ListExecutionsCommand({
      stateMachineArn: machine.arn,
      maxResults: cursor.size,
      ...(cursor.token === undefined ? {} : { nextToken: cursor.token }),
    }),
  );
  const arns = (page.executions ?? [])
    .slice(cursor.skip)
    .map((e) => e.executionArn)
    .filter((arn): arn is string => arn !== undefined);
  const backfills = await mapConcurrently(arns, DESCRIBE_CONCURRENCY, (arn) => rowOf(sfn, arn));
  const token = page.nextToken === undefined || page.nextToken === '' ? undefined : page.nextToken;
  return {
    stateMachineArn: machine.arn,
    backfills,
    nextToken: token === undefined ? null : encodeCursor({ token, skip: 0, size: cursor.size }),
  };
}

/**
 * GET /api/backfills/:arn — the backfill, its work list, its map runs (the latest first) with where their
 * results are, and the latest map run's failed items.
 */
export async function backfillDetail(backend: ConsoleBackend, arn: string): Promise<BackfillDetailView> {
  const { sfn, details } = await describeNamed(backend, arn);
  const executionArn = details.executionArn;
  const [status, described, runs] = await Promise.all([
    readBackfillStatus(sfn, executionArn),
    sfn.send(new DescribeExecutionCommand({ executionArn })),
    listMapRuns(sfn, executionArn),
  ]);
  const s3 = backend.s3For(parseExecutionArn(executionArn)?.region ?? '');
  const readings: MapRunReading[] = await mapConcurrently(runs, 4, (run, index) =>
    readMapRun(
      sfn,
      s3,
      run.mapRunArn ?? '',
      status.workList?.results,
      index === 0 ? status.results : undefined,
    ),
  );
  const failed = await failedItemsOf(sfn, s3, readings[0]);
  const workList = status.workList;
  return {
    summary: backfillSummaryOf(status),
    stateMachineArn: details.stateMachineArn,
    request: parseJson(described.input) ?? null,
    workList:
      workList === undefined
        ? null
        : {
            counts: { ...workList.counts },
            done: workList.done,
            location: `s3://${workList.bucket}/${workList.key}`,
            items: workList.items,
          },
    error: details.error ?? null,
    message: causeMessage(details.cause) ?? null,
    redriveCount: details.redriveCount,
    notRedrivable: whyNotRedrivable(details) ?? null,
    mapRuns: readings.map((r) => r.view),
    failed,
  };
}
