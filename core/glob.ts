/**
 * Bucket globs of the `TargetBucket` tag allowlist: `*` matches any run of characters (also
 * none), `?` exactly one; every other character matches itself. A glob containing `@` is matched
 * against `bucket@region`, one without against the bucket name alone.
 */

/** The characters a bucket glob may contain (bucket and region characters, `@`, `*`, `?`). */
export const BUCKET_GLOB_PATTERN = '^[a-z0-9.*?-]+(@[a-z0-9*?-]+)?$';

const BUCKET_GLOB_REGEX = new RegExp(BUCKET_GLOB_PATTERN);

/** Whether `glob` is a well-formed bucket glob. */
export function isBucketGlob(glob: string): boolean {
  return BUCKET_GLOB_REGEX.test(glob);
}

function globToRegExp(glob: string): RegExp {
  let source = '';
  for (const char of glob) {
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else source += char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/** Whether the target `bucket` in `region` is admitted by `glob`. */
export function globAdmits(glob: string, bucket: string, region: string): boolean {
  const subject = glob.includes('@') ? `${bucket}@${region}` : bucket;
  return globToRegExp(glob).test(subject);
}
