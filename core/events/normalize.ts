import type { z } from 'zod';
import { bucketNameProblem } from '../aws-names.ts';
import { InvalidInput } from '../errors.ts';
import { unquoteEtag } from '../etag.ts';
import { MAX_KEY_BYTES, utf8Length } from '../s3-limits.ts';
import { parseTargetSelector } from '../target-selector.ts';
import { decodeNotificationKey } from './decode-key.ts';
import { eventBridgeS3EventSchema, relayRequestSchema, s3NotificationSchema } from './shapes.ts';

/** Which input shape a request came from. */
export type InputShape = 'eventbridge' | 's3-notification' | 'request';

/** The object to relay, whatever shape the workflow input had. */
export interface SourceRequest {
  readonly via: InputShape;
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
}

function describeIssues(error: z.ZodError): string {
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
  if (event['detail-type'] !== 'Object Created') {
    throw new InvalidInput(
      `The EventBridge S3 event is "${event['detail-type']}"; only "Object Created" events are relayed`,
    );
  }
  const object = event.detail.object;
  checkSequencer(object.sequencer);
  return {
    via: 'eventbridge',
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
  if (!record.eventName.startsWith('ObjectCreated:')) {
    throw new InvalidInput(
      `The S3 event notification is "${record.eventName}"; only ObjectCreated:* events are relayed`,
    );
  }
  const object = record.s3.object;
  checkSequencer(object.sequencer);
  return {
    via: 's3-notification',
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

function fromRequest(input: unknown): SourceRequest {
  const parsed = relayRequestSchema.safeParse(input, { reportInput: true });
  if (!parsed.success) {
    throw new InvalidInput(
      `The input is not an S3 "Object Created" event from EventBridge, an S3 event notification (Records[]) or a request { bucket, key, versionId?, etag?, sequencer?, targets? }: ${describeIssues(parsed.error)}`,
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
    bucket: request.bucket,
    key: request.key,
    ...optional('versionId', request.versionId),
    ...optional('etag', request.etag === undefined ? undefined : unquoteEtag(request.etag)),
    ...optional('sequencer', request.sequencer),
    ...optional('targets', request.targets),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Normalises the workflow input into the object to relay. Accepts an EventBridge S3
 * `Object Created` event (raw key, not decoded), a classic S3 event notification with exactly
 * one record (URL-encoded key, `+` for a space: decoded), or a plain request
 * `{ bucket, key, versionId?, etag?, targets? }` from the CLI.
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
