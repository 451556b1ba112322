/**
 * Finding the version a request names (`?versionId=` or the current one) with S3's answers for what is
 * not there: NoSuchKey (with `x-amz-delete-marker` when the current version is a delete marker),
 * NoSuchVersion, 405 MethodNotAllowed for a delete marker named by id, InvalidArgument for a malformed id.
 */
import { S3Errors } from './errors.ts';
import { httpDate } from './object-headers.ts';
import type { BucketRecord, ObjectVersion } from './store/records.ts';
import type { BucketState } from './store/store.ts';

const VERSION_ID = /^[A-Za-z0-9._+=/-]{1,1024}$/;

/** `x-amz-version-id` for a response: sent once the bucket has been versioned, or for a non-null version. */
export function versionIdHeader(bucket: BucketRecord, versionId: string | undefined): Record<string, string> {
  if (versionId === undefined) return {};
  return bucket.versioning !== undefined || versionId !== 'null' ? { 'x-amz-version-id': versionId } : {};
}

/**
 * `x-amz-version-id` for the answer to a write (PutObject, CopyObject, CompleteMultipartUpload): only a real
 * version id. A write to a versioning-Suspended bucket stores the `null` version, yet S3 answers it without
 * the header (the PutObject API reference's "versioning suspended" sample response has none; reads and
 * listings do name the version `null`).
 */
export function writeVersionIdHeader(versionId: string): Record<string, string> {
  return versionId === 'null' ? {} : { 'x-amz-version-id': versionId };
}

/** @throws S3Error InvalidArgument when `versionId` cannot be a version id. */
export function checkVersionId(versionId: string): void {
  if (!VERSION_ID.test(versionId))
    throw S3Errors.invalidArgument('Invalid version id specified', 'versionId', versionId);
}

function markerHeaders(bucket: BucketRecord, marker: ObjectVersion): Record<string, string> {
  return {
    'x-amz-delete-marker': 'true',
    ...versionIdHeader(bucket, marker.versionId),
    'last-modified': httpDate(marker.lastModified),
  };
}

/**
 * The object version a read names.
 * @throws S3Error NoSuchKey, NoSuchVersion, MethodNotAllowed (a delete marker by id), InvalidArgument.
 */
export async function readableVersion(
  state: BucketState,
  key: string,
  versionId: string | null | undefined,
): Promise<ObjectVersion> {
  if (versionId !== undefined && versionId !== null) {
    checkVersionId(versionId);
    const found = await state.index.find(key, versionId);
    if (!found) throw S3Errors.noSuchVersion(key, versionId);
    if (found.deleteMarker) {
      throw S3Errors.methodNotAllowed('GET', 'DeleteMarker', markerHeaders(state.record, found));
    }
    return found;
  }
  const latest = await state.index.latest(key);
  if (!latest) throw S3Errors.noSuchKey(key);
  if (latest.deleteMarker) throw S3Errors.noSuchKey(key, markerHeaders(state.record, latest));
  return latest;
}
