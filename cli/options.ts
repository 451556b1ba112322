/** Parsers for commander options: each rejects bad input with a message that says what is allowed. */
import { InvalidArgumentError } from 'commander';
import { ALLOWED_HOST_FORMS, normalizeAllowedHost } from '../local/protocol/hosts.ts';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`'${value}' is not a TCP port: use a whole number from 0 to 65535.`);
  }
  return port;
}

/** A whole number from `min` to `max`; `minMeans` says what the lowest one means (e.g. "no cap"). */
export function wholeNumber(min: number, max: number, minMeans?: string): (value: string) => number {
  const from = minMeans === undefined ? `${min}` : `${min} (${minMeans})`;
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`'${value}' is not a whole number from ${from} to ${max}.`);
    }
    return n;
  };
}

/** A whole number from 1 to `max`. */
export function positiveInteger(max: number): (value: string) => number {
  return wholeNumber(1, max);
}

/** A positive number (e.g. a time scale such as 0.02). */
export function parsePositiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new InvalidArgumentError(`'${value}' is not a positive number.`);
  }
  return n;
}

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * A point in time: a duration back from `now` (`90m`, `24h`, `7d`, `2w`) or an ISO 8601 date
 * (`2026-11-24`, `2026-11-24T18:00:00Z`).
 */
export function parseSince(value: string, now: Date = new Date()): Date {
  const relative = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (relative) {
    const unit = relative[2] as keyof typeof UNIT_MS;
    return new Date(now.getTime() - Number(relative[1]) * UNIT_MS[unit]);
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw new InvalidArgumentError(
    `'${value}' is not a duration (e.g. 30m, 24h, 7d) or an ISO date (e.g. 2026-11-24 or 2026-11-24T18:00:00Z).`,
  );
}

/** Execution statuses ListExecutions filters by. */
export const EXECUTION_STATUSES = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
  'PENDING_REDRIVE',
] as const;
export type ExecutionStatusFilter = (typeof EXECUTION_STATUSES)[number];

export function parseExecutionStatus(value: string): ExecutionStatusFilter {
  const upper = value.trim().toUpperCase().replace(/-/g, '_');
  const found = EXECUTION_STATUSES.find((status) => status === upper);
  if (found === undefined) {
    throw new InvalidArgumentError(
      `'${value}' is not an execution status: use one of ${EXECUTION_STATUSES.join(', ')}.`,
    );
  }
  return found;
}

/** An `s3://bucket/key-or-prefix` URL. */
export interface S3Url {
  readonly bucket: string;
  /** The key or prefix ('' for the whole bucket). */
  readonly key: string;
}

export function parseS3Url(value: string): S3Url {
  const match = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(value);
  if (!match) {
    throw new InvalidArgumentError(
      `'${value}' is not an S3 URL: write s3://bucket/key (or s3://bucket/prefix).`,
    );
  }
  return { bucket: match[1]!, key: match[2] ?? '' };
}

/** An `http://` or `https://` URL. */
export function parseEndpointUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(`'${value}' is not a URL: write e.g. http://127.0.0.1:4566.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`'${value}' is not an http(s) URL: write e.g. http://127.0.0.1:4566.`);
  }
  return value.replace(/\/+$/, '');
}

/** One more name for `--allow-host` (repeatable, variadic): a host name, `*.suffix` or an IP address. */
export function collectAllowedHost(value: string, previous: readonly string[] | undefined): string[] {
  const name = normalizeAllowedHost(value);
  if (name === undefined) {
    throw new InvalidArgumentError(`'${value}' cannot be allowed as a Host: use ${ALLOWED_HOST_FORMS}.`);
  }
  return [...(previous ?? []), name];
}
