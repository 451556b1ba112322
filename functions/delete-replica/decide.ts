import { compareSequencers } from '../../core/naming.ts';
import { parseReplicaMetadata, stampNamesObject } from '../../core/replica-metadata.ts';
import type { DeletedSource, DeleteReplicaStatus } from '../../core/workflow-delete.ts';

/**
 * Whether the object found at a target's destination key may be deleted because its source was:
 * only a replica the relay made of that very source object (its `relay-source` metadata names the
 * source bucket and key, core/replica-metadata.ts), and only one made from a source upload not newer
 * than the deletion (newest wins, DESIGN §2: a replica of a build uploaded after the delete
 * survives). Pure: the caller HEADs the object and sends the delete.
 */

/** What to do with the object at the destination key. */
export type DeleteDecision =
  | { readonly action: 'delete'; readonly detail: string }
  | {
      readonly action: 'keep';
      readonly status: Exclude<DeleteReplicaStatus, 'deleted' | 'absent'>;
      readonly detail: string;
    };

/** The metadata of the object found (user metadata, as HeadObject returns it). */
export type FoundMetadata = Readonly<Record<string, string | undefined>> | undefined;

function describe(source: DeletedSource): string {
  return `s3://${source.bucket}/${source.key}`;
}

/**
 * Orders the replica's source upload against the deletion: by S3 sequencer when both carry one (the
 * sequencers of one key's events order them, S3 User Guide "Event message structure"), else by the
 * source's `LastModified` against the deletion's event time (strictly earlier only).
 */
function replicaIsOlder(
  stamp: { readonly sequencer?: string; readonly lastModified?: string },
  source: DeletedSource,
): { readonly older: boolean; readonly how: string } {
  if (stamp.sequencer !== undefined && source.sequencer !== undefined) {
    const order = compareSequencers(stamp.sequencer, source.sequencer);
    return {
      older: order <= 0,
      how: `its source sequencer ${stamp.sequencer} ${order <= 0 ? 'is not newer than' : 'is newer than'} the deletion's ${source.sequencer}`,
    };
  }
  if (stamp.lastModified !== undefined && source.eventTime !== undefined) {
    const made = Date.parse(stamp.lastModified);
    const deleted = Date.parse(source.eventTime);
    if (Number.isFinite(made) && Number.isFinite(deleted)) {
      return {
        older: made < deleted,
        how: `its source was last modified ${stamp.lastModified}, ${made < deleted ? 'before' : 'not before'} the deletion at ${source.eventTime}`,
      };
    }
  }
  return {
    older: false,
    how: 'neither a sequencer nor a modification time orders it against the deletion, so it cannot be proven older',
  };
}

/** Decides what to do with the object found at the destination key of a deleted source. */
export function decideDeletion(metadata: FoundMetadata, source: DeletedSource): DeleteDecision {
  const stamp = parseReplicaMetadata(metadata);
  if (stamp === undefined) {
    return {
      action: 'keep',
      status: 'not-a-replica',
      detail: `The object carries no relay metadata (x-amz-meta-relay-source): it is not a replica the relay made, so it was left alone`,
    };
  }
  if (!stampNamesObject(stamp, source)) {
    return {
      action: 'keep',
      status: 'not-a-replica',
      detail: `The object is a replica of another source object (${stamp.bucket}/${stamp.key ?? '…'}), not of ${describe(source)}, so it was left alone`,
    };
  }
  if (source.deletion === 'permanent' && source.versionId !== undefined && stamp.versionId !== undefined) {
    // One version of a versioned source was removed for good: only its own replica goes.
    return stamp.versionId === source.versionId
      ? {
          action: 'delete',
          detail: `The replica was made from version ${source.versionId} of ${describe(source)}, which was deleted`,
        }
      : {
          action: 'keep',
          status: 'other-version',
          detail: `The replica was made from version ${stamp.versionId} of ${describe(source)}; the deletion removed version ${source.versionId} only, so it was left alone`,
        };
  }
  const order = replicaIsOlder(stamp, source);
  return order.older
    ? {
        action: 'delete',
        detail: `The replica of ${describe(source)} was made before the deletion: ${order.how}`,
      }
    : {
        action: 'keep',
        status: 'newer-replica',
        detail: `The replica of ${describe(source)} may come from an upload after the deletion (${order.how}), so it was left alone`,
      };
}
