/**
 * The executions list's filter by start time, applied to what ListExecutions returns (each item carries
 * its `startDate` — Step Functions API reference, ListExecutions / ExecutionListItem; ListExecutions has
 * no time parameter), so no execution is described only to be left out.
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

/** Where an execution's start falls: in the window, newer than `until` (passed over), or older than `since`. */
export type WindowPlace = 'inside' | 'newer' | 'older';

/**
 * Where a listed execution's start falls. ListExecutions lists newest first, so once one started before
 * `since`, no later item or page can match: the scan stops there.
 */
export function placeInWindow(item: ExecutionListItem, window: StartWindow): WindowPlace {
  const started = item.startDate;
  if (isOpen(window)) return 'inside';
  if (started === undefined) return 'newer';
  if (window.since !== undefined && started < window.since) return 'older';
  if (window.until !== undefined && started > window.until) return 'newer';
  return 'inside';
}
