/** The read-only queries over executions: ListExecutions and GetExecutionHistory pages. */
import type { EndedExecutions, EndedItem, ListKey } from './ended-index.ts';
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

/** An execution the service holds in memory (running, or ended a moment ago), with its place in list order. */
export interface LiveExecution {
  readonly summary: ExecutionSummary;
  readonly seq: number;
}

/** List order, oldest first: by start time, then by the order the service came to know the executions in. */
function compareKeys(a: ListKey, b: ListKey): number {
  return a.startMs - b.startMs || a.seq - b.seq;
}

/**
 * Where the item a page token names (`after`, started at `startDate`) is in the list — `undefined` when it
 * is not in the list any more (its status changed, so the filter drops it) or never was.
 */
async function positionOf(
  after: string,
  stateMachineArn: string,
  live: readonly LiveExecution[],
  ended: EndedExecutions | undefined,
  matches: (status: ExecutionStatus, redriveCount: number) => boolean,
): Promise<ListKey | undefined> {
  const held = live.find(({ summary }) => summary.executionArn === after);
  if (held) {
    const { summary, seq } = held;
    const listed =
      summary.stateMachineArn === stateMachineArn && matches(summary.status, summary.redriveCount);
    return listed ? { startMs: Date.parse(summary.startDate), seq } : undefined;
  }
  const found = await ended?.find(after);
  return found && matches(found.summary.status, found.summary.redriveCount) ? found.key : undefined;
}

/**
 * One ListExecutions page of the state machine's executions: started last first; among equal start times,
 * the one the service came to know later first. `live` are the executions held in memory (of any state
 * machine; one both held and in the index — on its way in or out — is listed as held), `ended` the state
 * machine's ended ones, read from the index only as far as the page needs.
 */
export async function listExecutions(
  live: readonly LiveExecution[],
  ended: EndedExecutions | undefined,
  stateMachineArn: string,
  options: ListExecutionsOptions,
): Promise<{ executions: Record<string, unknown>[]; nextToken?: string }> {
  const scope = `executions:${stateMachineArn}:${options.statusFilter ?? ''}:${options.redriveFilter ?? ''}`;
  const size = pageSize(options.maxResults);
  const matches = (status: ExecutionStatus, redriveCount: number): boolean => {
    if (options.statusFilter && status !== options.statusFilter) return false;
    if (options.redriveFilter === 'REDRIVEN') return redriveCount > 0;
    if (options.redriveFilter === 'NOT_REDRIVEN') return redriveCount === 0;
    return true;
  };
  const mine = live.filter(({ summary }) => summary.stateMachineArn === stateMachineArn);
  const heldArns = new Set(mine.map(({ summary }) => summary.executionArn));
  const held = mine
    .filter(({ summary }) => matches(summary.status, summary.redriveCount))
    .map(({ summary, seq }) => ({ summary, key: { startMs: Date.parse(summary.startDate), seq } }))
    .sort((a, b) => compareKeys(b.key, a.key));
  // The next of `held` to list, and the ended ones still to list: those older than `below` (all without it).
  let next = 0;
  let below: ListKey | undefined;
  if (options.nextToken !== undefined) {
    const { after, startDate } = decodeToken(options.nextToken, scope);
    if (typeof after !== 'string' || typeof startDate !== 'string') throw invalidToken(options.nextToken);
    const position = await positionOf(after, stateMachineArn, live, ended, matches);
    if (position) {
      next = held.findIndex((item) => compareKeys(item.key, position) < 0);
      if (next < 0) next = held.length;
      below = position;
    } else {
      // The last item seen has left the filter (its status changed): continue after its start date.
      next = held.filter((item) => item.summary.startDate >= startDate).length;
      below = { startMs: Date.parse(startDate), seq: 0 };
    }
  }
  const older = ended?.newestFirst(below, options.statusFilter);
  try {
    /** The next ended item to list (in the filter, not held), or `undefined` after the last. */
    const nextEnded = async (): Promise<EndedItem | undefined> => {
      for (;;) {
        const step = await older?.next();
        if (step === undefined || step.done) return undefined;
        const { summary } = step.value;
        if (!heldArns.has(summary.executionArn) && matches(summary.status, summary.redriveCount))
          return step.value;
      }
    };
    let pending = await nextEnded();
    /** The next item in list order, or `undefined` after the last. */
    const take = async (): Promise<ExecutionSummary | undefined> => {
      const fromHeld = held[next];
      if (pending && (!fromHeld || compareKeys(pending.key, fromHeld.key) > 0)) {
        const item = pending;
        pending = await nextEnded();
        return item.summary;
      }
      if (!fromHeld) return undefined;
      next += 1;
      return fromHeld.summary;
    };
    const page: ExecutionSummary[] = [];
    for (let item = await take(); item && page.push(item) < size; item = await take());
    const more = page.length === size && (await take()) !== undefined;
    const executions = page.map(executionListItem);
    const last = page.at(-1);
    return more && last
      ? { executions, nextToken: encodeToken({ scope, after: last.executionArn, startDate: last.startDate }) }
      : { executions };
  } finally {
    await older?.close();
  }
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
