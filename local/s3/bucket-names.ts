/**
 * S3's general-purpose bucket naming rules (user guide, "Bucket naming rules"). Region names are
 * core/aws-names.ts's `isRegion`.
 */

const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];

/**
 * Whether `name` is a valid bucket name: 3–63 characters of lower-case letters, digits, dots and hyphens,
 * starting and ending with a letter or digit, no adjacent dots (or dot next to hyphen), not an IP address,
 * and none of the reserved prefixes and suffixes.
 */
export function isValidBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) return false;
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(name)) return false;
  if (RESERVED_PREFIXES.some((p) => name.startsWith(p))) return false;
  if (RESERVED_SUFFIXES.some((s) => name.endsWith(s))) return false;
  return true;
}
