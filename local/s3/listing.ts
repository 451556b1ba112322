/**
 * What every S3 listing shares: prefix filtering, rolling keys up into common prefixes at the delimiter,
 * the page size (keys and common prefixes both count), markers that may name a common prefix, and
 * `encoding-type=url`.
 */
import { S3Errors } from './errors.ts';
import { compareKeys } from './store/key-order.ts';

/** One page of a listing. */
export interface ListingPage<T> {
  readonly entries: T[];
  readonly prefixes: string[];
  readonly truncated: boolean;
  /** The last thing on the page (an entry's key or a common prefix), the marker of the next page. */
  readonly last?: { readonly key: string; readonly entry?: T };
}

export interface ListingOptions {
  readonly prefix: string;
  readonly delimiter?: string;
  readonly max: number;
  /** Common prefixes that sort at or before this marker were listed on an earlier page. */
  readonly marker?: string;
}

/** A common prefix that the source of a listing rolled its keys up into (it skipped the keys). */
export interface RolledUp {
  readonly key: string;
  readonly rolledUp: true;
}

function isRolledUp(entry: object): entry is RolledUp {
  return (entry as Partial<RolledUp>).rolledUp === true;
}

/**
 * Groups `entries` (already in key order and past the marker) into a page of at most `max` entries and
 * common prefixes.
 */
export async function paginate<T extends { readonly key: string }>(
  entries: Iterable<T | RolledUp> | AsyncIterable<T | RolledUp>,
  options: ListingOptions,
): Promise<ListingPage<T>> {
  const { prefix, delimiter, max, marker } = options;
  const out: T[] = [];
  const prefixes: string[] = [];
  let last: ListingPage<T>['last'];
  let truncated = false;
  for await (const entry of entries) {
    if (!entry.key.startsWith(prefix)) continue;
    const cut = delimiter ? entry.key.indexOf(delimiter, prefix.length) : -1;
    if (delimiter && cut >= 0) {
      const common = entry.key.slice(0, cut + delimiter.length);
      if (common === last?.key) continue;
      if (marker !== undefined && compareKeys(common, marker) <= 0) continue;
      if (out.length + prefixes.length >= max) {
        truncated = max > 0;
        break;
      }
      prefixes.push(common);
      last = { key: common };
      continue;
    }
    if (isRolledUp(entry)) continue; // a rolled-up prefix always has the delimiter: not reached
    if (out.length + prefixes.length >= max) {
      truncated = max > 0;
      break;
    }
    out.push(entry);
    last = { key: entry.key, entry };
  }
  return { entries: out, prefixes, truncated, ...(last ? { last } : {}) };
}

/** `max-keys` / `max-uploads` / `max-parts`: default 1,000, capped at 1,000. @throws S3Error InvalidArgument. */
export function maxParam(query: URLSearchParams, name: string): number {
  const value = query.get(name);
  if (value === null || value === '') return 1000;
  if (!/^\d+$/.test(value)) {
    throw S3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, value);
  }
  return Math.min(Number(value), 1000);
}

/** Whether the response must URL-encode keys (`encoding-type=url`). @throws S3Error InvalidArgument. */
export function urlEncoding(query: URLSearchParams): boolean {
  const value = query.get('encoding-type');
  if (value === null) return false;
  if (value.toLowerCase() !== 'url') {
    throw S3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', value);
  }
  return true;
}

/** A key as written in a listing: URL-encoded (space as `+`) when the client asked for it. */
export function encodeKey(key: string | undefined, encode: boolean): string | undefined {
  if (key === undefined || !encode) return key;
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}
