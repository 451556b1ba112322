/**
 * The one evidence policy (DESIGN §2 "ETag is not a checksum", "Idempotent steps"): given the
 * source's facts, the replica's facts and the configured `verify` mode, are these the same bytes,
 * and by what proof? Used by Copy (is there anything left to copy?), Verify and `relay status`
 * (does the replica hold the source's bytes?), so that they cannot disagree. Pure: the evidence
 * rules themselves live in `verification.ts`; a streamed comparison, when needed, is the
 * caller's to make (it reads both objects). AWS facts: the S3 User Guide "Checking object
 * integrity" (checksums, ETags under SSE-KMS/SSE-C and multipart).
 */
import type { VerifyMode } from './config/schema.ts';
import type { ObjectFacts } from './object-facts.ts';
import { parseReplicaMetadata, type SourceIdentity, stampNamesSourceVersion } from './replica-metadata.ts';
import {
  type Comparison,
  checksumProblem,
  compareChecksums,
  compareEtags,
  etagProblem,
  type HeadEvidence,
} from './verification.ts';

/**
 * What the answer is for.
 *
 * - `prove` (Verify, and `relay status`, which reports what Verify would conclude): only evidence
 *   about the bytes counts — every replica the relay writes carries its stamp, so a stamp proves
 *   nothing about the bytes.
 * - `skip-copy` (Copy's idempotence check): the relay's own stamp naming this very source version
 *   also counts, and before the bytes' evidence — Verify still proves the bytes afterwards, and
 *   the one re-copy after a mismatch does not ask this question.
 */
export type EvidencePurpose =
  | { readonly kind: 'prove' }
  | {
      readonly kind: 'skip-copy';
      /** The pinned source: what a stamp must name. */
      readonly source: SourceIdentity;
      /** The replica's user metadata, where the stamp is. */
      readonly replicaMetadata: Readonly<Record<string, string>>;
    };

export interface EvidenceQuestion {
  readonly source: ObjectFacts;
  readonly replica: ObjectFacts;
  readonly verify: VerifyMode;
  readonly purpose: EvidencePurpose;
}

/** How the replica was found in sync: a checksum, the ETag, or the relay's stamp. */
export type InSyncBy = HeadEvidence | 'stamp';

/**
 * The policy's answer.
 *
 * - `in-sync`: proven the same, `by` which evidence.
 * - `differs`: proven different — by size or by the evidence named, with both values (source first).
 * - `stream`: nothing cheaper can tell; only hashing both objects' bytes can.
 * - `unverifiable`: the forced `verify` mode cannot apply to these two objects (`why` says why).
 */
export type EvidenceVerdict =
  | { readonly verdict: 'in-sync'; readonly by: InSyncBy }
  | {
      readonly verdict: 'differs';
      readonly by: 'size' | HeadEvidence;
      readonly values: readonly [string, string];
    }
  | { readonly verdict: 'stream' }
  | { readonly verdict: 'unverifiable'; readonly mode: 'checksum' | 'etag'; readonly why: string };

function stampSuffices(purpose: EvidencePurpose): boolean {
  if (purpose.kind !== 'skip-copy') return false;
  const stamp = parseReplicaMetadata(purpose.replicaMetadata);
  return stamp !== undefined && stampNamesSourceVersion(stamp, purpose.source);
}

/** A forced mode that cannot apply, and why. */
export interface Inapplicable {
  readonly mode: 'checksum' | 'etag';
  readonly why: string;
}

/** The comparison the mode allows without reading the bytes, or why a forced one cannot apply. */
function comparisonFor(
  mode: VerifyMode,
  source: ObjectFacts,
  replica: ObjectFacts,
): Comparison | Inapplicable | undefined {
  switch (mode) {
    case 'stream':
      return undefined;
    case 'checksum':
      return (
        compareChecksums(source, replica) ?? {
          mode,
          why: checksumProblem(source, replica) ?? 'not comparable',
        }
      );
    case 'etag':
      return compareEtags(source, replica) ?? { mode, why: etagProblem(source, replica) ?? 'not comparable' };
    case 'auto':
      return compareChecksums(source, replica) ?? compareEtags(source, replica);
  }
}

/** The verdict when the purpose is `prove`: in sync only ever by the bytes' evidence. */
export type ProofVerdict =
  | Exclude<EvidenceVerdict, { readonly verdict: 'in-sync' }>
  | {
      readonly verdict: 'in-sync';
      readonly by: HeadEvidence;
    };

/**
 * Decides, in this order: sizes that differ → `differs` (size must always match); for
 * `skip-copy`, a stamp naming this source version → `in-sync` by `stamp`; then the evidence the
 * mode allows — for `auto` a checksum of the same kind, else comparable ETags; `checksum` and
 * `etag` force one (`unverifiable` when it cannot apply); `stream` forces a streamed hash — and
 * what it says; with no such evidence, `stream`.
 */
export function judgeReplica(
  question: EvidenceQuestion & { readonly purpose: { readonly kind: 'prove' } },
): ProofVerdict;
export function judgeReplica(question: EvidenceQuestion): EvidenceVerdict;
export function judgeReplica(question: EvidenceQuestion): EvidenceVerdict {
  const { source, replica, verify } = question;
  if (source.size !== replica.size) {
    return { verdict: 'differs', by: 'size', values: [`${source.size} bytes`, `${replica.size} bytes`] };
  }
  if (stampSuffices(question.purpose)) return { verdict: 'in-sync', by: 'stamp' };
  const comparison = comparisonFor(verify, source, replica);
  if (comparison === undefined) return { verdict: 'stream' };
  if ('why' in comparison) return { verdict: 'unverifiable', ...comparison };
  return comparison.equal
    ? { verdict: 'in-sync', by: comparison.verifiedBy }
    : { verdict: 'differs', by: comparison.verifiedBy, values: comparison.values };
}

/** The message a forced mode that cannot apply gets (Verify raises it as ConfigInvalid). */
export function unverifiableMessage(verdict: Inapplicable): string {
  return `defaults.verify: "${verdict.mode}" cannot verify this replica: ${verdict.why} (allowed: "auto", which picks the strongest valid evidence, or "stream")`;
}
