import type { VerifyMode } from '../../core/config/schema.ts';
import { ConfigInvalid } from '../../core/errors.ts';
import {
  type Comparison,
  checksumProblem,
  compareChecksums,
  compareEtags,
  etagProblem,
} from '../shared/evidence.ts';
import type { ObjectFacts } from '../shared/object-facts.ts';

/** The evidence Verify uses: a comparison already made from the HEADs, or a streamed hash to make. */
export type EvidencePlan =
  | { readonly kind: 'compare'; readonly comparison: Comparison }
  | { readonly kind: 'stream' };

/**
 * Chooses the evidence per DESIGN §2: for `auto`, a checksum of the same algorithm (full-object,
 * or composite over equal part layouts), else the ETag when comparable (neither side SSE-KMS or
 * SSE-C, equal part layouts), else a streamed SHA-256 of both. `checksum`, `etag` and `stream`
 * force one.
 *
 * @throws ConfigInvalid when a forced `checksum` or `etag` cannot apply to these objects, saying why
 */
export function chooseEvidence(mode: VerifyMode, source: ObjectFacts, replica: ObjectFacts): EvidencePlan {
  switch (mode) {
    case 'stream':
      return { kind: 'stream' };
    case 'checksum': {
      const comparison = compareChecksums(source, replica);
      if (comparison === undefined) throw notApplicable('checksum', checksumProblem(source, replica));
      return { kind: 'compare', comparison };
    }
    case 'etag': {
      const comparison = compareEtags(source, replica);
      if (comparison === undefined) throw notApplicable('etag', etagProblem(source, replica));
      return { kind: 'compare', comparison };
    }
    case 'auto': {
      const comparison = compareChecksums(source, replica) ?? compareEtags(source, replica);
      return comparison === undefined ? { kind: 'stream' } : { kind: 'compare', comparison };
    }
  }
}

function notApplicable(mode: 'checksum' | 'etag', why: string | undefined): ConfigInvalid {
  return new ConfigInvalid('defaults.verify', [
    `defaults.verify: "${mode}" cannot verify this replica: ${why ?? 'not comparable'} (allowed: "auto", which picks the strongest valid evidence, or "stream")`,
  ]);
}
