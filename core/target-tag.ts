import type { TargetBucketTagConfig } from './config/schema.ts';
import { globAdmits } from './glob.ts';
import { parseTargetSelector } from './target-selector.ts';

/**
 * The classic `TargetBucket` tag convention: the source bucket carries a tag whose value lists
 * space-separated `bucket` or `bucket@region` entries. The relay honours an entry only when the
 * source enables the convention and an allowlist glob admits the bucket — a tag must never send
 * artifacts to a bucket nobody approved. A refused entry is reported, not silently dropped.
 */

/** Why a tag (or request) entry was not relayed to. */
export const REJECTION_REASONS = ['tag-disabled', 'malformed', 'not-allowed', 'not-configured'] as const;

/** Why a tag (or request) entry was not relayed to. */
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** A target entry the relay refused, and why. */
export interface RejectedEntry {
  /** Where the entry came from. */
  readonly from: 'tag' | 'request';
  readonly entry: string;
  readonly reason: RejectionReason;
  readonly message: string;
}

/** A tag entry the allowlist admitted. */
export interface AdmittedTagEntry {
  readonly entry: string;
  readonly bucket: string;
  readonly region: string;
}

/** The outcome of reading one tag value. */
export interface TagEntries {
  readonly admitted: readonly AdmittedTagEntry[];
  readonly rejected: readonly RejectedEntry[];
}

/** Splits a tag value into its entries (any whitespace separates; empty entries are ignored). */
export function splitTagValue(value: string): string[] {
  return value.split(/\s+/).filter((entry) => entry !== '');
}

/**
 * Reads a `TargetBucket` tag value against a source's settings. Entries without `@region` go to
 * the source's region.
 *
 * @param settings the source's `targetBucketTag` (absent = disabled)
 * @param sourceRegion the source bucket's region
 */
export function readTargetBucketTag(
  value: string,
  settings: TargetBucketTagConfig | undefined,
  sourceRegion: string,
): TagEntries {
  const admitted: AdmittedTagEntry[] = [];
  const rejected: RejectedEntry[] = [];
  const seen = new Set<string>();
  for (const entry of splitTagValue(value)) {
    const reject = (reason: RejectionReason, message: string): void => {
      rejected.push({ from: 'tag', entry, reason, message });
    };
    if (settings?.enabled !== true) {
      reject(
        'tag-disabled',
        `the source does not enable targetBucketTag, so the tag entry "${entry}" is ignored`,
      );
      continue;
    }
    const selector = parseTargetSelector(entry);
    if ('problem' in selector) {
      reject('malformed', `the tag entry "${entry}" is not "bucket" or "bucket@region": ${selector.problem}`);
      continue;
    }
    const { bucket } = selector;
    const region = selector.region ?? sourceRegion;
    if (!settings.allowedBuckets.some((glob) => globAdmits(glob, bucket, region))) {
      reject(
        'not-allowed',
        `the tag names ${bucket}@${region}, which targetBucketTag.allowedBuckets (${settings.allowedBuckets.join(', ')}) does not admit`,
      );
      continue;
    }
    const id = `${bucket}@${region}`;
    if (!seen.has(id)) {
      seen.add(id);
      admitted.push({ entry, bucket, region });
    }
  }
  return { admitted, rejected };
}

/** One tag of a bucket's tag set, as S3 GetBucketTagging returns it (`TagSet` of `Key`/`Value`). */
export interface BucketTag {
  readonly Key?: string | undefined;
  readonly Value?: string | undefined;
}

/** The error code GetBucketTagging answers for a bucket that has no tags at all. */
export const NO_TAG_SET_CODE = 'NoSuchTagSet';

/**
 * The value of the source bucket's `TargetBucket` tag (named `tagKey`) in its tag set, or
 * `undefined` when the bucket has no such tag. The GetBucketTagging call is the caller's (the
 * ResolveTargets task, `relay status`); a `NoSuchTagSet` answer means the same as no such tag.
 */
export function targetTagValue(tagSet: readonly BucketTag[] | undefined, tagKey: string): string | undefined {
  return tagSet?.find((tag) => tag.Key === tagKey)?.Value;
}
