/**
 * DeleteObject and DeleteObjects: without a version id a versioned bucket gets a delete marker (the null
 * one under Suspended) and an unversioned bucket loses the object; with a version id that version (or
 * delete marker) is removed for good. `If-Match` (an entry's `<ETag>` in DeleteObjects) makes the delete
 * conditional on the current version's ETag. Every delete that changed something emits an EventBridge
 * "Object Deleted" event.
 */
import { bucketPartition, deleteObjectPermission } from '../authorization.ts';
import { requireBucket } from '../bucket-access.ts';
import { header, objectKey, type S3Deps, type S3Handler, type S3Request } from '../context.ts';
import { S3Error, S3Errors } from '../errors.ts';
import { type Deletion, emitObjectDeleted } from '../events.ts';
import { checkKey, etagMatches } from '../object-headers.ts';
import { hasIntegrityHeader, readXml } from '../small-body.ts';
import type { ObjectVersion } from '../store/records.ts';
import type { BucketState, DeleteOutcome } from '../store/store.ts';
import { checkVersionId } from '../version-lookup.ts';
import { children, childText, element, toXml, type XmlNode } from '../xml.ts';

interface DeleteResult {
  readonly versionId?: string;
  readonly deleteMarker: boolean;
  readonly deleteMarkerVersionId?: string;
}

/**
 * The check of a conditional delete (`If-Match` on DeleteObject, `<ETag>` of a DeleteObjects entry)
 * against the key's current version: a missing object (or a delete marker) is 404 NoSuchKey, another
 * ETag 412 PreconditionFailed — S3 User Guide, "How to perform conditional deletes" (evaluated on the
 * current version only).
 */
function deleteCondition(
  ifMatch: string | undefined,
  key: string,
): ((current: ObjectVersion | undefined) => void) | undefined {
  if (ifMatch === undefined) return undefined;
  return (current) => {
    if (current === undefined || current.deleteMarker) throw S3Errors.noSuchKey(key);
    if (!etagMatches(ifMatch, current.etag)) throw S3Errors.preconditionFailed('If-Match');
  };
}

/** The "Object Deleted" event a delete earns, if it changed anything. */
function deletionOf(key: string, versioned: boolean, outcome: DeleteOutcome): Deletion | undefined {
  if (outcome.sequencer === undefined) return undefined;
  if (outcome.marker !== undefined) {
    return {
      key,
      type: 'Delete Marker Created',
      versionId: outcome.marker.versionId,
      sequencer: outcome.sequencer,
    };
  }
  if (outcome.removed === undefined) return undefined;
  return {
    key,
    type: 'Permanently Deleted',
    ...(versioned ? { versionId: outcome.removed.versionId } : {}),
    sequencer: outcome.sequencer,
  };
}

async function deleteOne(
  deps: S3Deps,
  request: S3Request,
  state: BucketState,
  key: string,
  versionId: string | undefined,
  ifMatch: string | undefined,
): Promise<DeleteResult> {
  checkKey(key);
  const bucket = state.record.name;
  const condition = deleteCondition(ifMatch, key);
  if (versionId !== undefined) checkVersionId(versionId);
  const outcome =
    versionId === undefined
      ? await deps.store.deleteCurrent(bucket, key, condition)
      : await deps.store.deleteVersion(bucket, key, versionId, condition);
  const deletion = deletionOf(key, state.record.versioning !== undefined, outcome);
  if (deletion !== undefined)
    emitObjectDeleted(deps, request, deps.store.bucket(bucket)?.record ?? state.record, deletion);
  if (versionId !== undefined) {
    return outcome.removed?.deleteMarker
      ? { versionId, deleteMarker: true, deleteMarkerVersionId: versionId }
      : { versionId, deleteMarker: false };
  }
  return outcome.marker
    ? { deleteMarker: true, deleteMarkerVersionId: outcome.marker.versionId }
    : { deleteMarker: false };
}

/** DeleteObject. */
export const deleteObject: S3Handler = async (deps, request) => {
  const state = requireBucket(deps, request);
  const versionId = request.query.get('versionId') ?? undefined;
  const result = await deleteOne(
    deps,
    request,
    state,
    objectKey(request),
    versionId,
    header(request, 'if-match'),
  );
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
    const etag = childText(el, 'ETag');
    return {
      key,
      versionId: versionId === '' ? undefined : versionId,
      etag: etag === '' ? undefined : etag,
    };
  });
  if (objects.length === 0 || objects.length > 1000) throw S3Errors.malformedXml();
  const deleted: XmlNode[] = [];
  const errors: XmlNode[] = [];
  for (const { key, versionId, etag } of objects) {
    try {
      request.authorize?.(
        deleteObjectPermission(state.record.name, key, versionId, bucketPartition(state.record.region)),
      );
      const result = await deleteOne(deps, request, state, key, versionId, etag);
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
