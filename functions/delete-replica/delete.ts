import { DeleteObjectCommand, HeadObjectCommand, type HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { classifyAwsError } from '../../core/classify-aws-error.ts';
import { AccessDenied, TransientAwsError } from '../../core/errors.ts';
import { destinationKey, targetId } from '../../core/routing.ts';
import type { DeleteReplicaResult, DeleteTaskInput } from '../../core/workflow-delete.ts';
import { isMissingObject, isPreconditionFailed, sendOptions } from '../shared/aws-call.ts';
import type { S3ClientFor } from '../shared/clients.ts';
import type { TaskOptions } from '../shared/task.ts';
import { decideDeletion } from './decide.ts';

/** What the DeleteReplica task needs. */
export interface DeleteReplicaDeps {
  readonly s3ClientFor: S3ClientFor;
}

interface Place {
  readonly bucket: string;
  readonly key: string;
  readonly region: string;
  readonly account: string | undefined;
  readonly label: string;
}

function owner(place: Place): { ExpectedBucketOwner?: string } {
  return place.account === undefined ? {} : { ExpectedBucketOwner: place.account };
}

/** HEADs the current object at the destination key; `undefined` when there is none (or a delete marker). */
async function headReplica(
  deps: DeleteReplicaDeps,
  place: Place,
  signal: AbortSignal | undefined,
): Promise<HeadObjectCommandOutput | undefined> {
  try {
    return await deps
      .s3ClientFor(place.region)
      .send(
        new HeadObjectCommand({ Bucket: place.bucket, Key: place.key, ...owner(place) }),
        sendOptions(signal),
      );
  } catch (err) {
    if (isMissingObject(err)) return undefined;
    throw classifyAwsError(err, {
      operation: 's3:HeadObject',
      side: 'target',
      bucket: place.bucket,
      key: place.key,
      target: place.label,
    });
  }
}

/**
 * A denied delete names the grant it lacks: the relay's delete-replica role holds `s3:DeleteObject`
 * (and `s3:GetObject`, which a delete with `If-Match` needs too — S3 User Guide, "How to perform
 * conditional deletes") only on the destination keys of rules with `propagateDeletes: true`.
 */
function deniedDelete(error: AccessDenied, place: Place): AccessDenied {
  return new AccessDenied(
    `${error.request ?? `s3:DeleteObject (s3://${place.bucket}/${place.key}) failed with AccessDenied`}: the relay's delete-replica role needs s3:DeleteObject and s3:GetObject on s3://${place.bucket}/${place.key} — the CDK app grants them only on the destination keys of rules with "propagateDeletes": true, so set it on the rule and deploy again; also check the target bucket's policy (an explicit deny of s3:DeleteObject, or one requiring other conditions) and ExpectedBucketOwner`,
    {
      cause: error.cause,
      ...(error.awsCode === undefined ? {} : { awsCode: error.awsCode }),
      ...(error.httpStatus === undefined ? {} : { httpStatus: error.httpStatus }),
      operation: 's3:DeleteObject',
      side: 'target',
      bucket: place.bucket,
      ...(error.request === undefined ? {} : { request: error.request }),
    },
  );
}

type DeleteOutcome =
  | { readonly kind: 'deleted'; readonly deleteMarkerVersionId?: string }
  | { readonly kind: 'gone' }
  | { readonly kind: 'changed' };

/**
 * Deletes the current object only while its ETag is still `etag` (S3 `If-Match` on DeleteObject,
 * supported by general purpose buckets — S3 API Reference, "DeleteObject"): a replica written
 * between the HEAD and the delete (412 PreconditionFailed) is never deleted. Without a version id a
 * versioned target gets a delete marker.
 */
async function deleteIfUnchanged(
  deps: DeleteReplicaDeps,
  place: Place,
  etag: string,
  signal: AbortSignal | undefined,
): Promise<DeleteOutcome> {
  try {
    const answer = await deps
      .s3ClientFor(place.region)
      .send(
        new DeleteObjectCommand({ Bucket: place.bucket, Key: place.key, IfMatch: etag, ...owner(place) }),
        sendOptions(signal),
      );
    return answer.DeleteMarker === true && answer.VersionId !== undefined
      ? { kind: 'deleted', deleteMarkerVersionId: answer.VersionId }
      : { kind: 'deleted' };
  } catch (err) {
    if (isPreconditionFailed(err)) return { kind: 'changed' };
    // With If-Match, S3 answers 404 NoSuchKey when the object went away since the HEAD.
    if (isMissingObject(err)) return { kind: 'gone' };
    const error = classifyAwsError(err, {
      operation: 's3:DeleteObject',
      side: 'target',
      bucket: place.bucket,
      key: place.key,
      target: place.label,
    });
    throw error instanceof AccessDenied ? deniedDelete(error, place) : error;
  }
}

/**
 * The DeleteReplica task: for one target of a deleted source object, HEADs the destination key and
 * deletes the object there only when it is the relay's replica of that source, made from an upload
 * not newer than the deletion (`decide.ts`), conditionally on the ETag just read. Results: `deleted`
 * (with the delete marker's version id in a versioned target), `absent`, `not-a-replica`,
 * `newer-replica`, `other-version`. When the object changed between the HEAD and the delete, it is
 * read once more and reported as what it now is; should that again be a replica to delete (an older
 * copy landed in between), the task fails with a retryable error and the state machine runs it again.
 *
 * @throws TransientAwsError (retried by the state machine) for throttling, 5xx and the case above
 * @throws AccessDenied naming the grant the delete-replica role lacks
 */
export async function deleteReplica(
  input: DeleteTaskInput,
  deps: DeleteReplicaDeps,
  options: TaskOptions = {},
): Promise<DeleteReplicaResult> {
  const { source, target } = input;
  const label = targetId(target);
  const place: Place = {
    bucket: target.bucket,
    key: destinationKey({ ...target, id: label }, source.key),
    region: target.region,
    account: target.account,
    label,
  };
  const destination = { bucket: place.bucket, key: place.key };
  const absent = (detail: string): DeleteReplicaResult => ({ status: 'absent', destination, detail });

  const head = await headReplica(deps, place, options.signal);
  if (head === undefined) return absent('No object is at the destination key (or only a delete marker)');
  const decision = decideDeletion(head.Metadata, source);
  if (decision.action === 'keep') return { status: decision.status, destination, detail: decision.detail };
  if (head.ETag === undefined) {
    throw new TransientAwsError(
      `s3:HeadObject (s3://${place.bucket}/${place.key}) answered without an ETag; the delete needs one for If-Match and is retried`,
      { operation: 's3:HeadObject' },
    );
  }

  const outcome = await deleteIfUnchanged(deps, place, head.ETag, options.signal);
  if (outcome.kind === 'deleted') {
    return {
      status: 'deleted',
      destination,
      ...(outcome.deleteMarkerVersionId === undefined
        ? {}
        : { deleteMarkerVersionId: outcome.deleteMarkerVersionId }),
      detail: `${decision.detail}; deleted${outcome.deleteMarkerVersionId === undefined ? '' : ` (delete marker ${outcome.deleteMarkerVersionId})`}`,
    };
  }
  if (outcome.kind === 'gone') return absent('The object went away before the relay deleted it');

  // 412: the object changed since the HEAD. Report what is there now.
  const now = await headReplica(deps, place, options.signal);
  if (now === undefined) return absent('The object changed and then went away before the relay deleted it');
  const again = decideDeletion(now.Metadata, source);
  if (again.action === 'keep') {
    return {
      status: again.status,
      destination,
      detail: `The object changed while the relay was deleting it (If-Match failed): ${again.detail}`,
    };
  }
  throw new TransientAwsError(
    `s3://${place.bucket}/${place.key} changed while the relay was deleting it and still holds an older replica of s3://${source.bucket}/${source.key}; the state machine runs the delete again`,
    { operation: 's3:DeleteObject', awsCode: 'PreconditionFailed', httpStatus: 412 },
  );
}
