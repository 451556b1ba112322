import type { VerifyMode } from '../../core/config/schema.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import { judgeReplica, unverifiableMessage } from '../../core/evidence-policy.ts';
import type { ObjectFacts } from '../../core/object-facts.ts';
import type { HeadEvidence } from '../../core/verification.ts';

/**
 * What Verify does with the evidence policy's verdict (core/evidence-policy.ts, purpose `prove`):
 * the HEADs already proved the replica the same or different, or a streamed hash must tell.
 */
export type EvidencePlan =
  | { readonly kind: 'verified'; readonly verifiedBy: HeadEvidence }
  | {
      readonly kind: 'mismatch';
      readonly verifiedBy: 'size' | HeadEvidence;
      /** Source first. */
      readonly values: readonly [string, string];
    }
  | { readonly kind: 'stream' };

/**
 * Chooses the evidence per DESIGN §2: the sizes must match; for `auto`, a checksum of the same
 * algorithm (full-object, or composite over equal part layouts), else the ETag when comparable
 * (neither side SSE-KMS or SSE-C, equal part layouts), else a streamed SHA-256 of both.
 * `checksum`, `etag` and `stream` force one. The relay's stamp never counts here: every replica
 * it writes carries one.
 *
 * @throws ConfigInvalid when a forced `checksum` or `etag` cannot apply to these objects, saying why
 */
export function chooseEvidence(mode: VerifyMode, source: ObjectFacts, replica: ObjectFacts): EvidencePlan {
  const judged = judgeReplica({ source, replica, verify: mode, purpose: { kind: 'prove' } });
  switch (judged.verdict) {
    case 'in-sync':
      return { kind: 'verified', verifiedBy: judged.by };
    case 'differs':
      return { kind: 'mismatch', verifiedBy: judged.by, values: judged.values };
    case 'stream':
      return { kind: 'stream' };
    case 'unverifiable':
      throw new ConfigInvalid('defaults.verify', [unverifiableMessage(judged)]);
  }
}
