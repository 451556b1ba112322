/**
 * PutObject: the body is streamed to a staging file while its MD5 and checksums are computed, validated
 * against what the client declared, then committed as the key's new version (conditional writes with
 * `If-None-Match: *` / `If-Match` are checked at commit), and an "Object Created" event is emitted.
 */
import { join } from 'node:path';
import { requireBucket } from '../bucket-access.ts';
import { bucketOwner, callerAccount } from '../bucket-owner.ts';
import { checksumHeaders, declaredChecksum } from '../checksum-headers.ts';
import type { ChecksumAlgorithm } from '../checksums.ts';
import { header, objectKey, type S3Handler, type S3Request } from '../context.ts';
import { encryptionHeaders } from '../encryption.ts';
import { MAX_PUT_BYTES, S3Errors } from '../errors.ts';
import { emitObjectCreated } from '../events.ts';
import { ingestBody } from '../ingest.ts';
import { useKmsKeys } from '../kms-authorization.ts';
import { checkKey, etagMatches } from '../object-headers.ts';
import type { ObjectChecksum, ObjectVersion } from '../store/records.ts';
import { writeVersionIdHeader } from '../version-lookup.ts';
import { singlePartEtag, writeAttributes } from '../write-attributes.ts';

/** The checksum S3 gives an object uploaded without one. */
export const DEFAULT_ALGORITHM: ChecksumAlgorithm = 'CRC64NVME';

/**
 * The check of `If-None-Match: *` and `If-Match` against the key's current version; `undefined` when the
 * write sets neither (the store then need not read the current version).
 */
export function writeConditions(
  request: S3Request,
  key: string,
): ((current: ObjectVersion | undefined) => void) | undefined {
  const ifNoneMatch = header(request, 'if-none-match');
  const ifMatch = header(request, 'if-match');
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') {
    throw S3Errors.notImplemented('If-None-Match with a value other than * on writes');
  }
  if (ifNoneMatch === undefined && ifMatch === undefined) return undefined;
  return (current) => {
    const live = current && !current.deleteMarker ? current : undefined;
    if (ifNoneMatch !== undefined && live) throw S3Errors.preconditionFailed('If-None-Match');
    if (ifMatch !== undefined) {
      if (!live) throw S3Errors.noSuchKey(key);
      if (!etagMatches(ifMatch, live.etag)) throw S3Errors.preconditionFailed('If-Match');
    }
  };
}

/** PutObject. */
export const putObject: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const bucket = state.record.name;
  const key = objectKey(request);
  checkKey(key);
  const attributes = writeAttributes(request, state.record, {
    caller: callerAccount(deps, request),
    owner: bucketOwner(deps, state.record),
  });
  await useKmsKeys(deps, request, [
    { role: 'object', bucket, region: state.record.region, key, encryption: attributes.encryption },
  ]);
  const condition = writeConditions(request, key);
  const declared = declaredChecksum(request);
  const staging = await deps.store.stage();
  try {
    const result = await ingestBody(request, join(staging.dir, 'seg-1'), {
      algorithms: declared ? [] : [DEFAULT_ALGORITHM],
      maxBytes: MAX_PUT_BYTES,
    });
    const algorithm = result.declared ?? DEFAULT_ALGORITHM;
    const checksum: ObjectChecksum = {
      algorithm,
      type: 'FULL_OBJECT',
      value: (result.checksums[algorithm] ?? Buffer.alloc(0)).toString('base64'),
    };
    const etag = singlePartEtag(result.md5, attributes.encryption);
    const version = await deps.store.commit(
      bucket,
      key,
      staging,
      { ...attributes, size: result.size, etag, checksum, segments: [{ file: 'seg-1', size: result.size }] },
      condition,
    );
    const record = deps.store.bucket(bucket)?.record ?? state.record;
    emitObjectCreated(deps, request, record, version, 'PutObject');
    return {
      status: 200,
      headers: {
        etag,
        ...writeVersionIdHeader(version.versionId),
        ...encryptionHeaders(version.encryption),
        ...checksumHeaders(checksum),
      },
    };
  } catch (err) {
    await deps.store.discard(staging);
    throw err;
  }
};
