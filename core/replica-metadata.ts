import { createHash } from 'node:crypto';
import { sameEtag, unquoteEtag } from './etag.ts';
import { utf8Length } from './s3-limits.ts';

/**
 * The user metadata (`x-amz-meta-*`) the relay stamps on every replica. It makes a replica
 * recognisable (the loop guard), names the exact source version it was made from (idempotent
 * re-runs: `in-sync`), and carries the source event's sequencer ("newest wins": `superseded`).
 *
 * Metadata values travel as HTTP headers, so they must be ASCII: the key is URL-encoded (with
 * `/` kept readable). S3 allows 2 KB of user metadata in all, so a key whose encoded form is long
 * is recorded by its SHA-256 instead (`bucket/#sha256:<hex>`; a raw `#` never appears in the
 * encoded form).
 */

/** The metadata keys (as S3 returns them: lower case, without `x-amz-meta-`). */
export const REPLICA_METADATA_KEYS = {
  source: 'relay-source',
  sourceVersion: 'relay-source-version',
  sourceEtag: 'relay-source-etag',
  sequencer: 'relay-sequencer',
  sourceModified: 'relay-source-modified',
} as const;

/** Encoded keys longer than this are recorded by hash, to stay well inside S3's 2 KB metadata limit. */
export const MAX_ENCODED_KEY_CHARS = 512;

const HASH_MARKER = '#sha256:';

/** The source of a replica, as its metadata records it. */
export interface ReplicaStamp {
  readonly bucket: string;
  /** The source key, when recorded in full. */
  readonly key?: string;
  /** SHA-256 (hex) of the source key, when the key was too long to record in full. */
  readonly keyHash?: string;
  readonly versionId?: string;
  /** Unquoted. */
  readonly etag?: string;
  readonly sequencer?: string;
  /** The source version's `LastModified` (ISO 8601): orders builds that carry no sequencer. */
  readonly lastModified?: string;
}

/** What is known about a source object. */
export interface SourceIdentity {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
  readonly sequencer?: string;
  readonly lastModified?: string;
}

type Metadata = Readonly<Record<string, string | undefined>>;

function sha256Hex(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

/** The `relay-source` value naming `bucket` and `key`. */
export function formatRelaySource(bucket: string, key: string): string {
  const encoded = encodeKey(key);
  return `${bucket}/${encoded.length > MAX_ENCODED_KEY_CHARS ? `${HASH_MARKER}${sha256Hex(key)}` : encoded}`;
}

/** The metadata to stamp on a replica of `source`. */
export function buildReplicaMetadata(source: SourceIdentity): Record<string, string> {
  return {
    [REPLICA_METADATA_KEYS.source]: formatRelaySource(source.bucket, source.key),
    ...(source.versionId === undefined ? {} : { [REPLICA_METADATA_KEYS.sourceVersion]: source.versionId }),
    ...(source.etag === undefined ? {} : { [REPLICA_METADATA_KEYS.sourceEtag]: unquoteEtag(source.etag) }),
    ...(source.sequencer === undefined ? {} : { [REPLICA_METADATA_KEYS.sequencer]: source.sequencer }),
    ...(source.lastModified === undefined
      ? {}
      : { [REPLICA_METADATA_KEYS.sourceModified]: source.lastModified }),
  };
}

function lookup(metadata: Metadata, key: string): string | undefined {
  for (const [name, value] of Object.entries(metadata)) {
    if (name.toLowerCase() === key && value !== undefined) return value;
  }
  return undefined;
}

/** Whether `metadata` (an object's user metadata) marks the object as a relay replica: the loop guard. */
export function isReplica(metadata: Metadata | undefined): boolean {
  return metadata !== undefined && lookup(metadata, REPLICA_METADATA_KEYS.source) !== undefined;
}

/**
 * Reads the stamp from an object's user metadata; `undefined` when the object is not a replica or
 * its `relay-source` is unreadable.
 */
export function parseReplicaMetadata(metadata: Metadata | undefined): ReplicaStamp | undefined {
  if (metadata === undefined) return undefined;
  const source = lookup(metadata, REPLICA_METADATA_KEYS.source);
  if (source === undefined) return undefined;
  const slash = source.indexOf('/');
  if (slash <= 0) return undefined;
  const bucket = source.slice(0, slash);
  const rest = source.slice(slash + 1);
  let keyPart: { key: string } | { keyHash: string };
  if (rest.startsWith(HASH_MARKER)) keyPart = { keyHash: rest.slice(HASH_MARKER.length) };
  else {
    try {
      keyPart = { key: decodeURIComponent(rest) };
    } catch {
      return undefined;
    }
  }
  const versionId = lookup(metadata, REPLICA_METADATA_KEYS.sourceVersion);
  const etag = lookup(metadata, REPLICA_METADATA_KEYS.sourceEtag);
  const sequencer = lookup(metadata, REPLICA_METADATA_KEYS.sequencer);
  const lastModified = lookup(metadata, REPLICA_METADATA_KEYS.sourceModified);
  return {
    bucket,
    ...keyPart,
    ...(versionId === undefined ? {} : { versionId }),
    ...(etag === undefined ? {} : { etag }),
    ...(sequencer === undefined ? {} : { sequencer }),
    ...(lastModified === undefined ? {} : { lastModified }),
  };
}

/** Whether the stamp names the object `bucket`/`key` (any version). */
export function stampNamesObject(
  stamp: ReplicaStamp,
  source: Pick<SourceIdentity, 'bucket' | 'key'>,
): boolean {
  if (stamp.bucket !== source.bucket) return false;
  if (stamp.key !== undefined) return stamp.key === source.key;
  return stamp.keyHash !== undefined && stamp.keyHash === sha256Hex(source.key);
}

/**
 * Whether the stamp names exactly this version of the source: same object, and the same version
 * id when both have one, else the same ETag. With neither to compare, it does not.
 */
export function stampNamesSourceVersion(stamp: ReplicaStamp, source: SourceIdentity): boolean {
  if (!stampNamesObject(stamp, source)) return false;
  if (stamp.versionId !== undefined && source.versionId !== undefined)
    return stamp.versionId === source.versionId;
  if (stamp.etag !== undefined && source.etag !== undefined) return sameEtag(stamp.etag, source.etag);
  return false;
}

/** The size S3 counts for user metadata: the UTF-8 bytes of every key and value. */
export function userMetadataBytes(metadata: Metadata): number {
  let total = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (value !== undefined) total += utf8Length(key) + utf8Length(value);
  }
  return total;
}
