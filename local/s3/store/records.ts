/**
 * The records the local S3 keeps per bucket, object version and multipart upload. They are stored as JSON
 * (version records in the index, version-index.ts; the others next to their data files), so every field is
 * plain data.
 */
import type { ChecksumAlgorithm, ChecksumType } from '../checksums.ts';

/** A bucket's versioning state; `undefined` (never configured) is "unversioned". */
export type VersioningStatus = 'Enabled' | 'Suspended';

/** One tag of an object or bucket, in the order it was given. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** Server-side encryption of an object, or a bucket's default encryption rule. */
export interface Encryption {
  readonly algorithm: 'AES256' | 'aws:kms' | 'aws:kms:dsse';
  /** The full key ARN (KMS only). */
  readonly kmsKeyId?: string;
  readonly bucketKeyEnabled?: boolean;
}

export interface BucketRecord {
  readonly name: string;
  readonly region: string;
  /** ISO-8601. */
  readonly createdAt: string;
  readonly versioning?: VersioningStatus;
  readonly mfaDelete?: 'Enabled' | 'Disabled';
  readonly tags?: readonly Tag[];
  /** The default encryption rule; `undefined` means S3's default (SSE-S3). */
  readonly encryption?: Encryption;
  /** The canned ACL given at creation. */
  readonly acl?: string;
  /**
   * The 12-digit account that created the bucket. Absent in buckets stored by earlier versions: they
   * belong to the local stack's account (bucket-owner.ts).
   */
  readonly owner?: string;
  /** The bucket policy, the JSON text PutBucketPolicy accepted (bucket-policy.ts validated it). */
  readonly policy?: string;
}

/** The representation headers S3 stores with an object and returns on GET/HEAD. */
export interface ContentHeaders {
  readonly contentType?: string;
  readonly cacheControl?: string;
  readonly contentDisposition?: string;
  readonly contentEncoding?: string;
  readonly contentLanguage?: string;
  readonly expires?: string;
  readonly websiteRedirectLocation?: string;
}

/** An object's checksum as S3 reports it: base64, with `-N` for composite checksums. */
export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly type: ChecksumType;
  readonly value: string;
}

/** One part of a multipart object, as GetObject/HeadObject `partNumber` and GetObjectAttributes see it. */
export interface PartLayout {
  readonly partNumber: number;
  readonly size: number;
  /** The part's checksum (base64), when the object has one per part. */
  readonly checksum?: string;
  /**
   * The algorithm of `checksum` when it is not the object's: the upload named none (the object has the
   * default CRC64NVME) but every part was sent with a checksum of this algorithm.
   */
  readonly checksumAlgorithm?: ChecksumAlgorithm;
}

/** A data file of an object version; the body is the concatenation of its segments. */
export interface Segment {
  readonly file: string;
  readonly size: number;
}

/** The data file of a version whose body is one file (what PutObject and CopyObject write). */
export const SINGLE_SEGMENT_FILE = 'seg-1';

/** The data files of a version (see {@link ObjectVersion.segments}). */
export function segmentsOf(version: ObjectVersion): readonly Segment[] {
  return version.segments ?? [{ file: SINGLE_SEGMENT_FILE, size: version.size }];
}

/** What an object version is, apart from where it lives. */
export interface ObjectAttributes {
  readonly size: number;
  /** Quoted, as S3 returns it. */
  readonly etag: string;
  readonly headers: ContentHeaders;
  /** User metadata without the `x-amz-meta-` prefix, names lower-cased. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly storageClass: string;
  readonly acl?: string;
  readonly encryption: Encryption;
  readonly checksum?: ObjectChecksum;
  /** Only for objects made by CompleteMultipartUpload. */
  readonly parts?: readonly PartLayout[];
}

/** One version of a key: an object or a delete marker. */
export interface ObjectVersion extends ObjectAttributes {
  /** The storage directory's name. */
  readonly id: string;
  readonly key: string;
  /** `'null'` for the null version. */
  readonly versionId: string;
  /** Fixed-width upper-case hex; orders versions of a bucket by creation. */
  readonly sequencer: string;
  readonly deleteMarker: boolean;
  /** ISO-8601 with milliseconds. */
  readonly lastModified: string;
  /**
   * The data files, in body order. Left out when the body is the one file {@link SINGLE_SEGMENT_FILE} of
   * `size` bytes (records written by earlier versions list it anyway): read it with {@link segmentsOf}.
   */
  readonly segments?: readonly Segment[];
}

/** A multipart upload in progress. */
export interface UploadRecord {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: string;
  /** The algorithm named at CreateMultipartUpload, if any. */
  readonly checksumAlgorithm?: ChecksumAlgorithm;
  readonly checksumType?: ChecksumType;
  readonly headers: ContentHeaders;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly storageClass: string;
  readonly acl?: string;
  readonly encryption: Encryption;
}

/** An uploaded part. */
export interface PartRecord {
  readonly partNumber: number;
  readonly size: number;
  /** Quoted. Under SSE-KMS not the MD5 of the part. */
  readonly etag: string;
  /** The part's MD5 in hex (what the object's multipart ETag is made of). */
  readonly md5: string;
  readonly lastModified: string;
  /** Base64 checksums computed for the part, by algorithm. */
  readonly checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
  /** The data file's name inside the upload's directory. */
  readonly file: string;
}

/**
 * A multipart upload that completed, kept so that a repeated CompleteMultipartUpload (a retry after a lost
 * answer) gets the completed object's answer instead of NoSuchUpload.
 */
export interface CompletedUploadRecord {
  readonly uploadId: string;
  readonly key: string;
  /** The object version's sequencer: orders completions (oldest are forgotten first). */
  readonly sequencer: string;
  /** The parts the object was made of, as the Complete request listed them (ETags quoted). */
  readonly parts: ReadonlyArray<{ readonly partNumber: number; readonly etag: string }>;
  readonly versionId: string;
  readonly etag: string;
  readonly encryption: Encryption;
  readonly checksum?: ObjectChecksum;
}
