import type { RuleConfig } from './config/schema.ts';

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
 *
 * Sources with a rule that propagates deletes (`propagateDeletes`) also admit `Object Deleted`, but
 * only for the keys of those rules. EventBridge cannot tie a `detail-type` to a key filter inside
 * one pattern except through the event's content: S3 sets `detail.deletion-type` on every
 * `Object Deleted` event and on no other (S3 User Guide, "EventBridge event message structure"), so
 * a `$or` inside `detail` (Amazon EventBridge User Guide, "Comparison operators": `$or`, `exists`)
 * admits creations of any rule's keys and deletions of the propagating rules' keys. The pattern of a
 * source without such a rule is exactly the `Object Created` pattern it always was.
 */

/** One entry of the key filter. */
export type KeyFilter =
  | { readonly prefix: string }
  | { readonly suffix: string }
  | { readonly wildcard: string };

/** The S3 EventBridge detail types the relay starts on. */
export type RelayDetailType = 'Object Created' | 'Object Deleted';

/** A `detail.deletion-type` presence test: set on `Object Deleted` events only. */
export interface DeletionTypeBranch {
  readonly 'deletion-type': readonly [{ readonly exists: boolean }];
  /** Absent when the branch admits every key. */
  readonly object?: { readonly key: readonly KeyFilter[] };
}

/**
 * The pattern of the S3 events that start the relay for one bucket: `Object Created` for the keys
 * any rule matches and — when a rule propagates deletes — `Object Deleted` for that rule's keys.
 */
export interface ObjectCreatedPattern {
  readonly source: readonly ['aws.s3'];
  readonly 'detail-type': readonly ['Object Created'] | readonly ['Object Created', 'Object Deleted'];
  readonly detail: {
    readonly bucket: { readonly name: readonly [string] };
    /** Absent when a rule of the source matches every key. */
    readonly object?: { readonly key: readonly KeyFilter[] };
    /**
     * Present when deletes are admitted for fewer keys than creations: a creation (no
     * `deletion-type`) of any key above, or a deletion of a propagating rule's key.
     */
    readonly $or?: readonly [DeletionTypeBranch, DeletionTypeBranch];
  };
}

/** A rule as the pattern reads it. */
export type PatternRule = Pick<RuleConfig, 'prefix' | 'suffix'> & {
  readonly propagateDeletes?: boolean | undefined;
};

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

/** The key filters admitting exactly the keys any of `rules` matches; `undefined` when one matches every key. */
export function keyFiltersOf(
  rules: readonly Pick<RuleConfig, 'prefix' | 'suffix'>[],
): KeyFilter[] | undefined {
  const filters: KeyFilter[] = [];
  const seen = new Set<string>();
  for (const rule of rules) {
    const filter = keyFilterOf(rule);
    if (filter === undefined) return undefined;
    const id = JSON.stringify(filter);
    if (!seen.has(id)) {
      seen.add(id);
      filters.push(filter);
    }
  }
  return filters;
}

function sameFilters(a: readonly KeyFilter[] | undefined, b: readonly KeyFilter[] | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const ids = new Set(a.map((filter) => JSON.stringify(filter)));
  return a.length === b.length && b.every((filter) => ids.has(JSON.stringify(filter)));
}

/**
 * The EventBridge pattern for `source`: its bucket, creations of keys any of its rules match, and
 * deletions of keys its `propagateDeletes` rules match (none when no rule propagates deletes).
 */
export function buildEventPattern(source: {
  readonly bucket: string;
  readonly rules: readonly PatternRule[];
}): ObjectCreatedPattern {
  const bucket = { name: [source.bucket] as const };
  const created = source.rules.length === 0 ? [] : keyFiltersOf(source.rules);
  const detail =
    created === undefined || created.length === 0 ? { bucket } : { bucket, object: { key: created } };
  const propagating = source.rules.filter((rule) => rule.propagateDeletes === true);
  if (propagating.length === 0) {
    return { source: ['aws.s3'], 'detail-type': ['Object Created'], detail };
  }
  const deleted = keyFiltersOf(propagating);
  const withDeletes = ['Object Created', 'Object Deleted'] as const;
  if (sameFilters(created, deleted)) return { source: ['aws.s3'], 'detail-type': withDeletes, detail };
  return {
    source: ['aws.s3'],
    'detail-type': withDeletes,
    detail: {
      ...detail,
      $or: [
        { 'deletion-type': [{ exists: false }] },
        {
          'deletion-type': [{ exists: true }],
          ...(deleted === undefined ? {} : { object: { key: deleted } }),
        },
      ],
    },
  };
}
