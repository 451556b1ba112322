/**
 * `nextToken` pagination over a list ordered by a unique string key. The token carries the key of the
 * last item returned, so items added or removed between pages neither repeat nor get skipped.
 */
import { invalidNextToken } from './errors.ts';

/** One page of a listing. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

function encode(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decode(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    const after = (parsed as { after?: unknown } | null)?.after;
    if (typeof after === 'string') return after;
  } catch {
    // fall through to the modelled error
  }
  throw invalidNextToken();
}

/**
 * The page after `token` (or the first page) of `items`, ordered ascending by `keyOf` (which must be
 * unique per item).
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  token: string | undefined,
  pageSize: number,
): Page<T> {
  const keyed = items
    .map((item) => ({ item, key: keyOf(item) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const after = token === undefined ? undefined : decode(token);
  const rest = after === undefined ? keyed : keyed.filter((k) => k.key > after);
  const page = rest.slice(0, pageSize);
  const last = page.at(-1);
  return {
    items: page.map((k) => k.item),
    ...(rest.length > pageSize && last ? { nextToken: encode(last.key) } : {}),
  };
}
