/**
 * The executions list's filter by start time, applied to what ListExecutions returns (each item carries
 * its `startDate` — Step Functions API reference, ListExecutions / ExecutionListItem), so no execution is
 * described only to be left out. ListExecutions lists newest first, so once an item started before
 * `since`, no later page can match.
 */
import type { ExecutionListItem } from '@aws-sdk/client-sfn';
import { BadRequestError } from './errors.ts';

/** Start times an execution must fall within (either end open). */
export interface StartWindow {
  readonly since?: Date;
  readonly until?: Date;
}

function instant(query: URLSearchParams, name: string): Date | undefined {
  const value = query.get(name);
  if (value === null || value === '') return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new BadRequestError(`${name} must be a date and time (ISO 8601), not ${JSON.stringify(value)}`);
  }
  return date;
}

/** `?since=&until=` (ISO 8601), checked. */
export function startWindowOf(query: URLSearchParams): StartWindow {
  const since = instant(query, 'since');
  const until = instant(query, 'until');
  if (since !== undefined && until !== undefined && since > until) {
    throw new BadRequestError('since must not be later than until');
  }
  return { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

export function isOpen(window: StartWindow): boolean {
  return window.since === undefined && window.until === undefined;
}

/** The items of one page that started within the window, and whether older pages may still match. */
export function withinWindow(
  items: readonly ExecutionListItem[],
  window: StartWindow,
): { readonly kept: ExecutionListItem[]; readonly olderMayMatch: boolean } {
  const kept: ExecutionListItem[] = [];
  let olderMayMatch = true;
  for (const item of items) {
    const started = item.startDate;
    if (started === undefined) continue;
    if (window.since !== undefined && started < window.since) {
      olderMayMatch = false;
      continue;
    }
    if (window.until !== undefined && started > window.until) continue;
    kept.push(item);
  }
  return { kept, olderMayMatch };
}
