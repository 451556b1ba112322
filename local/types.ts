/**
 * Contracts between the parts of the embedded local stack (S3, Step Functions, CodeDeploy, the
 * EventBridge bridge and the one HTTP endpoint that fronts them). Each service lives in its own folder
 * and depends on the others only through these types.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** What the endpoint knows about a request before a service sees it. */
export interface RequestContext {
  /** Region from the SigV4 credential scope (header or presigned query); `us-east-1` when unsigned. */
  readonly region: string;
  /** Request id echoed in `x-amz-request-id` / `x-amzn-RequestId` and in error bodies. */
  readonly requestId: string;
  /** The account every resource of the local stack belongs to (its default account). */
  readonly accountId: string;
  /**
   * The access key id the request was signed with (SigV4 credential scope); absent when unsigned. A
   * service resolves it to a principal or an account administrator through local/iam/principals.ts.
   */
  readonly accessKeyId?: string;
}

/** A REST service (S3) answers the raw HTTP exchange itself. */
export interface RestService {
  handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void>;
}

/**
 * A service speaking the AWS JSON protocol (Step Functions: JSON 1.0, CodeDeploy: JSON 1.1).
 * `operation` is the part of `X-Amz-Target` after the dot. Throw {@link AwsJsonError} (local/protocol/json.ts)
 * for modelled errors; anything else becomes a 500 InternalFailure.
 */
export interface JsonService {
  handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown>;
}

/** The EventBridge "Object Created" event S3 sends when EventBridge notifications are on. */
export interface S3ObjectCreatedEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Object Created';
  readonly source: 'aws.s3';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly version: '0';
    readonly bucket: { readonly name: string };
    readonly object: {
      /** The raw key, not URL-encoded (unlike classic S3 notifications). */
      readonly key: string;
      readonly size: number;
      readonly etag: string;
      readonly 'version-id'?: string;
      readonly sequencer: string;
    };
    readonly 'request-id': string;
    readonly requester: string;
    readonly 'source-ip-address': string;
    readonly reason: 'PutObject' | 'CopyObject' | 'CompleteMultipartUpload';
  };
}

/**
 * The EventBridge "Object Deleted" event S3 sends for a DeleteObject (or DeleteObjects entry, or an
 * expiration): `deletion-type` says whether the object (or one version) is gone for good or a delete
 * marker now hides it (S3 User Guide, "EventBridge event message structure").
 */
export interface S3ObjectDeletedEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Object Deleted';
  readonly source: 'aws.s3';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly version: '0';
    readonly bucket: { readonly name: string };
    readonly object: {
      /** The raw key, not URL-encoded. */
      readonly key: string;
      /** A delete marker's: the MD5 of nothing, as S3's own example shows. */
      readonly etag?: string;
      /** The version removed, or the delete marker created (versioned buckets only). */
      readonly 'version-id'?: string;
      readonly sequencer: string;
    };
    readonly 'request-id': string;
    readonly requester: string;
    readonly 'source-ip-address': string;
    readonly reason: 'DeleteObject';
    readonly 'deletion-type': 'Permanently Deleted' | 'Delete Marker Created';
  };
}

/** An S3 event the local S3 publishes to the EventBridge bridge. */
export type S3BucketEvent = S3ObjectCreatedEvent | S3ObjectDeletedEvent;

/** A stored object version as other local services (CodeDeploy) may read it, without going through HTTP. */
export interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  /** `undefined` when the bucket has never been versioned; `'null'` for the null version. */
  readonly versionId: string | undefined;
  /** The ETag with its quotes, as S3 returns it. */
  readonly etag: string;
  readonly size: number;
  /** Opens the object's bytes (streamed from disk). */
  open(): Readable;
}

/** In-process read access to the local S3, used by CodeDeploy to check a revision. */
export interface S3ObjectReader {
  /** The region the bucket was created in, or `undefined` when there is no such bucket. */
  bucketRegion(bucket: string): string | undefined;
  /** The named version (or the current one); `undefined` when missing or a delete marker. */
  getObject(bucket: string, key: string, versionId?: string): Promise<StoredObject | undefined>;
}

/** A Task state's resource, run in-process. `signal` aborts when the execution is stopped. */
export type TaskHandler = (
  input: unknown,
  context: {
    readonly signal: AbortSignal;
    /** The region of the execution that runs the Task (service integrations act there). */
    readonly region?: string;
  },
) => Promise<unknown>;

/** Anything that accepts an event for delivery (the EventBridge bridge). */
export type EventSink = (event: S3BucketEvent) => void;
