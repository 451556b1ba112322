/**
 * The relay's own events (issue #12, point 5): what an ended execution means for the people who run it,
 * as EventBridge custom events on the default bus (source `artifact-relay`). Pure: the notifier
 * (functions/notify) gathers the execution's facts and publishes what {@link relayEventsOf} returns.
 *
 * The trigger is Step Functions' own "Step Functions Execution Status Change" event (source `aws.states`,
 * sent to the default bus on a best-effort basis — EventBridge reference "AWS Step Functions events").
 */
import * as z from 'zod/mini';
import './schema-locale.ts';

/** The `source` of every event the relay publishes. */
export const RELAY_EVENT_SOURCE = 'artifact-relay';

/** The `detail-type` of each event the relay publishes. */
export const RELAY_EVENT_TYPES = {
  targetFailed: 'Target Failed',
  targetSuperseded: 'Target Superseded',
  targetHeld: 'Target Held',
  deploymentFinished: 'Deployment Finished',
  /** Put by the state machine itself (an approval's task-token Task, docs/waves.md), not the notifier. */
  approvalPending: 'Approval Pending',
} as const;

/** Any of the relay's detail-types. */
export type RelayEventType = (typeof RELAY_EVENT_TYPES)[keyof typeof RELAY_EVENT_TYPES];

/** Step Functions' source and detail-type of an execution's status change. */
export const EXECUTION_STATUS_CHANGE = {
  source: 'aws.states',
  detailType: 'Step Functions Execution Status Change',
} as const;

/** The statuses an execution ends with: the notifier acts on these only. */
export const ENDED_EXECUTION_STATUSES = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'] as const;

/** An ended execution's status. */
export type EndedExecutionStatus = (typeof ENDED_EXECUTION_STATUSES)[number];

/**
 * The EventBridge rule pattern that sends the relay state machine's ended executions to the notifier —
 * one object, used by the CDK rule and the local bridge alike.
 */
export function executionEndedPattern(stateMachineArn: string): Record<string, unknown> {
  return {
    source: [EXECUTION_STATUS_CHANGE.source],
    'detail-type': [EXECUTION_STATUS_CHANGE.detailType],
    detail: { stateMachineArn: [stateMachineArn], status: [...ENDED_EXECUTION_STATUSES] },
  };
}

/** The part of a "Step Functions Execution Status Change" event the notifier reads. */
export const executionStatusChangeSchema = z.object({
  source: z.literal(EXECUTION_STATUS_CHANGE.source),
  'detail-type': z.literal(EXECUTION_STATUS_CHANGE.detailType),
  detail: z.object({
    executionArn: z.string().check(z.minLength(1)),
    stateMachineArn: z.string().check(z.minLength(1)),
    status: z.string(),
  }),
});

/** A "Step Functions Execution Status Change" event, as far as the notifier reads it. */
export type ExecutionStatusChange = z.infer<typeof executionStatusChangeSchema>;

const targetRefSchema = z.object({
  bucket: z.string(),
  region: z.string(),
  keyPrefix: z.optional(z.string()),
  wave: z.optional(z.number().check(z.int())),
});

const sourceRefSchema = z.object({ bucket: z.string(), key: z.string(), versionId: z.optional(z.string()) });

/** What every event of one target carries: the execution, the source object and the target. */
const targetEventBase = z.object({
  executionArn: z.string(),
  executionStatus: z.enum(ENDED_EXECUTION_STATUSES),
  source: z.optional(sourceRefSchema),
  index: z.number().check(z.int(), z.gte(0)),
  target: targetRefSchema,
});

/** `Target Failed`: the error's name, the cause's message and what to do about it. */
export const targetFailedDetailSchema = z.extend(targetEventBase, {
  error: z.string(),
  message: z.optional(z.string()),
  fix: z.string(),
});

/** `Target Superseded`: a newer replica (or a newer deployed build) won; nothing to do but know. */
export const targetSupersededDetailSchema = z.extend(targetEventBase, { reason: z.string() });

/** `Target Held`: a later deployment wave's target that waits for a redrive. */
export const targetHeldDetailSchema = z.extend(targetEventBase, {
  wave: z.number().check(z.int()),
  reason: z.string(),
});

/** `Deployment Finished`: a deployment the relay made (or found) reached a terminal status. */
export const deploymentFinishedDetailSchema = z.extend(targetEventBase, {
  deploymentId: z.string(),
  deploymentStatus: z.string(),
});

