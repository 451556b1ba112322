import type {
  ChecksumAlgorithm,
  ChecksumType,
  ObjectCannedACL,
  ServerSideEncryption,
  StorageClass,
} from '@aws-sdk/client-s3';
import type { TargetConfig } from '../../core/config/schema.ts';
import { buildReplicaMetadata } from '../../core/replica-metadata.ts';
import type { Checksum, SourceContent, SourceObject } from '../../core/workflow.ts';
import { sourceIdentity } from '../shared/source-pin.ts';

/**
 * The headers that describe the replica a copy writes, shared by CopyObject and
 * CreateMultipartUpload: the target's encryption, storage class, ACL and expected owner; the
 * source's metadata and content headers (MetadataDirective REPLACE needs them restated) plus the
 * relay's stamp; and the checksum the destination computes.
 */
export interface ReplicaWriteParams {
  readonly ServerSideEncryption: ServerSideEncryption;
  readonly SSEKMSKeyId?: string;
  readonly StorageClass?: StorageClass;
  readonly ACL?: ObjectCannedACL;
  readonly ExpectedBucketOwner?: string;
  readonly Metadata: Record<string, string>;
  readonly ContentType?: string;
  readonly CacheControl?: string;
  readonly ContentDisposition?: string;
  readonly ContentEncoding?: string;
  readonly ContentLanguage?: string;
  readonly ChecksumAlgorithm: ChecksumAlgorithm;
}

/** The checksum the destination is asked to compute. */
export interface CopyChecksum {
  readonly algorithm: Checksum['algorithm'];
  /** For a multipart copy: how part checksums combine. */
  readonly type: ChecksumType;
}

const CRC_ALGORITHMS: ReadonlySet<Checksum['algorithm']> = new Set(['CRC64NVME', 'CRC32C', 'CRC32']);

/**
 * The checksum a copy asks the destination for, chosen so that verification can compare like
 * with like: the source's own algorithm when the destination can produce a comparable value — a
 * full-object checksum for CopyObject (any algorithm) or a multipart copy (CRC algorithms only),
 * or a composite one when a multipart copy reuses the source's part layout — else CRC64NVME
 * full-object, S3's default.
 *
 * @param multipart whether the copy is a multipart copy
 * @param reusesSourceLayout whether that multipart copy reuses the source's part boundaries
 */
export function copyChecksum(
  source: SourceObject,
  multipart: boolean,
  reusesSourceLayout: boolean,
): CopyChecksum {
  const checksum = source.checksum;
  const fallback: CopyChecksum = { algorithm: 'CRC64NVME', type: 'FULL_OBJECT' };
  if (checksum === undefined) return fallback;
  if (checksum.type === 'FULL_OBJECT') {
    return !multipart || CRC_ALGORITHMS.has(checksum.algorithm)
      ? { algorithm: checksum.algorithm, type: 'FULL_OBJECT' }
      : fallback;
  }
  return multipart && reusesSourceLayout && checksum.algorithm !== 'CRC64NVME'
    ? { algorithm: checksum.algorithm, type: 'COMPOSITE' }
    : fallback;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/** The write headers of a replica of `source` (its metadata and content headers: `stored`) in `target`. */
export function replicaWriteParams(
  source: SourceObject,
  stored: SourceContent,
  target: TargetConfig,
  checksum: CopyChecksum,
): ReplicaWriteParams {
  const encryption: Pick<ReplicaWriteParams, 'ServerSideEncryption' | 'SSEKMSKeyId'> =
    target.encryption.type === 'aws:kms'
      ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: target.encryption.kmsKeyArn }
      : { ServerSideEncryption: 'AES256' };
  return {
    ...encryption,
    ...optional('StorageClass', target.storageClass),
    ...optional('ACL', target.acl),
    ...optional('ExpectedBucketOwner', target.account),
    Metadata: {
      ...stored.metadata,
      ...buildReplicaMetadata(sourceIdentity(source)),
    },
    ...optional('ContentType', stored.contentType),
    ...optional('CacheControl', stored.cacheControl),
    ...optional('ContentDisposition', stored.contentDisposition),
    ...optional('ContentEncoding', stored.contentEncoding),
    ...optional('ContentLanguage', stored.contentLanguage),
    ChecksumAlgorithm: checksum.algorithm,
  };
}
