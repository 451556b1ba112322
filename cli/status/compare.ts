/**
 * Whether a replica holds the source's bytes, by the one evidence policy (core/evidence-policy.ts,
 * purpose `prove`) — the question Verify asks, under the configured `verify` mode, so `relay status`
 * and Verify cannot disagree: sizes, then a checksum of the same kind, else comparable ETags, else a
 * streamed SHA-256 of both. When it does not, the replica's metadata says whether it was made from
 * a newer version of the same object (superseded) or is simply different.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { VerifyMode } from '../../core/config/schema.ts';
import { judgeReplica, unverifiableMessage } from '../../core/evidence-policy.ts';
import type { StoredObject } from '../../core/object-facts.ts';
import { parseReplicaMetadata, type ReplicaStamp, stampNamesObject } from '../../core/replica-metadata.ts';
import { sameDigest } from '../../core/stream-digest.ts';
import { streamedDigest } from './objects.ts';

/** `error`: the replica could not be read (access denied, region unreachable…) or cannot be verified. */
export type SyncStatus = 'in-sync' | 'superseded' | 'missing' | 'different' | 'error';

export interface Located {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly key: string;
  readonly facts: StoredObject;
  readonly expectedOwner?: string | undefined;
}

export interface Comparison {
  /** `unverifiable`: the configured `verify` mode cannot apply to these two objects (Verify fails it). */
  readonly status: 'in-sync' | 'not-equal' | 'unverifiable';
  /** The evidence that proved it in sync, or what differs, or why it cannot be verified. */
  readonly evidence: string;
}

async function streamed(source: Located, replica: Located): Promise<boolean> {
  const read = (o: Located) =>
    streamedDigest(o.s3, {
      bucket: o.bucket,
      key: o.key,
      versionId: o.facts.versionId,
      etag: o.facts.etag,
      expectedOwner: o.expectedOwner,
    });
  const [a, b] = await Promise.all([read(source), read(replica)]);
  return sameDigest(a, b);
}

export async function compareReplica(
  source: Located,
  replica: Located,
  verify: VerifyMode,
): Promise<Comparison> {
  const judged = judgeReplica({
    source: source.facts,
    replica: replica.facts,
    verify,
    purpose: { kind: 'prove' },
  });
  switch (judged.verdict) {
    case 'in-sync':
      return { status: 'in-sync', evidence: judged.by };
    case 'differs':
      return judged.by === 'size'
        ? {
            status: 'not-equal',
            evidence: `sizes differ (source ${source.facts.size} bytes, replica ${replica.facts.size})`,
          }
        : { status: 'not-equal', evidence: `${judged.by} differs` };
    case 'unverifiable':
      return { status: 'unverifiable', evidence: unverifiableMessage(judged) };
    case 'stream':
      return (await streamed(source, replica))
        ? { status: 'in-sync', evidence: 'stream:sha256' }
        : { status: 'not-equal', evidence: 'stream:sha256 differs' };
  }
}

/** The replica's stamp when it names the same source object. */
export function stampOfSameObject(
  replica: StoredObject,
  source: { bucket: string; key: string },
): ReplicaStamp | undefined {
  const stamp = parseReplicaMetadata(replica.metadata);
  return stamp !== undefined && stampNamesObject(stamp, source) ? stamp : undefined;
}
