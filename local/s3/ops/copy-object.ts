/**
 * CopyObject: streams the source version (any bucket, any region, `?versionId=` pinned, conditions
 * checked) into a new version of the destination, up to the configurable CopyObject limit (5 GiB). Metadata
 * and tags follow the COPY/REPLACE directives; storage class, ACL and encryption come from the request or
 * the destination bucket, never from the source. The new object's checksum uses `x-amz-checksum-algorithm`,
 * else the source's algorithm, else CRC64NVME, computed over the bytes actually written. Conditional writes
 * (`If-None-Match: *`, `If-Match` on the destination) are checked against the key's current version at
 * commit, as for PutObject.
 */
import { join } from 'node:path';
import { requireBucket } from '../bucket-access.ts';
import { bucketOwner, callerAccount } from '../bucket-owner.ts';
import { algorithmHeader, checksumXml } from '../checksum-headers.ts';
import { header, objectKey, type S3Handler, type S3Request } from '../context.ts';
import { resolveCopySource } from '../copy-source.ts';
import { createCorruptor } from '../corrupt.ts';
import { encryptionHeaders } from '../encryption.ts';
import { S3Errors } from '../errors.ts';
import { emitObjectCreated } from '../events.ts';
import { writeDigested } from '../ingest.ts';
import { copySourceKeyUse, useKmsKeys } from '../kms-authorization.ts';
import { checkKey, contentHeaders, userMetadata } from '../object-headers.ts';
import type { ObjectChecksum } from '../store/records.ts';
import { parseTaggingHeader } from '../tagging.ts';
import { writeVersionIdHeader } from '../version-lookup.ts';
import { singlePartEtag, writeAttributes } from '../write-attributes.ts';
import { toXml } from '../xml.ts';
import { DEFAULT_ALGORITHM, writeConditions } from './put-object.ts';

function directive(request: S3Request, name: string, what: string): 'COPY' | 'REPLACE' {
  const value = header(request, name);
  if (value === undefined || value === 'COPY') return 'COPY';
  if (value === 'REPLACE') return 'REPLACE';
  throw S3Errors.invalidArgument(`Unknown ${what} directive.`, name, value);
}

const CHANGES_IN_PLACE = [
  'x-amz-storage-class',
  'x-amz-server-side-encryption',
  'x-amz-website-redirect-location',
  'x-amz-checksum-algorithm',
];

/** CopyObject. */
export const copyObject: S3Handler = async (deps, request) => {
  const dest = requireBucket(deps, request);
  const bucket = dest.record.name;
  const key = objectKey(request);
  checkKey(key);
  const source = await resolveCopySource(deps, request);
  const src = source.version;
  if (src.size > deps.limits.maxCopyObjectBytes) {
    throw S3Errors.invalidRequest(
      `The specified copy source is larger than the maximum allowable size for a copy source: ${deps.limits.maxCopyObjectBytes}`,
    );
  }
  const metadataDirective = directive(request, 'x-amz-metadata-directive', 'metadata');
  const taggingDirective = directive(request, 'x-amz-tagging-directive', 'tagging');
  const requested = writeAttributes(request, dest.record, {
    caller: callerAccount(deps, request),
    owner: bucketOwner(deps, dest.record),
  });
  await useKmsKeys(deps, request, [
    copySourceKeyUse(source),
    { role: 'object', bucket, region: dest.record.region, key, encryption: requested.encryption },
  ]);
  const condition = writeConditions(request, key);
  const toItself =
    source.bucket.record.name === bucket &&
    src.key === key &&
    (await source.bucket.index.latest(key))?.versionId === src.versionId &&
    metadataDirective === 'COPY' &&
    CHANGES_IN_PLACE.every((h) => header(request, h) === undefined);
  if (toItself) {
    throw S3Errors.invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const algorithm =
    algorithmHeader(request, 'x-amz-checksum-algorithm') ?? src.checksum?.algorithm ?? DEFAULT_ALGORITHM;
  const corrupt = deps.faults?.takeCorruption(bucket, key) ?? false;
  const staging = await deps.store.stage();
  try {
    const reader = deps.store.read(source.bucket.record.name, src, 0, src.size - 1);
    const result = await writeDigested(
      reader,
      join(staging.dir, 'seg-1'),
      [algorithm],
      corrupt ? [createCorruptor()] : [],
    );
    const checksum: ObjectChecksum = {
      algorithm,
      type: 'FULL_OBJECT',
      value: (result.checksums[algorithm] ?? Buffer.alloc(0)).toString('base64'),
    };
    const etag = singlePartEtag(result.md5, requested.encryption);
    const version = await deps.store.commit(
      bucket,
      key,
      staging,
      {
        headers: metadataDirective === 'REPLACE' ? contentHeaders(request) : src.headers,
        metadata: metadataDirective === 'REPLACE' ? userMetadata(request) : src.metadata,
        tags:
          taggingDirective === 'REPLACE' ? parseTaggingHeader(header(request, 'x-amz-tagging')) : src.tags,
        storageClass: requested.storageClass,
        ...(requested.acl !== undefined ? { acl: requested.acl } : {}),
        encryption: requested.encryption,
        size: result.size,
        etag,
        checksum,
        segments: [{ file: 'seg-1', size: result.size }],
      },
      condition,
    );
    const record = deps.store.bucket(bucket)?.record ?? dest.record;
    emitObjectCreated(deps, request, record, version, 'CopyObject');
    return {
      status: 200,
      headers: {
        ...writeVersionIdHeader(version.versionId),
        ...source.responseHeaders,
        ...encryptionHeaders(version.encryption),
      },
      body: toXml('CopyObjectResult', {
        ETag: etag,
        LastModified: version.lastModified,
        ...checksumXml(checksum),
      }),
    };
  } catch (err) {
    await deps.store.discard(staging);
    throw err;
  }
};
