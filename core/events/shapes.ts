import { z } from 'zod';
import { BUNDLE_TYPES } from '../config/schema.ts';

/**
 * The input shapes the workflow accepts. AWS adds fields to events over time, so event shapes
 * ignore unknown members; the CLI request is strict so that a typo fails.
 */

/** An Amazon S3 event as EventBridge delivers it (`detail-type` checked by the normaliser). */
export const eventBridgeS3EventSchema = z.object({
  source: z.literal('aws.s3'),
  'detail-type': z.string(),
  region: z.string().optional(),
  time: z.string().optional(),
  detail: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().nullish(),
      etag: z.string().nullish(),
      'version-id': z.string().nullish(),
      sequencer: z.string().nullish(),
    }),
    /** `Object Deleted` only: `Permanently Deleted` or `Delete Marker Created`. */
    'deletion-type': z.string().nullish(),
  }),
});

/** One record of a classic S3 event notification. */
export const s3NotificationRecordSchema = z.object({
  eventSource: z.literal('aws:s3').optional(),
  awsRegion: z.string().optional(),
  eventTime: z.string().optional(),
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({
      key: z.string().min(1),
      size: z.number().int().nonnegative().nullish(),
      eTag: z.string().nullish(),
      versionId: z.string().nullish(),
      sequencer: z.string().nullish(),
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
  rule: z.string().min(1),
  destinationKey: z.string().min(1),
  bundleType: z.enum(BUNDLE_TYPES).optional(),
  region: z.string().min(1),
});

/** A replay request from the CLI. */
export const relayRequestSchema = z.strictObject({
  bucket: z.string().min(1),
  key: z.string().min(1),
  versionId: z.string().min(1).optional(),
  etag: z.string().min(1).optional(),
  sequencer: z
    .string()
    .regex(/^[0-9A-Fa-f]+$/, { message: 'a sequencer is hexadecimal' })
    .optional(),
  targets: z.array(z.string().min(1)).min(1).optional(),
  /** A pipeline artifact: route by this instead of by the bucket and key. */
  pipeline: pipelineRoutingSchema.optional(),
});

/** A replay request (the CLI's, or the pipeline action's). */
export type RelayRequest = z.infer<typeof relayRequestSchema>;
