import { sameEtag } from '../../core/etag.ts';
import { etagHidesMd5 } from '../../core/verification.ts';
import type { Checksum, VerifiedBy } from '../../core/workflow.ts';
import type { ObjectFacts } from './object-facts.ts';

/**
 * Which evidence can prove two stored objects hold the same bytes (DESIGN §2 "ETag is not a
 * checksum"). Pure: it decides what is comparable and what the comparison says; the callers make
 * the AWS calls.
 */

/** A comparison of one kind of evidence. */
export interface Comparison {
  readonly verifiedBy: VerifiedBy;
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

/** Encryption under which S3's ETag is not the MD5 of the bytes (the rule lives in core). */
function hidesMd5(facts: ObjectFacts): boolean {
  return etagHidesMd5(facts.encryption?.type);
}

/**
 * Why the two objects' ETags cannot be compared, or `undefined` when they can: neither side under
 * SSE-KMS, DSSE-KMS or SSE-C, and the same part layout (both single-part, or both `-N` with the
 * same N).
 */
export function etagProblem(a: ObjectFacts, b: ObjectFacts): string | undefined {
  if (hidesMd5(a) || hidesMd5(b)) {
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
