/**
 * Whether a replica holds the source's bytes, by the strongest evidence that is valid (DESIGN §2):
 * a checksum of the same kind, else comparable ETags, else the relay's own metadata naming this
 * source version, else a streamed SHA-256 of both. When it does not, the replica's metadata says
 * whether it was made from a newer version of the same object (superseded) or is simply different.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  parseReplicaMetadata,
  type ReplicaStamp,
  stampNamesObject,
  stampNamesSourceVersion,
} from '../../core/replica-metadata.ts';
import { strongestEvidence } from '../../functions/shared/evidence.ts';
import type { StoredObject } from '../../functions/shared/object-facts.ts';
import { streamSha256 } from '../../functions/verify-copy/stream-hash.ts';

/** `error`: the replica could not be read (access denied, region unreachable…). */
export type SyncStatus = 'in-sync' | 'superseded' | 'missing' | 'different' | 'error';

export interface Located {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly facts: StoredObject;
  readonly expectedOwner?: string | undefined;
}

export interface Comparison {
  readonly status: 'in-sync' | 'not-equal';
  /** The evidence that proved it in sync, or what differs. */
  readonly evidence: string;
}

function pin(o: Located): { VersionId?: string; IfMatch?: string } {
  return o.facts.versionId === undefined
    ? { IfMatch: `"${o.facts.etag}"` }
    : { VersionId: o.facts.versionId };
}

async function streamed(source: Located, replica: Located): Promise<boolean> {
  const read = (o: Located, side: 'source' | 'target') =>
    streamSha256(
      o.s3,
      {
        bucket: o.bucket,
        key: o.key,
        pin: pin(o),
        ...(o.expectedOwner === undefined ? {} : { expectedBucketOwner: o.expectedOwner }),
      },
      { operation: 's3:GetObject', side, bucket: o.bucket, key: o.key },
      undefined,
    );
  const [a, b] = await Promise.all([read(source, 'source'), read(replica, 'target')]);
  return a.sha256 === b.sha256 && a.bytes === b.bytes;
}

export async function compareReplica(source: Located, replica: Located): Promise<Comparison> {
  if (source.facts.size !== replica.facts.size) {
    return {
      status: 'not-equal',
      evidence: `sizes differ (source ${source.facts.size} bytes, replica ${replica.facts.size})`,
    };
  }
  const evidence = strongestEvidence(source.facts, replica.facts);
  if (evidence !== undefined) {
    return evidence.equal
      ? { status: 'in-sync', evidence: evidence.verifiedBy }
      : { status: 'not-equal', evidence: `${evidence.verifiedBy} differs` };
  }
  const stamp = parseReplicaMetadata(replica.facts.metadata);
  const identity = {
    bucket: source.bucket,
    key: source.key,
    ...(source.facts.versionId === undefined ? {} : { versionId: source.facts.versionId }),
    etag: source.facts.etag,
  };
  if (stamp !== undefined && stampNamesSourceVersion(stamp, identity)) {
    return { status: 'in-sync', evidence: 'relay metadata (made from this source version)' };
  }
  return (await streamed(source, replica))
    ? { status: 'in-sync', evidence: 'stream:sha256' }
    : { status: 'not-equal', evidence: 'stream:sha256 differs' };
}

/** The replica's stamp when it names the same source object. */
export function stampOfSameObject(
  replica: StoredObject,
  source: { bucket: string; key: string },
): ReplicaStamp | undefined {
  const stamp = parseReplicaMetadata(replica.metadata);
  return stamp !== undefined && stampNamesObject(stamp, source) ? stamp : undefined;
}
