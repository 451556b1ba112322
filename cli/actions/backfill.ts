/**
 * The backfill from the CLI (issue #15): `relay replay --distributed` (or past `--threshold` objects) starts
 * the backfill workflow instead of one execution per object from this machine, and `relay backfill status
 * <id> [--watch]` follows it — a progress bar on a terminal — and, once its map run ended, counts the
 * results the ResultWriter wrote.
 */
import { randomBytes } from 'node:crypto';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SingleBar } from 'cli-progress';
import type { BackfillRequest } from '../../core/backfill.ts';
import { executionArnOf, parseExecutionArn, type StateMachineRef } from '../aws/arn.ts';
import type { Connection } from '../aws/connection.ts';
import { machineFor, withConnection } from '../aws/session.ts';
import { resolveBackfillStateMachine } from '../aws/state-machine.ts';
import { renderBackfillProgress, renderBackfillStatus } from '../backfill/render.ts';
import { readBackfillResults } from '../backfill/results.ts';
import { type BackfillStatus, readBackfillStatus } from '../backfill/status.ts';
import type { MachineFlags } from '../common-options.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import type { Output } from '../output/output.ts';
import { createOutput } from '../output/output.ts';

export interface BackfillFlags extends MachineFlags {
  readonly backfillStateMachine?: string;
  readonly watch?: boolean;
}

/** A backfill execution's name: when it started, and a few random characters. */
export function backfillName(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `backfill-${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Starts the backfill workflow with `request` (the BuildWorkList input); its execution's ARN. */
export async function startBackfill(
  conn: Connection,
  machine: StateMachineRef,
  request: Omit<BackfillRequest, 'results'> & { results?: BackfillRequest['results'] },
  name = backfillName(),
): Promise<string> {
  const started = await conn
    .sfn(machine.region)
    .send(new StartExecutionCommand({ stateMachineArn: machine.arn, name, input: JSON.stringify(request) }));
  return started.executionArn ?? executionArnOf(machine, name);
}

const ENDED = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

/** Reads the status until the backfill ends, drawing the progress (a bar on a terminal, else nothing). */
export async function followBackfill(
  conn: Connection,
  executionArn: string,
  out: Output,
  intervalMs: number,
): Promise<BackfillStatus> {
  const region = parseExecutionArn(executionArn)?.region ?? '';
  const sfn = conn.sfn(region);
  const bar = out.interactive
    ? new SingleBar({
        format: '{bar} {value}/{total} objects | {line}',
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  let started = false;
  try {
    for (;;) {
      const status = await readBackfillStatus(sfn, executionArn);
      if (bar !== undefined && status.items !== undefined) {
        const done =
          status.items.succeeded + status.items.failed + status.items.aborted + status.items.timedOut;
        if (!started) {
          bar.start(status.items.total, done, { line: renderBackfillProgress(status) });
          started = true;
        }
        bar.setTotal(status.items.total);
        bar.update(done, { line: renderBackfillProgress(status) });
      } else if (status.items === undefined) {
        out.progress(renderBackfillProgress(status));
      }
      if (ENDED.has(status.status)) return status;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  } finally {
    if (started) bar?.stop();
    out.endProgress();
  }
}

/**
 * Prints a backfill's status — with, once its map run ended, the results counted from the files it wrote —
 * as text or as JSON (`document` wraps the JSON, for `relay replay`'s own fields). A backfill that ended
 * other than SUCCEEDED makes the exit code 1.
 */
export async function reportBackfill(
  conn: Connection,
  status: BackfillStatus,
  out: Output,
  document: (backfill: Record<string, unknown>) => unknown = (backfill) => backfill,
): Promise<void> {
  const region = parseExecutionArn(status.executionArn)?.region ?? '';
  const tally =
    status.results === undefined ? undefined : await readBackfillResults(conn.s3(region), status.results);
  out.document(document({ ...status, ...(tally === undefined ? {} : { tally }) }));
  out.line(renderBackfillStatus(status, tally, out.style));
  if (status.status !== 'SUCCEEDED' && status.status !== 'RUNNING') process.exitCode = EXIT_CODES.failure;
}

/** `relay backfill status <id>`: the backfill execution by name (or ARN), followed with `--watch`. */
export async function runBackfillStatus(id: string, flags: BackfillFlags): Promise<void> {
  const out = createOutput(flags);
  await withConnection(flags, async (conn) => {
    let executionArn = id;
    if (!id.startsWith('arn:')) {
      const relay = await machineFor(flags, conn);
      const machine = await resolveBackfillStateMachine(conn, relay, {
        backfillStateMachine: flags.backfillStateMachine,
        stack: flags.stack,
      });
      executionArn = executionArnOf(machine, id);
    } else if (parseExecutionArn(id) === undefined) {
      throw new CliError(`${id} is not an execution ARN`, EXIT_CODES.usage);
    }
    const region = parseExecutionArn(executionArn)?.region ?? '';
    const status =
      flags.watch === true
        ? await followBackfill(conn, executionArn, out, conn.isLocal ? 200 : 5000)
        : await readBackfillStatus(conn.sfn(region), executionArn).catch((err: unknown) => {
            if (err instanceof Error && err.name === 'ExecutionDoesNotExist') {
              throw new CliError(`no backfill named ${id} — relay replay --distributed starts one`);
            }
            throw err;
          });
    await reportBackfill(conn, status, out);
  });
}