/** One target's fate in an ended execution, as the notifier derives it from the execution. */
export interface TargetFact {
  readonly index: number;
  readonly target: z.infer<typeof targetRefSchema>;
  readonly status: string;
  readonly error?: string;
  readonly cause?: string;
  readonly deployment?: { readonly id: string; readonly status: string };
  /** A sentence for people about the status (a superseded target's: which newer build won). */
  readonly detail?: string;
}

/** An ended execution's facts: what {@link relayEventsOf} reads. */
export interface ExecutionFacts {
  readonly executionArn: string;
  readonly status: EndedExecutionStatus;
  readonly source?: z.infer<typeof sourceRefSchema>;
  readonly targets: readonly TargetFact[];
}

/** One event to publish, in the shape of a PutEvents entry. */
export interface RelayEvent {
  readonly source: typeof RELAY_EVENT_SOURCE;
  readonly detailType: RelayEventType;
  readonly detail: Record<string, unknown>;
}

/** The human message inside a Step Functions `cause` (a Lambda's `{ errorType, errorMessage }` JSON). */
export function causeMessageOf(cause: string | undefined): string | undefined {
  if (cause === undefined || cause.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    const message =
      typeof parsed === 'object' && parsed !== null ? Reflect.get(parsed, 'errorMessage') : undefined;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // Not JSON: the cause is the message.
  }
  return cause;
}

/** Errors a retry will not cure by itself: the sentence tells what to change first. */
const FIXES: Readonly<Record<string, string>> = {
  AccessDenied: "grant the relay's role what the message names, then redrive the execution",
  NoSuchTargetBucket: 'create the target bucket (or correct relay.config.json), then redrive the execution',
  BucketRegionMismatch: "correct the target's region in relay.config.json, then redrive the execution",
  KmsKeyUnusable: "enable the KMS key or grant the relay's role its use, then redrive the execution",
  DeploymentFailed:
    'fix the deployment (see CodeDeploy for the failing lifecycle event), then redrive the execution',
  VerificationFailed:
    'the replica does not match the source: check what else writes to the target, then redrive',
  ConfigInvalid: 'correct relay.config.json (the message lists each problem), deploy it, then redrive',
};

/** What a person should do about a failed target. */
function fixFor(error: string): string {
  return FIXES[error] ?? 'act on the message, then redrive the execution (`relay redrive <execution>`)';
}

function base(facts: ExecutionFacts, fact: TargetFact): Record<string, unknown> {
  return {
    executionArn: facts.executionArn,
    executionStatus: facts.status,
    ...(facts.source === undefined ? {} : { source: facts.source }),
    index: fact.index,
    target: fact.target,
  };
}

function event(detailType: RelayEventType, detail: Record<string, unknown>): RelayEvent {
  return { source: RELAY_EVENT_SOURCE, detailType, detail };
}

/** The events of one target: at most one about its fate, plus its deployment's end. */
function eventsOfTarget(facts: ExecutionFacts, fact: TargetFact): RelayEvent[] {
  const events: RelayEvent[] = [];
  const common = base(facts, fact);
  if (fact.status === 'failed' || fact.status === 'aborted') {
    const error = fact.error ?? (fact.status === 'aborted' ? 'Aborted' : 'UnknownError');
    const message = causeMessageOf(fact.cause);
    events.push(
      event(RELAY_EVENT_TYPES.targetFailed, {
        ...common,
        error,
        ...(message === undefined ? {} : { message }),
        fix: fixFor(error),
      }),
    );
  } else if (fact.status === 'superseded') {
    const reason = fact.detail ?? 'a replica made from a newer version of the source is already there';
    events.push(event(RELAY_EVENT_TYPES.targetSuperseded, { ...common, reason }));
  } else if (fact.status === 'held') {
    const wave = fact.target.wave ?? 2;
    events.push(
      event(RELAY_EVENT_TYPES.targetHeld, {
        ...common,
        wave,
        // The reader's own sentence when it has one (it names a rejected or timed-out approval).
        reason:
          fact.detail ??
          `copied and verified, held before deployment wave ${wave}: an earlier target or deployment failed — fix it and redrive the execution`,
      }),
    );
  }
  if (fact.deployment !== undefined) {
    events.push(
      event(RELAY_EVENT_TYPES.deploymentFinished, {
        ...common,
        deploymentId: fact.deployment.id,
        deploymentStatus: fact.deployment.status,
      }),
    );
  }
  return events;
}

/**
 * The events an ended execution publishes: per target, `Target Failed` / `Target Superseded` /
 * `Target Held` when it needs a person, and `Deployment Finished` for each deployment it ended with.
 * A clean success without deployments publishes nothing.
 */
export function relayEventsOf(facts: ExecutionFacts): RelayEvent[] {
  return facts.targets.flatMap((fact) => eventsOfTarget(facts, fact));
}
