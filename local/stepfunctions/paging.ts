/**
 * Pagination of list operations: opaque `nextToken`s that name the last item returned, so items added
 * meanwhile neither repeat nor get skipped. A token that does not decode is `InvalidToken`.
 */
import { invalidToken, validation } from './errors.ts';
import { isRecord } from './library.ts';

/** The page size: `maxResults` 0 or absent means the default (100); at most 1000. */
export function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined || maxResults === 0) return 100;
  if (!Number.isInteger(maxResults) || maxResults < 0 || maxResults > 1000) {
    throw validation(
      `1 validation error detected: Value '${maxResults}' at 'maxResults' failed to satisfy constraint: Member must have value between 0 and 1000`,
    );
  }
  return maxResults;
}

/** Encodes a position (and the query it belongs to) as a token. */
export function encodeToken(position: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');
}

/** Decodes a token made by {@link encodeToken}; `scope` must match what the token was issued for. */
export function decodeToken(token: string, scope: string): Record<string, unknown> {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken(token);
  }
  if (!isRecord(decoded) || decoded.scope !== scope) throw invalidToken(token);
  return decoded;
}

/** One page of `items` (already in order) after the item whose key is in the token. */
export function paginate<T>(
  items: readonly T[],
  key: (item: T) => string,
  options: {
    readonly maxResults?: number | undefined;
    readonly nextToken?: string | undefined;
    scope: string;
  },
): { page: T[]; nextToken?: string } {
  const size = pageSize(options.maxResults);
  let start = 0;
  if (options.nextToken !== undefined) {
    const { after } = decodeToken(options.nextToken, options.scope);
    if (typeof after !== 'string') throw invalidToken(options.nextToken);
    const index = items.findIndex((item) => key(item) === after);
    start = index < 0 ? items.length : index + 1;
  }
  const page = items.slice(start, start + size);
  const last = page.at(-1);
  const more = start + size < items.length && last !== undefined;
  return more ? { page, nextToken: encodeToken({ scope: options.scope, after: key(last) }) } : { page };
}
