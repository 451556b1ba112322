import { compareBuilds, describeNewer } from '../../core/build-order.ts';
import {
  parseReplicaMetadata,
  stampNamesObject,
  stampNamesSourceVersion,
} from '../../core/replica-metadata.ts';
import type { SourceObject } from '../../core/workflow.ts';
import { strongestEvidence } from '../shared/evidence.ts';
import { type StoredObject, sourceFacts } from '../shared/object-facts.ts';
import { sourceIdentity } from '../shared/source-pin.ts';

/** What the destination says about the copy: make it, or leave it as it is and why. */
export type CopyDecision =
  | { readonly action: 'copy' }
  | { readonly action: 'skip'; readonly status: 'in-sync' | 'superseded'; readonly why: string };

/**
 * Decides from the destination (HEAD) whether to copy (DESIGN §2 "Idempotent steps", "Newest
 * wins"): a replica of this source key made from a newer build — by event sequencer, else by the
 * source version's LastModified (core/build-order.ts) — is `superseded` (never overwritten, even on
 * a re-copy); otherwise, unless `recopy`, a destination of the same size that
 * the relay stamped from this very source version, or whose checksum or ETag proves the same
 * bytes, is `in-sync`.
 */
export function decideCopy(
  source: SourceObject,
  destination: StoredObject | undefined,
  recopy: boolean,
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
  if (recopy || destination.size !== source.size) return { action: 'copy' };
  if (stamp !== undefined && stampNamesSourceVersion(stamp, sourceIdentity(source))) {
    return { action: 'skip', status: 'in-sync', why: 'the replica is stamped with this source version' };
  }
  const evidence = strongestEvidence(sourceFacts(source), destination);
  if (evidence?.equal === true) {
    return {
      action: 'skip',
      status: 'in-sync',
      why: `the replica holds the same bytes (${evidence.verifiedBy})`,
    };
  }
  return { action: 'copy' };
}
