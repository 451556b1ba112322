import { compareBuilds, describeNewer } from '../../core/build-order.ts';
import type { VerifyMode } from '../../core/config/schema.ts';
import { judgeReplica } from '../../core/evidence-policy.ts';
import { type StoredObject, sourceFacts } from '../../core/object-facts.ts';
import { parseReplicaMetadata, stampNamesObject } from '../../core/replica-metadata.ts';
import type { SourceObject } from '../../core/workflow.ts';
import { sourceIdentity } from '../shared/source-pin.ts';

/** What the destination says about the copy: make it, or leave it as it is and why. */
export type CopyDecision =
  | { readonly action: 'copy' }
  | { readonly action: 'skip'; readonly status: 'in-sync' | 'superseded'; readonly why: string };

/**
 * Decides from the destination (HEAD) whether to copy (DESIGN §2 "Idempotent steps", "Newest
 * wins"): a replica of this source key made from a newer build — by event sequencer, else by the
 * source version's LastModified (core/build-order.ts) — is `superseded` (never overwritten, even on
 * a re-copy); otherwise, unless `recopy`, a destination the evidence policy
 * (core/evidence-policy.ts, purpose `skip-copy`) finds in sync — the relay's stamp naming this
 * very source version, or the evidence `verify` allows proving the same bytes — is `in-sync`.
 * Anything else, including what only a streamed hash could tell, is copied.
 */
export function decideCopy(
  source: SourceObject,
  destination: StoredObject | undefined,
  recopy: boolean,
  verify: VerifyMode = 'auto',
): CopyDecision {
  if (destination === undefined) return { action: 'copy' };
  const stamp = parseReplicaMetadata(destination.metadata);
  if (stamp !== undefined && stampNamesObject(stamp, source)) {
    const replicaBuild = { ...stamp, bucket: source.bucket, key: source.key };
    if (compareBuilds(replicaBuild, source).order > 0) {
      return {
        action: 'skip',
        status: 'superseded',
        why: `the replica was made from a newer build (${describeNewer(replicaBuild, source)})`,
      };
    }
  }
  if (recopy) return { action: 'copy' };
  const judged = judgeReplica({
    source: sourceFacts(source),
    replica: destination,
    verify,
    purpose: { kind: 'skip-copy', source: sourceIdentity(source), replicaMetadata: destination.metadata },
  });
  if (judged.verdict !== 'in-sync') return { action: 'copy' };
  return {
    action: 'skip',
    status: 'in-sync',
    why:
      judged.by === 'stamp'
        ? 'the replica is stamped with this source version'
        : `the replica holds the same bytes (${judged.by})`,
  };
}
