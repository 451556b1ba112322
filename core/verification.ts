import type { VerifyMode } from './config/schema.ts';
import { sameEtag } from './etag.ts';
import type { ObjectFacts } from './object-facts.ts';
import type { Checksum, VerifiedBy } from './workflow.ts';

/**
 * Which evidence can prove two stored objects hold the same bytes (DESIGN §2 "ETag is not a
 * checksum"; the S3 User Guide "Checking object integrity" and the `ETag` entry of the S3 API
 * Reference "Object") — the one home of the rules, used at run time through the evidence policy
 * (`evidence-policy.ts`: Copy, Verify, `relay status`) and by config validation
 * (`config/consistency.ts`), so that what validation accepts is what Verify can do. Pure: it
 * decides what is comparable and what the comparison says; callers make the AWS calls.
 */

/** Encryptions under which S3's ETag is not the MD5 of the bytes (so two ETags prove nothing). */
export const ETAG_OPAQUE_ENCRYPTIONS: readonly string[] = ['aws:kms', 'aws:kms:dsse', 'SSE-C'];

/** Whether an object stored with this encryption has an ETag that is not its MD5 (unknown: no). */
export function etagHidesMd5(encryptionType: string | undefined): boolean {
  return encryptionType !== undefined && ETAG_OPAQUE_ENCRYPTIONS.includes(encryptionType);
}

/**
 * Why a forced verify mode can never verify a replica written with `targetEncryption`, or
 * `undefined` when it can (for some source objects at least). Only `etag` has such a case: a
 * replica under SSE-KMS never has an MD5 ETag, whatever the source. (`checksum` can always work:
 * every copy asks S3 for a checksum; `auto` and `stream` always work.)
 */
export function impossibleVerifyMode(mode: VerifyMode, targetEncryption: string): string | undefined {
  if (mode === 'etag' && etagHidesMd5(targetEncryption)) {
    return 'the ETag of an SSE-KMS object is not the MD5 of its bytes, so an ETag comparison can never verify this replica (Verify fails every copy with ConfigInvalid)';
  }
  return undefined;
}

/** Evidence read from the two objects' HEADs (a streamed hash is the other kind). */
export type HeadEvidence = Exclude<VerifiedBy, 'stream:sha256'>;

/** A comparison of one kind of evidence. */
export interface Comparison {
  readonly verifiedBy: HeadEvidence;
  readonly equal: boolean;
  /** The two values compared (source first), for messages. */
  readonly values: readonly [string, string];
}

function describeChecksum(checksum: Checksum | undefined): string {
  return checksum === undefined ? 'none' : `${checksum.algorithm} (${checksum.type})`;
}

/**
 * Why the two objects' checksums cannot be compared, or `undefined` when they can: the same
 * algorithm, both full-object, or both composite over the same number of parts.
 */
export function checksumProblem(a: ObjectFacts, b: ObjectFacts): string | undefined {
  if (a.checksum === undefined || b.checksum === undefined) {
    return `a checksum is missing (source: ${describeChecksum(a.checksum)}, replica: ${describeChecksum(b.checksum)})`;
  }
  if (a.checksum.algorithm !== b.checksum.algorithm) {
    return `the algorithms differ (source: ${describeChecksum(a.checksum)}, replica: ${describeChecksum(b.checksum)})`;
  }
  if (a.checksum.type !== b.checksum.type) {
    return `one checksum is full-object and the other composite (source: ${describeChecksum(a.checksum)}, replica: ${describeChecksum(b.checksum)})`;
  }
  if (a.checksum.type === 'COMPOSITE' && a.partCount !== b.partCount) {
    return `composite checksums over different part layouts (source: ${a.partCount ?? 1} parts, replica: ${b.partCount ?? 1} parts)`;
  }
  return undefined;
}

/** The checksum comparison, when the checksums are comparable. */
export function compareChecksums(a: ObjectFacts, b: ObjectFacts): Comparison | undefined {
  if (checksumProblem(a, b) !== undefined || a.checksum === undefined || b.checksum === undefined)
    return undefined;
  return {
    verifiedBy: `checksum:${a.checksum.algorithm}`,
    equal: a.checksum.value === b.checksum.value,
    values: [a.checksum.value, b.checksum.value],
  };
}

/**
 * Why the two objects' ETags cannot be compared, or `undefined` when they can: neither side under
 * SSE-KMS, DSSE-KMS or SSE-C, and the same part layout (both single-part, or both `-N` with the
 * same N).
 */
export function etagProblem(a: ObjectFacts, b: ObjectFacts): string | undefined {
  if (etagHidesMd5(a.encryption?.type) || etagHidesMd5(b.encryption?.type)) {
    return `an ETag under SSE-KMS or SSE-C is not an MD5 of the bytes (source: ${a.encryption?.type ?? 'unknown'}, replica: ${b.encryption?.type ?? 'unknown'})`;
  }
  if (a.partCount !== b.partCount) {
    return `the part layouts differ (source: ${a.partCount === undefined ? 'single part' : `${a.partCount} parts`}, replica: ${b.partCount === undefined ? 'single part' : `${b.partCount} parts`})`;
  }
  return undefined;
}

/** The ETag comparison, when the ETags are comparable. */
export function compareEtags(a: ObjectFacts, b: ObjectFacts): Comparison | undefined {
  if (etagProblem(a, b) !== undefined) return undefined;
  return { verifiedBy: 'etag', equal: sameEtag(a.etag, b.etag), values: [a.etag, b.etag] };
}

/**
 * The strongest comparable evidence without reading the bytes: a checksum, else the ETag.
 * `undefined` when neither is comparable (only a streamed hash can tell).
 */
export function strongestEvidence(a: ObjectFacts, b: ObjectFacts): Comparison | undefined {
  return compareChecksums(a, b) ?? compareEtags(a, b);
}
