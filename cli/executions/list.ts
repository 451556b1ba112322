/**
 * Lists a state machine's executions newest first, down to `since` and up to `limit`, each with its
 * source object and what became of its targets (from the output, else from the history).
 */

import { type ExecutionListItem, ListExecutionsCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { approvalsOf } from '../../core/approvals.ts';
import {
  countOutcomes,
  outcomeOfDelete,
  outcomeOfResult,
  type TargetCounts,
  type TargetOutcome,
  targetOutcome,
} from '../../core/executions/outcome.ts';
import { buildTimeline } from '../../core/executions/timeline.ts';
import { mapConcurrently } from '../concurrency.ts';
import type { ExecutionStatusFilter } from '../options.ts';
import { describeExecution, type ExecutionDetails } from './describe.ts';
import { fetchHistory } from './history.ts';

export interface ListOptions {
  readonly status?: ExecutionStatusFilter | undefined;
  readonly since?: Date | undefined;
  readonly limit: number;
}

export interface ExecutionRow {
  readonly details: ExecutionDetails;
  readonly counts: TargetCounts;
}

/** The executions to show, and whether more exist beyond `limit`. */
export async function listExecutionItems(
  sfn: SFNClient,
  stateMachineArn: string,
  options: ListOptions,
): Promise<{ items: ExecutionListItem[]; more: boolean }> {
  const items: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn,
        maxResults: Math.min(1000, options.limit + 1),
        nextToken,
        ...(options.status === undefined ? {} : { statusFilter: options.status }),
      }),
    );
    for (const item of page.executions ?? []) {
      if (options.since !== undefined && item.startDate !== undefined && item.startDate < options.since) {
        return { items, more: false };
      }
      if (items.length === options.limit) return { items, more: true };
      items.push(item);
    }
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return { items, more: false };
}

/** What became of the targets of one execution. */
export async function outcomesOf(sfn: SFNClient, details: ExecutionDetails): Promise<TargetOutcome[]> {
  const output = details.output;
  if (output?.kind === 'relayed') return output.output.results.map(outcomeOfResult);
  if (output?.kind === 'deleted') return output.output.results.map(outcomeOfDelete);
  if (output?.kind === 'nothing') return [];
  const history = await fetchHistory(sfn, details.executionArn);
  const approvals = approvalsOf(history);
  return buildTimeline(history).targets.map((target) =>
    targetOutcome(target, undefined, details.status, approvals),
  );
}

export async function listExecutions(
  sfn: SFNClient,
  stateMachineArn: string,
  options: ListOptions,
): Promise<{ rows: ExecutionRow[]; more: boolean }> {
  const { items, more } = await listExecutionItems(sfn, stateMachineArn, options);
  const rows = await mapConcurrently(items, 8, async (item) => {
    const details = await describeExecution(sfn, item.executionArn ?? '');
    return { details, counts: countOutcomes(await outcomesOf(sfn, details)) };
  });
  return { rows, more };
}
