/**
 * What a write request says about the object it creates (PutObject, CreateMultipartUpload, a CopyObject
 * with REPLACE directives): content headers, user metadata, tags, storage class, ACL and encryption — and
 * the ETag rule of single-part objects.
 */
import { createEtagSalt, kmsEtag, md5Etag } from './checksums.ts';
import { header, type S3Request } from './context.ts';
import { hidesMd5, requestedEncryption } from './encryption.ts';
import { cannedAcl, contentHeaders, storageClass, userMetadata } from './object-headers.ts';
import type { BucketRecord, ContentHeaders, Encryption, Tag } from './store/records.ts';
import { parseTaggingHeader } from './tagging.ts';

/** The descriptive attributes of a new object. */
export interface WriteAttributes {
  readonly headers: ContentHeaders;
  readonly metadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly storageClass: string;
  readonly acl?: string;
  readonly encryption: Encryption;
}

/** Reads every descriptive header of a write. @throws S3Error for any invalid one. */
export function writeAttributes(
  request: S3Request,
  bucket: BucketRecord,
  accounts: { readonly caller: string; readonly owner: string },
): WriteAttributes {
  const acl = cannedAcl(request);
  return {
    headers: contentHeaders(request),
    metadata: userMetadata(request),
    tags: parseTaggingHeader(header(request, 'x-amz-tagging')),
    storageClass: storageClass(request),
    ...(acl !== undefined ? { acl } : {}),
    encryption: requestedEncryption(request, bucket, accounts),
  };
}

/** The ETag of a single-part object (or a part): the MD5, except under SSE-KMS. */
export function singlePartEtag(md5: Buffer, encryption: Encryption): string {
  return hidesMd5(encryption) ? kmsEtag(md5, createEtagSalt()) : md5Etag(md5);
}
