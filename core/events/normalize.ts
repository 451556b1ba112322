import type * as z from 'zod/mini';
import type { $ZodError } from 'zod/v4/core';
import { bucketNameProblem, isRegion } from '../aws-names.ts';
import { InvalidInput } from '../errors.ts';
import { unquoteEtag } from '../etag.ts';
import { MAX_KEY_BYTES, utf8Length } from '../s3-limits.ts';
import { parseTargetSelector } from '../target-selector.ts';
import { decodeNotificationKey } from './decode-key.ts';
import {
  eventBridgeS3EventSchema,
  type pipelineRoutingSchema,
  relayRequestSchema,
  s3NotificationSchema,
} from './shapes.ts';

/** Which input shape a request came from. */
export type InputShape = 'eventbridge' | 's3-notification' | 'request';

/** What the event asks of the relay: relay a new object, or delete the replicas of a deleted one. */
export type SourceOperation = 'relay' | 'delete';

/**
 * How the source object went away: removed for good (an unversioned object, or one version of a
 * versioned one: `versionId` names it), or hidden behind a new delete marker (`versionId` names the
 * marker).
 */
export type DeletionKind = (typeof DELETION_KINDS)[number];

/** Every {@link DeletionKind}. */
export const DELETION_KINDS = ['permanent', 'delete-marker'] as const;

/** The EventBridge `deletion-type` values (S3 User Guide, "EventBridge event message structure"). */
const EVENTBRIDGE_DELETION_TYPES: Readonly<Record<string, DeletionKind>> = {
  'Permanently Deleted': 'permanent',
  'Delete Marker Created': 'delete-marker',
};

/**
 * The classic notification event names of deletions (S3 User Guide, "Event notification types and
 * destinations"): `ObjectRemoved:*` for DeleteObject(s), `LifecycleExpiration:*` for expirations.
 */
const NOTIFICATION_DELETIONS: Readonly<Record<string, DeletionKind>> = {
  'ObjectRemoved:Delete': 'permanent',
  'ObjectRemoved:DeleteMarkerCreated': 'delete-marker',
  'LifecycleExpiration:Delete': 'permanent',
  'LifecycleExpiration:DeleteMarkerCreated': 'delete-marker',
};

/** The object to relay, or whose replicas to delete, whatever shape the workflow input had. */
export interface SourceRequest {
  readonly via: InputShape;
  /** `delete` for an `Object Deleted` / `ObjectRemoved:*` event; `relay` otherwise. */
  readonly operation: SourceOperation;
  /** Set when `operation` is `delete`. */
  readonly deletion?: DeletionKind;
  readonly bucket: string;
  /** The raw object key (already decoded for classic notifications). */
  readonly key: string;
  readonly versionId?: string;
  /** Unquoted. */
  readonly etag?: string;
  readonly size?: number;
  /** S3's event sequencer (hex), to order events of one key. */
  readonly sequencer?: string;
  readonly eventTime?: string;
  /** The source bucket's region, when the input says. */
  readonly region?: string;
  /** An explicit target selection (CLI): `bucket` or `bucket@region` entries. */
  readonly targets?: readonly string[];
  /** `false`: deploy nowhere (a request's `deploy`; a backfill's default). */
  readonly deploy?: boolean;
  /** A pipeline artifact's routing (the rule, the source region, the one destination key). */
  readonly pipeline?: PipelineRouting;
}

/** How a pipeline artifact is routed (`relayRequestSchema`'s `pipeline`). */
export type PipelineRouting = z.infer<typeof pipelineRoutingSchema>;

function describeIssues(error: $ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(input)';
      return issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined
        ? `${path} is missing`
        : issue.code === 'unrecognized_keys'
          ? `unknown member(s) ${issue.keys.join(', ')}`
          : `${path}: ${issue.message}`;
    })
    .join('; ');
}

function optional<K extends string, V>(key: K, value: V | null | undefined): { [P in K]?: V } {
  return (value === undefined || value === null ? {} : { [key]: value }) as { [P in K]?: V };
}

function isSequencer(value: string): boolean {
  return /^[0-9A-Fa-f]+$/.test(value);
}

function checkSequencer(sequencer: string | null | undefined): void {
  if (sequencer !== undefined && sequencer !== null && !isSequencer(sequencer)) {
    throw new InvalidInput(`The event's sequencer ${JSON.stringify(sequencer)} is not hexadecimal`);
  }
}

