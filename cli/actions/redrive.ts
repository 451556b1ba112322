/** `relay redrive <execution…>` and `relay redrive --failed`. */
import { ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { StateMachineRef } from '../aws/arn.ts';
import { machineFor, withConnection } from '../aws/session.ts';
import type { MachineFlags } from '../common-options.ts';
import { mapConcurrently } from '../concurrency.ts';
import { CliError, EXIT_CODES } from '../errors.ts';
import { describeExecution, type ExecutionDetails } from '../executions/describe.ts';
import { findExecution } from '../executions/find.ts';
import { REDRIVABLE_STATUSES, type RedriveOutcome, redrive } from '../executions/redrive.ts';
import { waitForExecution } from '../executions/wait.ts';
import { parseSince } from '../options.ts';
import { createOutput } from '../output/output.ts';
import { redriveJson, renderRedrive } from '../render/redrive.ts';

export interface RedriveFlags extends MachineFlags {
  readonly failed?: boolean;
  readonly since?: Date;
  readonly dryRun?: boolean;
  readonly wait?: boolean;
}

/**
 * The executions Step Functions can redrive — FAILED, TIMED_OUT and ABORTED (stopped by an operator, or,
 * on older local stacks, interrupted by a crash) — that stopped since `since`.
 */
async function failedSince(
  sfn: SFNClient,
  machine: StateMachineRef,
  since: Date,
): Promise<ExecutionDetails[]> {
  const arns: string[] = [];
  for (const statusFilter of REDRIVABLE_STATUSES) {
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({
          stateMachineArn: machine.arn,
          statusFilter,
          maxResults: 1000,
          nextToken,
        }),
      );
      for (const item of page.executions ?? []) {
        const when = item.stopDate ?? item.startDate;
        if (item.executionArn !== undefined && when !== undefined && when >= since)
          arns.push(item.executionArn);
      }
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
  }
  return mapConcurrently(arns, 8, (arn) => describeExecution(sfn, arn));
}

export async function runRedrive(executions: readonly string[], flags: RedriveFlags): Promise<void> {
  if (flags.failed && executions.length > 0) {
    throw new CliError('name executions or pass --failed, not both', EXIT_CODES.usage);
  }
  if (!flags.failed && executions.length === 0) {
    throw new CliError('name the executions to redrive, or pass --failed [--since 24h]', EXIT_CODES.usage);
  }
  if (!flags.failed && flags.since !== undefined) {
    throw new CliError('--since goes with --failed', EXIT_CODES.usage);
  }
  const out = createOutput(flags);
  const outcomes = await withConnection(flags, async (conn) => {
    const lazyMachine = (() => {
      let found: Promise<StateMachineRef> | undefined;
      return () => {
        found ??= machineFor(flags, conn);
        return found;
      };
    })();
    const sfnOf = (d: ExecutionDetails) => conn.sfn(d.executionArn.split(':')[3] ?? '');
    const dryRun = flags.dryRun === true;
    const results: RedriveOutcome[] = [];
    if (flags.failed) {
      const machine = await lazyMachine();
      const since = flags.since ?? parseSince('24h');
      for (const details of await failedSince(conn.sfn(machine.region), machine, since)) {
        results.push(await redrive(sfnOf(details), details, dryRun));
      }
    } else {
      for (const ref of executions) {
        const found = await findExecution(conn.sfn, ref, lazyMachine).catch((err: unknown) => {
          // One name that matches nothing must not stop the others.
          if (err instanceof CliError && err.message.startsWith('execution not found')) return err;
          throw err;
        });
        results.push(
          found instanceof CliError
            ? { ref, action: 'skipped', reason: found.message.replace(/ — run .*$/, '') }
            : await redrive(sfnOf(found), found, dryRun),
        );
      }
    }
    if (flags.wait) {
      const interval = conn.isLocal ? 100 : 2000;
      await mapConcurrently(
        results.filter((r) => r.action === 'redriven'),
        8,
        async (r) => {
          if (r.details === undefined) return;
          const done = await waitForExecution(sfnOf(r.details), r.details.executionArn, interval);
          r.finalStatus = done.status;
          if (done.error !== undefined) r.finalError = done.error;
        },
      );
    }
    return results;
  });
  out.document(redriveJson(outcomes, flags.dryRun === true));
  out.line(
    renderRedrive(outcomes, { dryRun: flags.dryRun === true, failedMode: flags.failed === true }, out.style),
  );
  const skipped = outcomes.some((o) => o.action === 'skipped');
  const unsuccessful = outcomes.some((o) => o.finalStatus !== undefined && o.finalStatus !== 'SUCCEEDED');
  if (skipped || unsuccessful) process.exitCode = EXIT_CODES.failure;
}
