import * as z from 'zod/mini';
import { DELETION_KINDS } from './events/normalize.ts';
import './schema-locale.ts';
import { relaySettingsSchema, workflowTargetSchema } from './workflow.ts';

/**
 * The contract of delete propagation (a rule's `propagateDeletes`): what ResolveTargets returns for
 * a deleted source object, what the DeleteReplica task receives and returns per target, and the
 * output of an execution that propagated a delete. Kept apart from core/workflow.ts (the relay's
 * copy contract); the state machine routes on `operation: 'delete'`.
 */

const nonEmpty = z.string().check(z.minLength(1));

/**
 * The DeleteReplica task's time limit, in seconds: its Task state's `TimeoutSeconds` and its Lambda
 * timeout (infra/function-settings.ts) — one HEAD and one DELETE, or two HEADs after a lost race.
 */
export const DELETE_REPLICA_TIMEOUT_SECONDS = 120;

/**
 * The deleted source object, as the event named it. Nothing is read from the source (it is gone):
 * `versionId` is the removed version for a `permanent` deletion in a versioned bucket, and the new
 * delete marker's id for `delete-marker`.
 */
export const deletedSourceSchema = z.object({
  bucket: nonEmpty,
  key: nonEmpty,
  region: nonEmpty,
  account: z.optional(z.string().check(z.regex(/^\d{12}$/, { message: 'an account id is 12 digits' }))),
  deletion: z.enum(DELETION_KINDS),
  versionId: z.optional(nonEmpty),
  /** The deletion event's sequencer: replicas of uploads with a newer one are left alone. */
  sequencer: z.optional(
    z.string().check(z.regex(/^[0-9A-Fa-f]+$/, { message: 'a sequencer is hexadecimal' })),
  ),
  /** When S3 deleted the object (the event's time, ISO 8601): orders replicas that carry no sequencer. */
  eventTime: z.optional(nonEmpty),
});

/** Why a delete goes nowhere: no `propagateDeletes` rule matches the key, or the rules name no target. */
export const NO_DELETE_TARGETS_REASONS = ['no-rule', 'no-targets'] as const;

/**
 * ResolveTargets' result for a deleted source object: the targets of the matching rules that
 * propagate deletes (never `TargetBucket` tag targets), or none and the reason.
 */
export const resolveDeleteOutputSchema = z
  .object({
    operation: z.literal('delete'),
    source: deletedSourceSchema,
    targets: z.array(workflowTargetSchema),
    settings: relaySettingsSchema,
    reason: z.optional(z.enum(NO_DELETE_TARGETS_REASONS)),
    /** A sentence for people. */
    detail: z.optional(z.string()),
  })
  .check(
    z.superRefine((value, ctx) => {
      if ((value.targets.length === 0) !== (value.reason !== undefined)) {
        ctx.addIssue({
          code: 'custom',
          path: ['reason'],
          message: 'reason is given exactly when there are no targets',
        });
      }
    }),
  );

/** The DeleteReplica task's input: the deleted source and one target (the Map iteration's state). */
export const deleteTaskInputSchema = z.object({
  source: deletedSourceSchema,
  target: workflowTargetSchema,
});

/**
 * What DeleteReplica did at one target:
 * - `deleted`: the replica made from the deleted source was deleted (a delete marker in a versioned
 *   target: `deleteMarkerVersionId`);
 * - `absent`: nothing is at the destination key (or only a delete marker);
 * - `not-a-replica`: the object there carries no relay metadata, or names another source — left alone;
 * - `newer-replica`: the replica was made from a source upload newer than the deletion (or one that
 *   cannot be proven older) — left alone;
 * - `other-version`: the deletion removed one version of a versioned source, and the replica was made
 *   from another version, which still exists — left alone.
 */
export const DELETE_REPLICA_STATUSES = [
  'deleted',
  'absent',
  'not-a-replica',
  'newer-replica',
  'other-version',
] as const;

/** The DeleteReplica task's result. */
export const deleteReplicaResultSchema = z.object({
  status: z.enum(DELETE_REPLICA_STATUSES),
  destination: z.object({ bucket: nonEmpty, key: nonEmpty }),
  /** The version id of the delete marker the deletion created (versioned targets). */
  deleteMarkerVersionId: z.optional(nonEmpty),
  /** A sentence for people: what was found and why it was (or was not) deleted. */
  detail: z.string(),
});

/** The DeleteReplica task's answer: its result with the target it is about (a delete output's item). */
export const deleteReplicaTargetResultSchema = z.extend(deleteReplicaResultSchema, {
  target: workflowTargetSchema,
});

/**
 * One target's result in a delete execution's output: DeleteReplica's answer — or, in outputs written by
 * hand or by a definition that caught failures, the failure.
 */
export const deleteTargetResultSchema = z.union([
  deleteReplicaTargetResultSchema,
  z.object({
    target: workflowTargetSchema,
    status: z.literal('failed'),
    error: z.string(),
    cause: z.optional(z.string()),
  }),
]);

/** The output of an execution that propagated a delete: the deleted source and one result per target. */
export const deleteOutputSchema = z.object({
  operation: z.literal('delete'),
  source: deletedSourceSchema,
  results: z.array(deleteTargetResultSchema),
});

/** The deleted source object. */
export type DeletedSource = z.infer<typeof deletedSourceSchema>;
/** ResolveTargets' result for a deleted source. */
export type ResolveDeleteOutput = z.infer<typeof resolveDeleteOutputSchema>;
/** Why a delete goes nowhere. */
export type NoDeleteTargetsReason = (typeof NO_DELETE_TARGETS_REASONS)[number];
/** The DeleteReplica task's input. */
export type DeleteTaskInput = z.infer<typeof deleteTaskInputSchema>;
/** A DeleteReplica status. */
export type DeleteReplicaStatus = (typeof DELETE_REPLICA_STATUSES)[number];
/** The DeleteReplica task's result. */
export type DeleteReplicaResult = z.infer<typeof deleteReplicaResultSchema>;
/** The DeleteReplica task's answer. */
export type DeleteReplicaTargetResult = z.infer<typeof deleteReplicaTargetResultSchema>;
/** One target's result in a delete execution's output. */
export type DeleteTargetResult = z.infer<typeof deleteTargetResultSchema>;
/** The output of an execution that propagated a delete. */
export type DeleteOutput = z.infer<typeof deleteOutputSchema>;
