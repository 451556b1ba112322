/**
 * Where the next page of the executions list starts: a ListExecutions page (the token that reads it and
 * the page size it was read with) and how many of its items this list already showed or passed over.
 * A filtered page can end in the middle of a ListExecutions page; reading that page again with the same
 * token and skipping what was seen continues exactly there (Step Functions API reference,
 * ListExecutions: a `nextToken` stays valid for 24 hours, and may be used again).
 */
import { BadRequestError } from './errors.ts';

/** A position in the list: the page `token` reads (the first page when undefined), `skip` of its items seen. */
export interface ListCursor {
  readonly token: string | undefined;
  readonly skip: number;
  readonly size: number;
}

/** The cursor as the API's opaque `nextToken`. */
export function encodeCursor(cursor: ListCursor): string {
  return Buffer.from(
    JSON.stringify({ t: cursor.token ?? null, s: cursor.skip, n: cursor.size }),
    'utf8',
  ).toString('base64url');
}

function isCount(value: unknown, min: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= 1000;
}

/** The cursor a `next` parameter names; the list's start when absent. A token this API did not make is a 400. */
export function decodeCursor(text: string | null, size: number): ListCursor {
  if (text === null || text === '') return { token: undefined, skip: 0, size };
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    value = undefined;
  }
  if (typeof value === 'object' && value !== null) {
    const { t, s, n } = value as Record<string, unknown>;
    if ((t === null || typeof t === 'string') && isCount(s, 0) && isCount(n, 1)) {
      return { token: t ?? undefined, skip: s, size: n };
    }
  }
  throw new BadRequestError('next is not a token this list gave out: start again from the first page');
}
