/**
 * Whether the replica about to be deployed is still what its key holds (DESIGN §2 "Newest wins for
 * deployments too"): the key's current object is compared with the replica by version id, else by
 * ETag, and a different object is judged by the relay's stamp on it (core/replica-metadata.ts).
 */
import { compareBuilds, describeNewer } from '../build-order.ts';
import { sameEtag } from '../etag.ts';
import { parseReplicaMetadata, stampNamesObject } from '../replica-metadata.ts';
import type { Replica, TaskInput } from '../workflow.ts';
import type { ReplicaHead } from './ports.ts';

/**
 * When the destination key no longer holds this replica but a replica of a newer build of the same
 * source object (newest wins, core/build-order.ts), a sentence saying so — the deployment would only
 * be replaced by that build's own. Otherwise (still current, gone, or replaced by something the relay
 * did not make) `undefined`, and the deployment goes ahead with the pinned replica version.
 */
export function replicaReplacedBy(
  head: ReplicaHead | undefined,
  input: TaskInput,
  replica: Replica,
): string | undefined {
  if (head === undefined) return undefined;
  const sameVersion =
    replica.versionId !== undefined && head.versionId !== undefined
      ? replica.versionId === head.versionId
      : sameEtag(head.etag, replica.etag);
  if (sameVersion) return undefined;
  const stamp = parseReplicaMetadata(head.metadata);
  if (stamp === undefined || !stampNamesObject(stamp, input.source)) return undefined;
  const current = { ...stamp, bucket: input.source.bucket, key: input.source.key };
  if (compareBuilds(current, input.source).order <= 0) return undefined;
  return `s3://${replica.bucket}/${replica.key} now holds a replica of a newer build of s3://${input.source.bucket}/${input.source.key}${stamp.versionId === undefined ? '' : ` (version ${stamp.versionId})`} (${describeNewer(current, input.source)}); that build's execution deploys it`;
}
