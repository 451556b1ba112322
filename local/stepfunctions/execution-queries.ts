/** The read-only queries over executions: ListExecutions and GetExecutionHistory pages. */
import { invalidToken } from './errors.ts';
import { executionListItem } from './execution-view.ts';
import { type ExecutionHistory, type HistoryEventOutput, toOutputEvent } from './history.ts';
import type { ExecutionStatus, ExecutionSummary } from './model.ts';
import { decodeToken, encodeToken, pageSize } from './paging.ts';

export interface ListExecutionsOptions {
  readonly stateMachineArn: string;
  readonly statusFilter?: ExecutionStatus | undefined;
  readonly redriveFilter?: 'REDRIVEN' | 'NOT_REDRIVEN' | undefined;
  readonly maxResults?: number | undefined;
  readonly nextToken?: string | undefined;
}

export interface HistoryOptions {
  readonly maxResults?: number | undefined;
  readonly nextToken?: string | undefined;
  readonly reverseOrder?: boolean | undefined;
  readonly includeExecutionData?: boolean | undefined;
}

/** One ListExecutions page of the state machine's executions, started last first. */
export function listExecutions(
  all: readonly ExecutionSummary[],
  stateMachineArn: string,
  options: ListExecutionsOptions,
): { executions: Record<string, unknown>[]; nextToken?: string } {
  const scope = `executions:${stateMachineArn}:${options.statusFilter ?? ''}:${options.redriveFilter ?? ''}`;
  const size = pageSize(options.maxResults);
  const records = all
    .filter((record) => record.stateMachineArn === stateMachineArn)
    .filter((record) => !options.statusFilter || record.status === options.statusFilter)
    .filter((record) => {
      if (options.redriveFilter === 'REDRIVEN') return record.redriveCount > 0;
      if (options.redriveFilter === 'NOT_REDRIVEN') return record.redriveCount === 0;
      return true;
    })
    // Started later first; among equal start times, the one created later (sort is stable).
    .reverse()
    .sort((a, b) => b.startDate.localeCompare(a.startDate));
  let start = 0;
  if (options.nextToken !== undefined) {
    const { after, startDate } = decodeToken(options.nextToken, scope);
    if (typeof after !== 'string' || typeof startDate !== 'string') throw invalidToken(options.nextToken);
    const index = records.findIndex((record) => record.executionArn === after);
    // The last item seen may have left the filter (its status changed): continue after its start date.
    start = index >= 0 ? index + 1 : records.filter((record) => record.startDate >= startDate).length;
  }
  const page = records.slice(start, start + size);
  const executions = page.map(executionListItem);
  const last = page.at(-1);
  return start + size < records.length && last
    ? { executions, nextToken: encodeToken({ scope, after: last.executionArn, startDate: last.startDate }) }
    : { executions };
}

/** One GetExecutionHistory page, by event id, oldest first unless `reverseOrder`. */
export function historyPage(
  history: ExecutionHistory,
  executionArn: string,
  options: HistoryOptions,
): { events: HistoryEventOutput[]; nextToken?: string } {
  const reverse = options.reverseOrder === true;
  const size = pageSize(options.maxResults);
  const scope = `history:${executionArn}:${reverse ? 'reverse' : 'forward'}`;
  let events = reverse ? [...history.all].reverse() : history.all.slice();
  if (options.nextToken !== undefined) {
    const { after } = decodeToken(options.nextToken, scope);
    if (typeof after !== 'number') throw invalidToken(options.nextToken);
    events = events.filter((event) => (reverse ? event.id < after : event.id > after));
  }
  const page = events.slice(0, size);
  const include = options.includeExecutionData !== false;
  const out = page.map((event) => toOutputEvent(event, include));
  const last = page.at(-1);
  return events.length > size && last
    ? { events: out, nextToken: encodeToken({ scope, after: last.id }) }
    : { events: out };
}
