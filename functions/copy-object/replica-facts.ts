/**
 * What S3 reported about the replica a copy wrote or found, carried in the Copy result so Verify can
 * judge it without a HEAD of the replica. The CopyObject answer (S3 API Reference "CopyObject",
 * `CopyObjectResult`) and the CompleteMultipartUpload answer ("CompleteMultipartUpload") carry the
 * new object's ETag, its checksum and checksum type, and its server-side encryption — the values S3
 * stores with the object and that a HEAD with `ChecksumMode=ENABLED` reports later. Neither carries
 * the size: a multipart copy takes it from the parts ListParts reported; a CopyObject writes the
 * whole pinned source version, so no size is recorded for it (Verify's use of this is in
 * verify-copy/reported-evidence.ts).
 */
import { etagPartCount, unquoteEtag } from '../../core/etag.ts';
import { checksumOf, encryptionOf, type HeadAnswer, type StoredObject } from '../../core/object-facts.ts';
import type { ReplicaFacts } from '../../core/workflow.ts';

/** The fields of a CopyObject or CompleteMultipartUpload answer the facts are read from. */
export type WriteAnswer = Pick<
  HeadAnswer,
  | 'ETag'
  | 'ChecksumCRC64NVME'
  | 'ChecksumCRC32C'
  | 'ChecksumCRC32'
  | 'ChecksumSHA256'
  | 'ChecksumSHA1'
  | 'ChecksumType'
  | 'ServerSideEncryption'
  | 'SSEKMSKeyId'
>;

/**
 * The replica's facts from the answer that wrote it; `size` only when S3 reported it (the bytes a
 * multipart copy's ListParts listed).
 */
export function factsFromWrite(answer: WriteAnswer, size?: number): ReplicaFacts {
  const checksum = checksumOf(answer);
  const encryption = encryptionOf(answer);
  const partCount = etagPartCount(unquoteEtag(answer.ETag ?? ''));
  return {
    ...(size === undefined ? {} : { size }),
    ...(checksum === undefined ? {} : { checksum }),
    ...(encryption === undefined ? {} : { encryption }),
    ...(partCount === undefined ? {} : { partCount }),
  };
}

/** The replica's facts from the HEAD that found it. */
export function factsFromHead(stored: StoredObject): ReplicaFacts {
  return {
    size: stored.size,
    ...(stored.checksum === undefined ? {} : { checksum: stored.checksum }),
    ...(stored.encryption === undefined ? {} : { encryption: stored.encryption }),
    ...(stored.partCount === undefined ? {} : { partCount: stored.partCount }),
  };
}
