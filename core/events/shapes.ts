import * as z from 'zod/mini';
import { BUNDLE_TYPES } from '../config/schema.ts';
import '../schema-locale.ts';

/**
 * The input shapes the workflow accepts. AWS adds fields to events over time, so event shapes
 * ignore unknown members; the CLI request is strict so that a typo fails.
 */

const nonEmpty = z.string().check(z.minLength(1));
const byteCount = z.number().check(z.int(), z.nonnegative());

/** An Amazon S3 event as EventBridge delivers it (`detail-type` checked by the normaliser). */
export const eventBridgeS3EventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.string(),
  region: z.optional(z.string()),
  time: z.optional(z.string()),
  detail: z.object({
    bucket: z.object({ name: nonEmpty }),
    object: z.object({
      key: nonEmpty,
      size: z.nullish(byteCount),
      etag: z.nullish(z.string()),
      'version-id': z.nullish(z.string()),
      sequencer: z.nullish(z.string()),
    }),
    /** `Object Deleted` only: `Permanently Deleted` or `Delete Marker Created`. */
    'deletion-type': z.nullish(z.string()),
  }),
});

/** One record of a classic S3 event notification. */
export const s3NotificationRecordSchema = z.object({
  eventSource: z.optional(z.literal('aws:s3')),
  awsRegion: z.optional(z.string()),
  eventTime: z.optional(z.string()),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: nonEmpty }),
    object: z.object({
      key: nonEmpty,
      size: z.nullish(byteCount),
      eTag: z.nullish(z.string()),
      versionId: z.nullish(z.string()),
      sequencer: z.nullish(z.string()),
    }),
  }),
});

/** A classic S3 event notification, as S3 sends it to Lambda, SQS or SNS. */
export const s3NotificationSchema = z.object({ Records: z.array(s3NotificationRecordSchema) });

/**
 * How a pipeline artifact (functions/pipeline-action/) is routed: its key is opaque and its bucket
 * is the pipeline's artifact store, not a configured source, so the request names the rule whose
 * targets receive it, the artifact bucket's region, and the one key every replica gets.
 */
export const pipelineRoutingSchema = z.strictObject({
  rule: nonEmpty,
  destinationKey: nonEmpty,
  bundleType: z.optional(z.enum(BUNDLE_TYPES)),
  region: nonEmpty,
});

/** A replay request from the CLI. */
export const relayRequestSchema = z.strictObject({
  bucket: nonEmpty,
  key: nonEmpty,
  versionId: z.optional(nonEmpty),
  etag: z.optional(nonEmpty),
  sequencer: z.optional(
    z.string().check(z.regex(/^[0-9A-Fa-f]+$/, { message: 'a sequencer is hexadecimal' })),
  ),
  targets: z.optional(z.array(nonEmpty).check(z.minLength(1))),
  /**
   * `false`: relay and verify only, deploy nowhere — what a backfill asks unless told to deploy
   * (core/backfill.ts). Absent or `true`: deploy where the configuration says.
   */
  deploy: z.optional(z.boolean()),
  /** A pipeline artifact: route by this instead of by the bucket and key. */
  pipeline: z.optional(pipelineRoutingSchema),
});

/** A replay request (the CLI's, or the pipeline action's). */
export type RelayRequest = z.infer<typeof relayRequestSchema>;
