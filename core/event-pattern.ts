import type { RuleConfig, SourceConfig } from './config/schema.ts';

/**
 * The EventBridge pattern that starts the workflow for one source bucket. Built once, here,
 * and used by both the CDK rule and the local EventBridge bridge, so that the deployed and the
 * local run cannot drift.
 *
 * EventBridge ORs the entries of a value array, and ANDs fields. A key with both a prefix and a
 * suffix therefore cannot be two entries; it becomes one `wildcard` entry `prefix*suffix` with
 * `*` and `\` escaped as `\*` and `\\` (EventBridge rejects other escapes and consecutive `*`,
 * which the escaping rules out). Such a key must hold the prefix and the suffix without overlap,
 * which is exactly how `matchRules` reads a rule.
 */

/** One entry of the key filter. */
export type KeyFilter =
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly wildcard: string };

/** The pattern of an S3 `Object Created` event for one bucket. */
export interface ObjectCreatedPattern {
  readonly source: readonly ['aws.s3'];
  readonly 'detail-type': readonly ['Object Created'];
  readonly detail: {
    readonly bucket: { readonly name: readonly [string] };
    /** Absent when a rule of the source matches every key. */
    readonly object?: { readonly key: readonly KeyFilter[] };
  };
}

/** EventBridge's default limit on the size of an event pattern, in characters. */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/** Escapes `value` for use as literal text inside an EventBridge `wildcard` filter. */
export function escapeWildcard(value: string): string {
  return value.replace(/[\\*]/g, (char) => `\\${char}`);
}

/** The key filter entry of one rule, or `undefined` when the rule matches every key. */
export function keyFilterOf(rule: Pick<RuleConfig, 'prefix' | 'suffix'>): KeyFilter | undefined {
  const { prefix, suffix } = rule;
  if (prefix !== undefined && suffix !== undefined) {
    return { wildcard: `${escapeWildcard(prefix)}*${escapeWildcard(suffix)}` };
  }
  if (prefix !== undefined) return { prefix };
  if (suffix !== undefined) return { suffix };
  return undefined;
}

/** The EventBridge pattern for `source`: its bucket, and keys any of its rules match. */
export function buildEventPattern(source: Pick<SourceConfig, 'bucket' | 'rules'>): ObjectCreatedPattern {
  const filters: KeyFilter[] = [];
  const seen = new Set<string>();
  let matchesEveryKey = false;
  for (const rule of source.rules) {
    const filter = keyFilterOf(rule);
    if (filter === undefined) {
      matchesEveryKey = true;
      break;
    }
    const id = JSON.stringify(filter);
    if (!seen.has(id)) {
      seen.add(id);
      filters.push(filter);
    }
  }
  const bucket = { name: [source.bucket] as const };
  return {
    source: ['aws.s3'],
    'detail-type': ['Object Created'],
    detail: matchesEveryKey || filters.length === 0 ? { bucket } : { bucket, object: { key: filters } },
  };
}
