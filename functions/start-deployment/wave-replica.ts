import { replicaReplacedBy } from '../../core/deployment/replica-current.ts';
import { DeploymentRejected } from '../../core/errors.ts';
import { parseReplicaMetadata, stampNamesSourceVersion } from '../../core/replica-metadata.ts';
import { destinationKey } from '../../core/routing.ts';
import type { Replica, TaskInput } from '../../core/workflow.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import { sourceIdentity } from '../shared/source-pin.ts';
import { headReplica } from './replica-current.ts';

/** What a later wave deploys: the relay's replica of this source version, or why nothing (a newer build). */
export type WaveReplica = { readonly replica: Replica } | { readonly replacedBy: string };

function describeSource(input: TaskInput): string {
  const { bucket, key, versionId } = input.source;
  return `s3://${bucket}/${key}${versionId === undefined ? '' : ` (version ${versionId})`}`;
}

/**
 * The replica a later deployment wave deploys (docs/waves.md). A wave's input carries no copy result —
 * the copy ran in the first or second pass, and a Map cannot join its results back by target — so the
 * destination key is read (S3 HeadObject) and must hold the relay's replica of exactly this source
 * version, as its stamp says (core/replica-metadata.ts). A replica of a newer build there means newest
 * wins: nothing is deployed (`replacedBy`).
 *
 * @throws DeploymentRejected when the key holds nothing, or an object the relay did not make of this build
 */
export async function waveReplica(
  input: TaskInput,
  s3ClientFor: S3ClientFor,
  signal: AbortSignal | undefined,
): Promise<WaveReplica> {
  const location = {
    bucket: input.target.bucket,
    key: destinationKey(input.target, input.source.key),
    etag: '',
  };
  const head = await headReplica(s3ClientFor(input.target.region), location, input.target.account, signal);
  const where = `s3://${location.bucket}/${location.key}`;
  if (head === undefined) {
    throw new DeploymentRejected(
      `${where} holds no replica to deploy in this wave: it was deleted after the copy. Relay the source again (relay replay), then redrive this execution`,
    );
  }
  const stamp = parseReplicaMetadata(head.metadata);
  if (stamp !== undefined && stampNamesSourceVersion(stamp, sourceIdentity(input.source))) {
    return {
      replica: {
        bucket: location.bucket,
        key: location.key,
        etag: head.etag,
        ...(head.versionId === undefined ? {} : { versionId: head.versionId }),
      },
    };
  }
  const replacedBy = replicaReplacedBy(head, input, location);
  if (replacedBy !== undefined) return { replacedBy };
  throw new DeploymentRejected(
    `${where} no longer holds the relay's replica of ${describeSource(input)}: it was overwritten after the copy. Relay the source again (relay replay), then redrive this execution`,
  );
}
