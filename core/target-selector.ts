import { bucketNameProblem, isRegion } from './aws-names.ts';

/**
 * `bucket` / `bucket@region` entries, as the `TargetBucket` tag and the CLI's target selection
 * write them.
 */

/** An entry, split. `region` is absent when the entry does not name one. */
export interface TargetSelector {
  readonly bucket: string;
  readonly region?: string;
}

/** Splits and validates a `bucket` / `bucket@region` entry, or says what is wrong with it. */
export function parseTargetSelector(entry: string): TargetSelector | { readonly problem: string } {
  const at = entry.indexOf('@');
  const bucket = at === -1 ? entry : entry.slice(0, at);
  const region = at === -1 ? undefined : entry.slice(at + 1);
  const bucketProblem = bucketNameProblem(bucket);
  if (bucketProblem !== undefined) return { problem: bucketProblem };
  if (region !== undefined && !isRegion(region)) return { problem: `"${region}" is not an AWS region code` };
  return region === undefined ? { bucket } : { bucket, region };
}
