/**
 * The EventBridge "Object Created" events S3 sends for every object creation (PutObject, CopyObject,
 * CompleteMultipartUpload): the raw key, size, ETag without quotes, the version id in versioned buckets and
 * the bucket's increasing sequencer. The event's `account` is the bucket owner's, `requester` the
 * account the request acted for. And the "Object Deleted" events of DeleteObject and DeleteObjects:
 * `Delete Marker Created` with the marker's version id, or `Permanently Deleted` (with the removed
 * version's id in a versioned bucket) — S3 User Guide, "EventBridge event message structure".
 */
import { randomUUID } from 'node:crypto';
import type { S3ObjectCreatedEvent, S3ObjectDeletedEvent } from '../types.ts';
import { bucketOwner, callerAccount } from './bucket-owner.ts';
import type { S3Deps, S3Request } from './context.ts';
import type { BucketRecord, ObjectVersion } from './store/records.ts';

/** What S3 names as the cause of an object creation. */
export type CreationReason = S3ObjectCreatedEvent['detail']['reason'];

/** The event for a new version. */
export function objectCreatedEvent(input: {
  readonly bucket: BucketRecord;
  readonly version: ObjectVersion;
  readonly reason: CreationReason;
  /** The bucket owner's account. */
  readonly accountId: string;
  /** The account of the request's caller. @default accountId */
  readonly requester?: string;
  readonly requestId: string;
  readonly sourceIp: string;
}): S3ObjectCreatedEvent {
  const { bucket, version } = input;
  const versioned = bucket.versioning !== undefined;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: input.accountId,
    time: `${version.lastModified.slice(0, 19)}Z`,
    region: bucket.region,
    resources: [`arn:aws:s3:::${bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: bucket.name },
      object: {
        key: version.key,
        size: version.size,
        etag: version.etag.replace(/^"(.*)"$/, '$1'),
        ...(versioned ? { 'version-id': version.versionId } : {}),
        sequencer: version.sequencer,
      },
      'request-id': input.requestId,
      requester: input.requester ?? input.accountId,
      'source-ip-address': input.sourceIp,
      reason: input.reason,
    },
  };
}

/** Hands the event for a new version to the service's sink, if it has one. */
export function emitObjectCreated(
  deps: S3Deps,
  request: S3Request,
  bucket: BucketRecord,
  version: ObjectVersion,
  reason: CreationReason,
): void {
  if (!deps.onObjectCreated) return;
  deps.onObjectCreated(
    objectCreatedEvent({
      bucket,
      version,
      reason,
      accountId: bucketOwner(deps, bucket),
      requester: callerAccount(deps, request),
      requestId: request.ctx.requestId,
      sourceIp: (request.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    }),
  );
}

/** The ETag S3's own "Object Deleted" example gives a delete marker: the MD5 of no bytes. */
export const DELETE_MARKER_EVENT_ETAG = 'd41d8cd98f00b204e9800998ecf8427e';

/** What a deletion did to a key, for its event. */
export interface Deletion {
  readonly key: string;
  /** `Delete Marker Created` or `Permanently Deleted`. */
  readonly type: S3ObjectDeletedEvent['detail']['deletion-type'];
  /** The marker created, or the version removed; only for buckets that have versioning. */
  readonly versionId?: string;
  readonly sequencer: string;
}

/** The event for a deletion. */
export function objectDeletedEvent(input: {
  readonly bucket: BucketRecord;
  readonly deletion: Deletion;
  readonly accountId: string;
  readonly requester?: string;
  readonly requestId: string;
  readonly sourceIp: string;
  /** When the deletion happened. @default now */
  readonly time?: Date;
}): S3ObjectDeletedEvent {
  const { bucket, deletion } = input;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Deleted',
    source: 'aws.s3',
    account: input.accountId,
    time: `${(input.time ?? new Date()).toISOString().slice(0, 19)}Z`,
    region: bucket.region,
    resources: [`arn:aws:s3:::${bucket.name}`],
    detail: {
      version: '0',
      bucket: { name: bucket.name },
      object: {
        key: deletion.key,
        ...(deletion.type === 'Delete Marker Created' ? { etag: DELETE_MARKER_EVENT_ETAG } : {}),
        ...(deletion.versionId === undefined ? {} : { 'version-id': deletion.versionId }),
        sequencer: deletion.sequencer,
      },
      'request-id': input.requestId,
      requester: input.requester ?? input.accountId,
      'source-ip-address': input.sourceIp,
      reason: 'DeleteObject',
      'deletion-type': deletion.type,
    },
  };
}

/** Hands the event for a deletion to the service's sink, if it has one. */
export function emitObjectDeleted(
  deps: S3Deps,
  request: S3Request,
  bucket: BucketRecord,
  deletion: Deletion,
): void {
  if (!deps.onObjectDeleted) return;
  deps.onObjectDeleted(
    objectDeletedEvent({
      bucket,
      deletion,
      accountId: bucketOwner(deps, bucket),
      requester: callerAccount(deps, request),
      requestId: request.ctx.requestId,
      sourceIp: (request.req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    }),
  );
}
