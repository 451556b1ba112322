/**
 * What became of each target: from the execution's output when it succeeded, else from the last
 * iteration that ran for the target (a failed second pass fails the target; a first-pass failure
 * caught as a result waits for its second pass).
 */
import { type ApprovalRequest, describeApproval, pendingApproval } from '../approvals.ts';
import type { TargetResult, TargetStatus } from '../workflow.ts';
import type { DeleteReplicaStatus, DeleteTargetResult } from '../workflow-delete.ts';
import type { TargetRef, TargetTimeline, TimelinePass } from './timeline.ts';

export type OutcomeStatus =
  | TargetStatus
  | DeleteReplicaStatus
  | 'held'
  | 'awaiting-approval'
  | 'running'
  | 'aborted'
  | 'unknown';

export interface TargetOutcome {
  readonly status: OutcomeStatus;
  readonly error?: string;
  readonly cause?: string;
  readonly result?: TargetResult;
  /** A sentence for people, when the result carries one (a propagated delete's). */
  readonly detail?: string;
}

/** The outcome a propagated delete's result states at one target. */
export function outcomeOfDelete(result: DeleteTargetResult): TargetOutcome {
  if (result.status === 'failed') {
    return {
      status: 'failed',
      error: result.error,
      ...(result.cause === undefined ? {} : { cause: result.cause }),
    };
  }
  return {
    status: result.status,
    detail: `s3://${result.destination.bucket}/${result.destination.key}: ${result.detail}`,
  };
}

function lastError(pass: TimelinePass): { error?: string; cause?: string } {
  for (const step of [...pass.steps].reverse()) {
    const error = step.errors.at(-1);
    if (error !== undefined)
      return { error: error.error, ...(error.cause === undefined ? {} : { cause: error.cause }) };
  }
  return {};
}

/** The outcome a target's result states. */
export function outcomeOfResult(result: TargetResult): TargetOutcome {
  if (result.status === 'failed') {
    return {
      status: 'failed',
      result,
      error: result.error,
      ...(result.cause === undefined ? {} : { cause: result.cause }),
    };
  }
  return { status: result.status, result };
}

/** Execution statuses after which nothing runs until a redrive. */
const ENDED_UNFINISHED = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** Why a later wave was held: the last approval at or before `wave` a person (or the clock) refused. */
function refusedApproval(approvals: readonly ApprovalRequest[], wave: number): ApprovalRequest | undefined {
  const last = approvals.at(-1);
  if (last === undefined || last.wave > wave) return undefined;
  return last.status === 'rejected' || last.status === 'timed-out' ? last : undefined;
}

/**
 * A target of a later deployment wave (docs/waves.md) whose copy succeeded, in an execution that ended
 * before its wave ran: `held`, with what to do — or, while the execution waits for the approval of its
 * wave (or an earlier one), `awaiting-approval`.
 */
function heldOutcome(
  timeline: TargetTimeline,
  executionStatus: string | undefined,
  approvals: readonly ApprovalRequest[],
): TargetOutcome | undefined {
  const wave = timeline.target?.wave;
  if (wave === undefined || executionStatus === undefined) return undefined;
  if (timeline.passes.some((p) => p.wave !== undefined)) return undefined;
  const last = timeline.passes.at(-1);
  if (last?.status !== 'succeeded' || last.result === undefined || last.result.status === 'failed')
    return undefined;
  if (executionStatus === 'RUNNING') {
    const pending = pendingApproval(approvals);
    if (pending === undefined || pending.wave > wave) return undefined;
    return {
      status: 'awaiting-approval',
      result: last.result,
      detail:
        pending.wave === wave
          ? `copied and verified; deployment wave ${wave} waits for an approval — relay approve|reject <execution>`
          : `copied and verified; deployment wave ${wave} comes after wave ${pending.wave}, which waits for an approval`,
    };
  }
  if (!ENDED_UNFINISHED.has(executionStatus)) return undefined;
  const refused = refusedApproval(approvals, wave);
  return {
    status: 'held',
    result: last.result,
    detail:
      refused === undefined
        ? `copied and verified; held before deployment wave ${wave}: an earlier deployment or target failed — fix it and redrive the execution to deploy wave by wave`
        : `copied and verified; held before deployment wave ${wave}: ${describeApproval(refused)} — redrive the execution to ask again`,
  };
}

/**
 * @param final the target's result from the execution output, when the execution succeeded
 * @param executionStatus the execution's status (a later wave's target of a failed execution is `held`)
 * @param approvals the execution's approval requests (core/approvals.ts), which say why a wave waits or was held
 */
export function targetOutcome(
  timeline: TargetTimeline,
  final?: TargetResult,
  executionStatus?: string,
  approvals: readonly ApprovalRequest[] = [],
): TargetOutcome {
  if (final !== undefined) return outcomeOfResult(final);
  const held = heldOutcome(timeline, executionStatus, approvals);
  if (held !== undefined) return held;
  const last = timeline.passes.at(-1);
  if (last === undefined) return { status: 'unknown' };
  switch (last.status) {
    case 'running':
      return { status: 'running' };
    case 'aborted':
      return { status: 'aborted' };
    case 'failed':
      return { status: 'failed', ...lastError(last) };
    case 'succeeded': {
      // A later deployment wave's iteration ends with the deployment alone: the copy's result stands.
      const result = last.result ?? timeline.passes.findLast((p) => p.result !== undefined)?.result;
      return result === undefined ? { status: 'unknown' } : outcomeOfResult(result);
    }
  }
}

/** `s3://bucket/prefix (region)`. */
export function describeTarget(target: TargetRef | undefined, index: number): string {
  if (target === undefined) return `target #${index + 1}`;
  return `s3://${target.bucket}/${target.keyPrefix ?? ''} (${target.region})`;
}

export interface TargetCounts {
  readonly total: number;
  /** copied or in-sync (a delete: deleted, or nothing there) */
  readonly ok: number;
  /** failed or aborted */
  readonly failed: number;
  /** superseded or source-gone (a delete: left alone — not the relay's, newer, another version) */
  readonly skipped: number;
  /** still running, unknown, or held before its deployment wave */
  readonly pending: number;
}

export function countOutcomes(outcomes: readonly TargetOutcome[]): TargetCounts {
  const count = (...statuses: OutcomeStatus[]): number =>
    outcomes.filter((o) => statuses.includes(o.status)).length;
  return {
    total: outcomes.length,
    ok: count('copied', 'in-sync', 'deleted', 'absent'),
    failed: count('failed', 'aborted'),
    skipped: count('superseded', 'source-gone', 'not-a-replica', 'newer-replica', 'other-version'),
    pending: count('running', 'unknown', 'held', 'awaiting-approval'),
  };
}
