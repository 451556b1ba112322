/**
 * The EventBridge "Object Created" events S3 sends for every object creation (PutObject, CopyObject,
 * CompleteMultipartUpload): the raw key, size, ETag without quotes, the version id in versioned buckets and
 * the bucket's increasing sequencer. The event's `account` is the bucket owner's, `requester` the
 * account the request acted for.
 */
import { randomUUID } from 'node:crypto';
import type { S3ObjectCreatedEvent } from '../types.ts';
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
