/**
 * The source of CopyObject and UploadPartCopy: the URL-encoded `x-amz-copy-source` header
 * (`bucket/key` or `/bucket/key`, optionally `?versionId=…`), the source's expected owner, and the
 * `x-amz-copy-source-if-*` conditions (412 PreconditionFailed when one does not hold). The source may be in
 * any region, as with S3.
 */
import { bucketOwner, checkExpectedOwner } from './bucket-owner.ts';
import { header, type S3Deps, type S3Request } from './context.ts';
import { S3Errors } from './errors.ts';
import {
  ARCHIVE_CLASSES,
  checkKey,
  etagMatches,
  lastModifiedSeconds,
  parseHttpDate,
} from './object-headers.ts';
import type { ObjectVersion } from './store/records.ts';
import type { BucketState } from './store/store.ts';
import { checkVersionId } from './version-lookup.ts';

/** A parsed `x-amz-copy-source`. */
export interface CopySourceRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
}

/** The resolved source version. */
export interface CopySource {
  readonly bucket: BucketState;
  readonly version: ObjectVersion;
  /** `x-amz-copy-source-version-id`, sent when the source bucket is versioned. */
  readonly responseHeaders: Record<string, string>;
}

function malformed(value: string): Error {
  return S3Errors.invalidArgument(
    'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    'x-amz-copy-source',
    value,
  );
}

/** Parses `x-amz-copy-source`. @throws S3Error InvalidArgument when it does not name a bucket and key. */
export function parseCopySource(value: string): CopySourceRef {
  if (value.startsWith('arn:')) throw S3Errors.notImplemented('copy sources given as access point ARNs');
  let path = value;
  let versionId: string | undefined;
  const q = path.indexOf('?');
  if (q >= 0) {
    versionId = new URLSearchParams(path.slice(q + 1)).get('versionId') ?? undefined;
    path = path.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    throw malformed(value);
  }
  decoded = decoded.replace(/^\//, '');
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw malformed(value);
  return {
    bucket: decoded.slice(0, slash),
    key: decoded.slice(slash + 1),
    ...(versionId !== undefined ? { versionId } : {}),
  };
}

function checkConditions(request: S3Request, version: ObjectVersion): void {
  const modified = lastModifiedSeconds(version);
  const ifMatch = header(request, 'x-amz-copy-source-if-match');
  const ifNoneMatch = header(request, 'x-amz-copy-source-if-none-match');
  const ifModifiedSince = parseHttpDate(header(request, 'x-amz-copy-source-if-modified-since'));
  const ifUnmodifiedSince = parseHttpDate(header(request, 'x-amz-copy-source-if-unmodified-since'));
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, version.etag)) throw S3Errors.preconditionFailed('x-amz-copy-source-If-Match');
  } else if (ifUnmodifiedSince !== undefined && modified > ifUnmodifiedSince) {
    throw S3Errors.preconditionFailed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, version.etag)) {
      throw S3Errors.preconditionFailed('x-amz-copy-source-If-None-Match');
    }
  } else if (ifModifiedSince !== undefined && modified <= ifModifiedSince) {
    throw S3Errors.preconditionFailed('x-amz-copy-source-If-Modified-Since');
  }
}

/**
 * The source version of a copy, after its conditions.
 * @throws S3Error InvalidArgument, NoSuchBucket, NoSuchKey, NoSuchVersion, InvalidRequest (a delete marker
 *   by id), InvalidObjectState (archived), AccessDenied (source owner), PreconditionFailed.
 */
export async function resolveCopySource(deps: S3Deps, request: S3Request): Promise<CopySource> {
  const ref = parseCopySource(header(request, 'x-amz-copy-source') ?? '');
  checkKey(ref.key);
  const bucket = deps.store.bucket(ref.bucket);
  if (!bucket) throw S3Errors.noSuchBucket(ref.bucket);
  checkExpectedOwner(header(request, 'x-amz-source-expected-bucket-owner'), bucketOwner(deps, bucket.record));
  let version: ObjectVersion | undefined;
  if (ref.versionId !== undefined) {
    checkVersionId(ref.versionId);
    version = await bucket.index.find(ref.key, ref.versionId);
    if (!version) throw S3Errors.noSuchVersion(ref.key, ref.versionId);
    if (version.deleteMarker) {
      throw S3Errors.invalidRequest(
        'The source of a copy request may not specifically refer to a delete marker by version id.',
      );
    }
  } else {
    version = await bucket.index.latest(ref.key);
    if (!version || version.deleteMarker) throw S3Errors.noSuchKey(ref.key);
  }
  if (ARCHIVE_CLASSES.has(version.storageClass)) throw S3Errors.invalidObjectState(version.storageClass);
  checkConditions(request, version);
  const responseHeaders: Record<string, string> =
    bucket.record.versioning !== undefined || version.versionId !== 'null'
      ? { 'x-amz-copy-source-version-id': version.versionId }
      : {};
  return { bucket, version, responseHeaders };
}
