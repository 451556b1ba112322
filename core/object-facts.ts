/**
 * What the relay knows about a stored object — size, ETag, checksum, encryption, part layout and
 * the headers a copy restates — read from a HeadObject answer (`ChecksumMode=ENABLED`, per the S3
 * API Reference "HeadObject") or from the source the workflow recorded. The one home of these facts
 * for the task functions and the CLI alike.
 */
import { etagPartCount, unquoteEtag } from './etag.ts';
import { CHECKSUM_ALGORITHMS, type Checksum, type ObjectEncryption, type SourceObject } from './workflow.ts';

/** The facts two objects are compared by. */
export interface ObjectFacts {
  readonly size: number;
  /** Unquoted. */
  readonly etag: string;
  readonly versionId?: string;
  readonly checksum?: Checksum;
  readonly encryption?: ObjectEncryption;
  /** Parts of a multipart object (from `PartsCount` or the `-N` ETag); absent for a single-part one. */
  readonly partCount?: number;
}

/** A HeadObject answer's fields that describe content beyond the bytes. */
export interface StoredObject extends ObjectFacts {
  readonly metadata: Readonly<Record<string, string>>;
  /** `LastModified`, ISO 8601 (S3 reports it to the second). */
  readonly lastModified?: string;
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
}

/**
 * The fields of a HeadObject answer the facts are read from, named as the S3 API names them. The
 * SDK's `HeadObjectCommandOutput` is assignable to it, so core needs no AWS client.
 */
export interface HeadAnswer {
  readonly ETag?: string | undefined;
  readonly ContentLength?: number | undefined;
  readonly VersionId?: string | undefined;
  readonly ChecksumCRC64NVME?: string | undefined;
  readonly ChecksumCRC32C?: string | undefined;
  readonly ChecksumCRC32?: string | undefined;
  readonly ChecksumSHA256?: string | undefined;
  readonly ChecksumSHA1?: string | undefined;
  readonly ChecksumType?: string | undefined;
  readonly ServerSideEncryption?: string | undefined;
  readonly SSEKMSKeyId?: string | undefined;
  readonly SSECustomerAlgorithm?: string | undefined;
  readonly PartsCount?: number | undefined;
  readonly Metadata?: Readonly<Record<string, string>> | undefined;
  readonly LastModified?: Date | undefined;
  readonly ContentType?: string | undefined;
  readonly CacheControl?: string | undefined;
  readonly ContentDisposition?: string | undefined;
  readonly ContentEncoding?: string | undefined;
  readonly ContentLanguage?: string | undefined;
}

type ChecksumAlgorithm = Checksum['algorithm'];

const CHECKSUM_FIELDS: Readonly<Record<ChecksumAlgorithm, keyof HeadAnswer>> = {
  CRC64NVME: 'ChecksumCRC64NVME',
  CRC32C: 'ChecksumCRC32C',
  CRC32: 'ChecksumCRC32',
  SHA256: 'ChecksumSHA256',
  SHA1: 'ChecksumSHA1',
};

/** The checksum S3 reported, if any (a composite one ends in `-N`). */
export function checksumOf(head: HeadAnswer): Checksum | undefined {
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = head[CHECKSUM_FIELDS[algorithm]];
    if (typeof value === 'string' && value !== '') {
      const type =
        head.ChecksumType === 'COMPOSITE' || head.ChecksumType === 'FULL_OBJECT'
          ? head.ChecksumType
          : /-\d+$/.test(value)
            ? 'COMPOSITE'
            : 'FULL_OBJECT';
      return { algorithm, value, type };
    }
  }
  return undefined;
}

/** How the object is encrypted at rest, if S3 said. */
export function encryptionOf(head: HeadAnswer): ObjectEncryption | undefined {
  if (head.SSECustomerAlgorithm !== undefined) return { type: 'SSE-C' };
  switch (head.ServerSideEncryption) {
    case 'AES256':
      return { type: 'SSE-S3' };
    case 'aws:kms':
    case 'aws:kms:dsse':
      return {
        type: head.ServerSideEncryption,
        ...(head.SSEKMSKeyId === undefined ? {} : { kmsKeyId: head.SSEKMSKeyId }),
      };
    default:
      return undefined;
  }
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Reads a HeadObject answer. S3 always returns `ETag` and `Content-Length`; a partial answer is
 * read as size 0 / empty ETag, which then matches nothing.
 */
export function describeHead(head: HeadAnswer): StoredObject {
  const etag = unquoteEtag(head.ETag ?? '');
  const checksum = checksumOf(head);
  const encryption = encryptionOf(head);
  const partCount =
    etagPartCount(etag) ??
    (head.PartsCount !== undefined && head.PartsCount > 1 ? head.PartsCount : undefined);
  return {
    size: head.ContentLength ?? 0,
    etag,
    ...optional('versionId', head.VersionId),
    ...optional('checksum', checksum),
    ...optional('encryption', encryption),
    ...optional('partCount', partCount),
    metadata: { ...(head.Metadata ?? {}) },
    ...optional('lastModified', head.LastModified?.toISOString()),
    ...optional('contentType', head.ContentType),
    ...optional('cacheControl', head.CacheControl),
    ...optional('contentDisposition', head.ContentDisposition),
    ...optional('contentEncoding', head.ContentEncoding),
    ...optional('contentLanguage', head.ContentLanguage),
  };
}

/** The facts the workflow recorded about the pinned source. */
export function sourceFacts(source: SourceObject): ObjectFacts {
  return {
    size: source.size,
    etag: source.etag,
    ...optional('versionId', source.versionId),
    ...optional('checksum', source.checksum),
    ...optional('encryption', source.encryption),
    ...optional('partCount', source.partCount),
  };
}
