import { createHash } from 'node:crypto';
import { InvalidInput } from './errors.ts';

/**
 * Execution names and event ordering.
 *
 * A Step Functions execution name is 1-80 characters; names restricted to `A-Z a-z 0-9 - _`
 * are valid everywhere (they also keep CloudWatch logging working). Naming an execution after
 * the object version makes StartExecution idempotent: a duplicate event for the same version
 * gets `ExecutionAlreadyExists` instead of a second run.
 */

/** Longest execution name Step Functions accepts. */
export const MAX_EXECUTION_NAME_LENGTH = 80;

/** Hex characters of the hash suffix (96 bits: collisions are negligible). */
const HASH_CHARS = 24;

const EXECUTION_NAME = /^[A-Za-z0-9_-]{1,80}$/;

/** Whether `name` is a valid execution name of the form this module produces. */
export function isValidExecutionName(name: string): boolean {
  return EXECUTION_NAME.test(name);
}

function readablePart(key: string): string {
  const base =
    key
      .split('/')
      .filter((segment) => segment !== '')
      .at(-1) ?? '';
  const cleaned = base
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-_]+|[-_]+$/g, '');
  return cleaned === '' ? 'object' : cleaned;
}

/**
 * A deterministic execution name for relaying one version of one object: a readable part taken
 * from the key's last segment, then a hash of bucket, key and version (or ETag) — and of `salt`,
 * which lets an operator deliberately start a fresh execution for the same version.
 *
 * @param pin the version id, else the ETag, else `undefined`
 */
export function executionName(bucket: string, key: string, pin: string | undefined, salt?: string): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([bucket, key, pin ?? null, salt ?? null]), 'utf8')
    .digest('hex')
    .slice(0, HASH_CHARS);
  const room = MAX_EXECUTION_NAME_LENGTH - HASH_CHARS - 1;
  const readable =
    readablePart(key)
      .slice(0, room)
      .replace(/[-_]+$/, '') || 'object';
  return `${readable}-${hash}`;
}

const HEX = /^[0-9A-Fa-f]+$/;

/**
 * Orders two S3 event sequencers of the same key: -1 when `a` is older, 1 when newer, 0 when
 * equal. Sequencers are hexadecimal of varying length; they compare after left-padding the
 * shorter with zeros (upper-cased, lexicographically), as S3 documents.
 *
 * @throws InvalidInput when either is not hexadecimal
 */
export function compareSequencers(a: string, b: string): -1 | 0 | 1 {
  for (const value of [a, b]) {
    if (!HEX.test(value))
      throw new InvalidInput(`${JSON.stringify(value)} is not an S3 sequencer (hexadecimal)`);
  }
  const width = Math.max(a.length, b.length);
  const left = a.toUpperCase().padStart(width, '0');
  const right = b.toUpperCase().padStart(width, '0');
  return left < right ? -1 : left > right ? 1 : 0;
}
