/**
 * DeleteObject and DeleteObjects: without a version id a versioned bucket gets a delete marker (the null
 * one under Suspended) and an unversioned bucket loses the object; with a version id that version (or
 * delete marker) is removed for good.
 */
import { bucketPartition, deleteObjectPermission } from '../authorization.ts';
import { requireBucket } from '../bucket-access.ts';
import { objectKey, type S3Deps, type S3Handler } from '../context.ts';
import { S3Error, S3Errors } from '../errors.ts';
import { checkKey } from '../object-headers.ts';
import { hasIntegrityHeader, readXml } from '../small-body.ts';
import type { BucketState } from '../store/store.ts';
import { checkVersionId } from '../version-lookup.ts';
import { children, childText, element, toXml, type XmlNode } from '../xml.ts';

interface DeleteResult {
  readonly versionId?: string;
  readonly deleteMarker: boolean;
  readonly deleteMarkerVersionId?: string;
}

async function deleteOne(
  deps: S3Deps,
  state: BucketState,
  key: string,
  versionId: string | undefined,
): Promise<DeleteResult> {
  checkKey(key);
  const bucket = state.record.name;
  if (versionId !== undefined) {
    checkVersionId(versionId);
    const removed = await deps.store.deleteVersion(bucket, key, versionId);
    return removed?.deleteMarker
      ? { versionId, deleteMarker: true, deleteMarkerVersionId: versionId }
      : { versionId, deleteMarker: false };
  }
  const outcome = await deps.store.deleteCurrent(bucket, key);
  return outcome.marker
    ? { deleteMarker: true, deleteMarkerVersionId: outcome.marker.versionId }
    : { deleteMarker: false };
}

/** DeleteObject. */
export const deleteObject: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const versionId = request.query.get('versionId') ?? undefined;
  const result = await deleteOne(deps, state, objectKey(request), versionId);
  const shownVersion = result.versionId ?? result.deleteMarkerVersionId;
  return {
    status: 204,
    headers: {
      ...(result.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
      ...(shownVersion !== undefined ? { 'x-amz-version-id': shownVersion } : {}),
    },
  };
};

/** DeleteObjects: up to 1,000 keys, each answered with `<Deleted>` or `<Error>`; Quiet lists errors only. */
export const deleteObjects: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  if (!hasIntegrityHeader(request)) {
    throw S3Errors.invalidRequest('Missing required header for this request: Content-MD5');
  }
  const root = await readXml(request, 'Delete');
  const quiet = childText(root, 'Quiet')?.trim() === 'true';
  const objects = children(root, 'Object').map((o) => {
    const el = element(o);
    const key = childText(el, 'Key');
    if (key === undefined) throw S3Errors.malformedXml();
    const versionId = childText(el, 'VersionId');
    return { key, versionId: versionId === '' ? undefined : versionId };
  });
  if (objects.length === 0 || objects.length > 1000) throw S3Errors.malformedXml();
  const deleted: XmlNode[] = [];
  const errors: XmlNode[] = [];
  for (const { key, versionId } of objects) {
    try {
      request.authorize?.(
        deleteObjectPermission(state.record.name, key, versionId, bucketPartition(state.record.region)),
      );
      const result = await deleteOne(deps, state, key, versionId);
      if (quiet) continue;
      deleted.push({
        Key: key,
        VersionId: result.versionId,
        DeleteMarker: result.deleteMarker ? true : undefined,
        DeleteMarkerVersionId: result.deleteMarkerVersionId,
      });
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      errors.push({ Key: key, VersionId: versionId, Code: err.code, Message: err.message });
    }
  }
  return { status: 200, body: toXml('DeleteResult', { Deleted: deleted, Error: errors }) };
};