function fromEventBridge(input: unknown): SourceRequest {
  const parsed = eventBridgeS3EventSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidInput(`The EventBridge S3 event is incomplete: ${describeIssues(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const event = parsed.data;
  const object = event.detail.object;
  if (event['detail-type'] === 'Object Deleted') {
    checkSequencer(object.sequencer);
    const deletionType = event.detail['deletion-type'];
    const deletion =
      deletionType === undefined || deletionType === null
        ? undefined
        : EVENTBRIDGE_DELETION_TYPES[deletionType];
    if (deletion === undefined) {
      throw new InvalidInput(
        `The EventBridge "Object Deleted" event has the deletion-type ${JSON.stringify(deletionType ?? null)}; expected "Permanently Deleted" or "Delete Marker Created"`,
      );
    }
    // The event's ETag (if any) is not the deleted object's (a delete marker's is the empty MD5): not kept.
    return {
      via: 'eventbridge',
      operation: 'delete',
      deletion,
      bucket: event.detail.bucket.name,
      key: object.key,
      ...optional('versionId', object['version-id']),
      ...optional('sequencer', object.sequencer),
      ...optional('eventTime', event.time),
      ...optional('region', event.region),
    };
  }
  if (event['detail-type'] !== 'Object Created') {
    throw new InvalidInput(
      `The EventBridge S3 event is "${event['detail-type']}"; only "Object Created" events are relayed (and "Object Deleted" events propagated)`,
    );
  }
  checkSequencer(object.sequencer);
  return {
    via: 'eventbridge',
    operation: 'relay',
    bucket: event.detail.bucket.name,
    key: object.key,
    ...optional('versionId', object['version-id']),
    ...optional(
      'etag',
      object.etag === undefined || object.etag === null ? undefined : unquoteEtag(object.etag),
    ),
    ...optional('size', object.size),
    ...optional('sequencer', object.sequencer),
    ...optional('eventTime', event.time),
    ...optional('region', event.region),
  };
}

function fromS3Notification(input: unknown): SourceRequest {
  const parsed = s3NotificationSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidInput(`The S3 event notification is incomplete: ${describeIssues(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const records = parsed.data.Records;
  if (records.length !== 1) {
    throw new InvalidInput(
      `The S3 event notification holds ${records.length} records; an execution relays exactly one object, so send one record per execution`,
    );
  }
  const record = records[0]!;
  const object = record.s3.object;
  const deletion = NOTIFICATION_DELETIONS[record.eventName.replace(/^s3:/, '')];
  if (deletion !== undefined) {
    checkSequencer(object.sequencer);
    return {
      via: 's3-notification',
      operation: 'delete',
      deletion,
      bucket: record.s3.bucket.name,
      key: decodeNotificationKey(object.key),
      ...optional('versionId', object.versionId),
      ...optional('sequencer', object.sequencer),
      ...optional('eventTime', record.eventTime),
      ...optional('region', record.awsRegion),
    };
  }
  if (!record.eventName.startsWith('ObjectCreated:')) {
    throw new InvalidInput(
      `The S3 event notification is "${record.eventName}"; only ObjectCreated:* events are relayed (and ObjectRemoved:* events propagated)`,
    );
  }
  checkSequencer(object.sequencer);
  return {
    via: 's3-notification',
    operation: 'relay',
    bucket: record.s3.bucket.name,
    key: decodeNotificationKey(object.key),
    ...optional('versionId', object.versionId),
    ...optional(
      'etag',
      object.eTag === undefined || object.eTag === null ? undefined : unquoteEtag(object.eTag),
    ),
    ...optional('size', object.size),
    ...optional('sequencer', object.sequencer),
    ...optional('eventTime', record.eventTime),
    ...optional('region', record.awsRegion),
  };
}

/**
 * Checks what the schema cannot: the region is a region code and the destination key fits S3.
 *
 * @throws InvalidInput naming the field and what it must be
 */
function checkPipelineRouting(pipeline: PipelineRouting | undefined): void {
  if (pipeline === undefined) return;
  if (!isRegion(pipeline.region)) {
    throw new InvalidInput(
      `The request's pipeline.region ${JSON.stringify(pipeline.region)} is not an AWS region code (such as us-west-2)`,
    );
  }
  const keyBytes = utf8Length(pipeline.destinationKey);
  if (keyBytes > MAX_KEY_BYTES) {
    throw new InvalidInput(
      `The request's pipeline.destinationKey is ${keyBytes} bytes long; S3 keys are at most ${MAX_KEY_BYTES} bytes`,
    );
  }
}

function fromRequest(input: unknown): SourceRequest {
  const parsed = relayRequestSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidInput(
      `The input is not an S3 "Object Created" event from EventBridge, an S3 event notification (Records[]) or a request { bucket, key, versionId?, etag?, sequencer?, targets?, deploy?, pipeline? }: ${describeIssues(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  const request = parsed.data;
  const bucketProblem = bucketNameProblem(request.bucket);
  if (bucketProblem !== undefined) {
    throw new InvalidInput(
      `The request's bucket ${JSON.stringify(request.bucket)} is invalid: ${bucketProblem}`,
    );
  }
  const keyBytes = utf8Length(request.key);
  if (keyBytes > MAX_KEY_BYTES) {
    throw new InvalidInput(
      `The request's key is ${keyBytes} bytes long; S3 keys are at most ${MAX_KEY_BYTES} bytes`,
    );
  }
  checkPipelineRouting(request.pipeline);
  for (const entry of request.targets ?? []) {
    const selector = parseTargetSelector(entry);
    if ('problem' in selector) {
      throw new InvalidInput(
        `The request's target ${JSON.stringify(entry)} is not "bucket" or "bucket@region": ${selector.problem}`,
      );
    }
  }
  return {
    via: 'request',
    operation: 'relay',
    bucket: request.bucket,
    key: request.key,
    ...optional('versionId', request.versionId),
    ...optional('etag', request.etag === undefined ? undefined : unquoteEtag(request.etag)),
    ...optional('sequencer', request.sequencer),
    ...optional('targets', request.targets),
    ...optional('deploy', request.deploy),
    ...optional('pipeline', request.pipeline),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Normalises the workflow input into the object to relay. Accepts an EventBridge S3
 * `Object Created` event (raw key, not decoded), a classic S3 event notification with exactly
 * one record (URL-encoded key, `+` for a space: decoded), or a plain request
 * `{ bucket, key, versionId?, etag?, targets? }` from the CLI — all with the operation `relay` —
 * and the deletions of both event shapes (`Object Deleted`, `ObjectRemoved:*`) with the operation
 * `delete` and how the object went (`deletion`).
 *
 * @throws InvalidInput naming what is missing or wrong
 */
export function normalizeInput(input: unknown): SourceRequest {
  if (!isRecord(input)) {
    throw new InvalidInput(
      `The input must be a JSON object (an S3 event or { bucket, key }), got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`,
    );
  }
  if ('detail-type' in input || 'detail' in input || input.source === 'aws.s3') return fromEventBridge(input);
  if ('Records' in input) return fromS3Notification(input);
  return fromRequest(input);
}
