import type { StoredObject } from '../../core/object-facts.ts';
import type { CopyResult, ObjectLocation, Replica } from '../../core/workflow.ts';
import { factsFromHead } from './replica-facts.ts';

/** A replica's description from its HEAD. */
export function replicaOf(
  destination: ObjectLocation,
  stored: Pick<StoredObject, 'etag' | 'versionId'>,
): Replica {
  return {
    bucket: destination.bucket,
    key: destination.key,
    ...(stored.versionId === undefined ? {} : { versionId: stored.versionId }),
    etag: stored.etag,
  };
}

/** The source version is gone: nothing copied. */
export function sourceGone(destination: ObjectLocation): CopyResult {
  return {
    status: 'source-gone',
    bytes: 0,
    destination: { bucket: destination.bucket, key: destination.key },
  };
}

/**
 * The source changed since the event (a newer object replaced it): `superseded`, pointing at the
 * object now at the destination — or `source-gone` when there is none, since the contract's
 * superseded result names an existing replica.
 */
export function sourceChanged(destination: ObjectLocation, existing: StoredObject | undefined): CopyResult {
  return existing === undefined
    ? sourceGone(destination)
    : { status: 'superseded', bytes: 0, destination: replicaOf(destination, existing) };
}

/**
 * The destination left as it is: it already holds these bytes (`in-sync`, with what its HEAD
 * reported) or a newer replica (`superseded`).
 */
export function skipped(
  destination: ObjectLocation,
  status: 'in-sync' | 'superseded',
  existing: StoredObject,
): CopyResult {
  return status === 'in-sync'
    ? {
        status,
        bytes: existing.size,
        destination: replicaOf(destination, existing),
        replicaFacts: factsFromHead(existing),
      }
    : { status, bytes: 0, destination: replicaOf(destination, existing) };
}
