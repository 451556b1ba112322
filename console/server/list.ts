/**
 * GET /api/executions — the executions list, one page per request, newest first, never all of them.
 *
 * What each request costs against AWS (Step Functions API reference: ListExecutions, DescribeExecution,
 * GetExecutionHistory), with `limit` rows a page (default 25, at most 100):
 *
 * - **No filter (the first page, and every "Older executions")**: 1 ListExecutions (`maxResults` =
 *   `limit`), then 1 DescribeExecution per row, and for a row whose output does not state its targets
 *   (running, failed, or an output shape this console does not read) its GetExecutionHistory pages. Never
 *   more than the rows shown, whatever the number of executions.
 * - **Status**: the same calls; the filter is ListExecutions' own `statusFilter`, applied by Step Functions.
 * - **Start time** (`since`, `until`): ListExecutions has no time parameter, but every item carries its
 *   `startDate`, so items outside the window are passed over without being described: ListExecutions
 *   pages of {@link SCAN_PAGE_SIZE} (at most {@link MAX_LIST_CALLS} a request, then the page ends early
 *   with a `nextToken` to go on), stopping at the first item older than `since` (newest first). Only the
 *   rows inside the window are described.
 * - **Source key** (`key`): Step Functions keeps no index by input, and executions EventBridge starts carry
 *   names Step Functions generates, so neither ListExecutions nor a name can say which execution relayed
 *   a key. The filter therefore searches the executions of the page asked for — the same ListExecutions
 *   and DescribeExecution calls as showing that page unfiltered — and shows those whose source (or name)
 *   contains the text. It never describes an execution beyond that page: older executions are searched a
 *   page at a time, when the operator asks (`nextToken`), and `scanned` says how many were searched.
 */
import { type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { mapConcurrently } from '../../cli/concurrency.ts';
import { EXECUTION_STATUSES, type ExecutionStatusFilter } from '../../cli/options.ts';
import type { ExecutionPage } from '../api-types.ts';
import { matchesKey } from '../key-filter.ts';
import type { ConsoleBackend } from './api.ts';
import { decodeCursor, encodeCursor, type ListCursor } from './cursor.ts';
import { BadRequestError } from './errors.ts';
import { optional } from './query.ts';
import { rowOf } from './rows.ts';
import { isOpen, placeInWindow, startWindowOf } from './time-filter.ts';

/** Rows a page shows unless `limit` says otherwise. */
export const DEFAULT_PAGE_SIZE = 25;
/** The most rows one page may ask for. */
export const MAX_PAGE_SIZE = 100;
/** ListExecutions' own maximum page: what a time-filtered scan reads at once (no item of it is described). */
export const SCAN_PAGE_SIZE = 1000;
/** ListExecutions calls one time-filtered request makes at most before it answers with what it has. */
export const MAX_LIST_CALLS = 10;
/** DescribeExecution calls in flight at once for one page. */
const DESCRIBE_CONCURRENCY = 8;

function statusFilter(value: string | null): ExecutionStatusFilter | undefined {
  if (value === null || value === '') return undefined;
  const found = EXECUTION_STATUSES.find((status) => status === value);
  if (found === undefined) {
    throw new BadRequestError(`status must be one of ${EXECUTION_STATUSES.join(', ')}, not ${value}`);
  }
  return found;
}

/** The `limit` query parameter: {@link DEFAULT_PAGE_SIZE} when absent, 1 to {@link MAX_PAGE_SIZE}, else 400. */
export function pageSize(value: string | null): number {
  if (value === null || value === '') return DEFAULT_PAGE_SIZE;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new BadRequestError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return n;
}

/** The executions a page shows (before the key filter), where the next page starts, and how many were passed over. */
interface Picked {
  readonly items: ExecutionListItem[];
  readonly next: ListCursor | undefined;
  readonly passedOver: number;
}

/**
 * Reads ListExecutions from `cursor` until `limit` executions inside the window are found, the window
 * ends (an execution older than `since`), the list ends, or (a time filter passing over many)
 * MAX_LIST_CALLS pages were read.
 */
async function pick(backend: ConsoleBackend, query: URLSearchParams, limit: number): Promise<Picked> {
  const status = statusFilter(query.get('status'));
  const window = startWindowOf(query);
  const scanning = !isOpen(window);
  let cursor = decodeCursor(query.get('next'), scanning ? SCAN_PAGE_SIZE : limit);
  const machine = await backend.machine();
  const sfn = backend.sfnFor(machine.region);
  const items: ExecutionListItem[] = [];
  let passedOver = 0;
  for (let calls = 1; ; calls++) {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: machine.arn,
        maxResults: cursor.size,
        ...(cursor.token === undefined ? {} : { nextToken: cursor.token }),
        ...(status === undefined ? {} : { statusFilter: status }),
      }),
    );
    const listed = page.executions ?? [];
    const following: ListCursor | undefined =
      page.nextToken === undefined || page.nextToken === ''
        ? undefined
        : { token: page.nextToken, skip: 0, size: cursor.size };
    for (let i = cursor.skip; i < listed.length; i++) {
      const item = listed[i] as ExecutionListItem;
      const place = placeInWindow(item, window);
      if (place === 'older') return { items, next: undefined, passedOver };
      if (place === 'newer') {
        passedOver++;
        continue;
      }
      items.push(item);
      if (items.length === limit) {
        const next = i + 1 < listed.length ? { ...cursor, skip: i + 1 } : following;
        return { items, next, passedOver };
      }
    }
    if (following === undefined || !scanning || calls >= MAX_LIST_CALLS) {
      return { items, next: following, passedOver };
    }
    cursor = following;
  }
}

/**
 * GET /api/executions?status=&limit=&next=&since=&until=&key= — one page, newest first, each row with
 * its targets counted (see the module comment for what each filter costs).
 */
export async function listExecutionsPage(
  backend: ConsoleBackend,
  query: URLSearchParams,
): Promise<ExecutionPage> {
  const limit = pageSize(query.get('limit'));
  const key = optional(query, 'key')?.trim() ?? '';
  const picked = await pick(backend, query, limit);
  const machine = await backend.machine();
  const sfn = backend.sfnFor(machine.region);
  const rows = await mapConcurrently(picked.items, DESCRIBE_CONCURRENCY, (item) =>
    rowOf(sfn, item.executionArn ?? ''),
  );
  return {
    stateMachineArn: machine.arn,
    executions: rows.filter((row) => matchesKey(row, key)),
    nextToken: picked.next === undefined ? null : encodeCursor(picked.next),
    scanned: picked.items.length + picked.passedOver,
  };
}
