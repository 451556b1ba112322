/**
 * Approvals of deployment waves (issue #12, docs/waves.md): before a wave that requires one, the state
 * machine puts an "Approval Pending" event carrying a task token and waits. A person decides with
 * `relay approve|reject` or the console, which send the token back — SendTaskSuccess with
 * {@link ApprovalDecision} as the output, or SendTaskFailure with {@link APPROVAL_REJECTED_ERROR} and the
 * decision as the cause — so the execution's history records who decided, when and why.
 *
 * The token is read back from the history (the approval Task's `TaskScheduled` parameters, where Step
 * Functions shows what it sent), so nothing besides the execution keeps it. Pure: the readers of the CLI,
 * the console and the tests hand in the history events.
 */

import { parseJson } from './executions/history-events.ts';

/** The error a rejection fails the approval Task with (SendTaskFailure's `error`). */
export const APPROVAL_REJECTED_ERROR = 'Relay.ApprovalRejected';

/** The Task state that waits for a person to approve deployment wave `wave`. */
export function approveWaveState(wave: number): string {
  return `Approve wave ${wave}`;
}

/** The wave an {@link approveWaveState} state gates, else `undefined`. */
export function waveOfApprovalState(name: string): number | undefined {
  const match = /^Approve wave (\d+)$/.exec(name);
  return match === null ? undefined : Number(match[1]);
}

/** What a person decided, as the history records it. */
export interface ApprovalDecision {
  readonly decision: 'approved' | 'rejected';
  /** Who decided, as they named themselves (on AWS, CloudTrail also records the IAM principal). */
  readonly by: string;
  /** When (ISO 8601). */
  readonly at: string;
  /** The approver's comment or the rejection's reason. */
  readonly comment?: string;
}

/** Builds a decision; the comment is trimmed and dropped when empty. */
export function decisionOf(
  decision: ApprovalDecision['decision'],
  by: string,
  comment: string | undefined,
  at = new Date(),
): ApprovalDecision {
  const text = comment?.trim();
  return { decision, by, at: at.toISOString(), ...(text ? { comment: text } : {}) };
}

/** Where one wave's approval stands. */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'timed-out' | 'failed' | 'stopped';

/** One request for an approval (a redrive asks again: a new request, a new token). */
export interface ApprovalRequest {
  readonly wave: number;
  readonly status: ApprovalStatus;
  /** When it was asked (ISO 8601). */
  readonly requestedAt?: string;
  /** How long it waits, from the state's timeout. */
  readonly timeoutSeconds?: number;
  /** The token to answer with, while it is pending. */
  readonly taskToken?: string;
  readonly decision?: ApprovalDecision;
  /** Why it failed, timed out or was stopped (the error and cause), when not decided by a person. */
  readonly error?: string;
  readonly cause?: string;
}

/** The members of a history event this reader needs (the SDK's `HistoryEvent` has them). */
export interface ApprovalHistoryEvent {
  readonly type?: string | undefined;
  readonly timestamp?: Date | undefined;
  readonly stateEnteredEventDetails?: { readonly name?: string | undefined } | undefined;
  readonly taskScheduledEventDetails?:
    | { readonly parameters?: string | undefined; readonly timeoutInSeconds?: number | undefined }
    | undefined;
  readonly taskSucceededEventDetails?: { readonly output?: string | undefined } | undefined;
  readonly taskFailedEventDetails?:
    | { readonly error?: string | undefined; readonly cause?: string | undefined }
    | undefined;
  readonly taskTimedOutEventDetails?:
    | { readonly error?: string | undefined; readonly cause?: string | undefined }
    | undefined;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** A decision read back from an output or cause; `undefined` when it is not one. */
export function readDecision(text: string | undefined): ApprovalDecision | undefined {
  const value = record(parseJson(text));
  if (value === undefined) return undefined;
  const { decision, by, at, comment } = value;
  if (
    (decision !== 'approved' && decision !== 'rejected') ||
    typeof by !== 'string' ||
    typeof at !== 'string'
  )
    return undefined;
  return { decision, by, at, ...(typeof comment === 'string' ? { comment } : {}) };
}

/** The task token in an approval Task's scheduled parameters (`Entries[0].Detail.taskToken`). */
function tokenOf(parameters: string | undefined): string | undefined {
  const entries = record(parseJson(parameters))?.Entries;
  const detail = Array.isArray(entries) ? record(record(entries[0])?.Detail) : undefined;
  const token = detail?.taskToken;
  return typeof token === 'string' ? token : undefined;
}

const EXECUTION_ENDED = new Set([
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
  'ExecutionSucceeded',
]);

/**
 * Every approval request of an execution, in the order they were made. Approval Tasks run at the top
 * level, one at a time, so each `Task*` event after an approval's `TaskStateEntered` is that Task's until
 * it ends.
 */
export function approvalsOf(events: readonly ApprovalHistoryEvent[]): ApprovalRequest[] {
  const requests: ApprovalRequest[] = [];
  let open: { -readonly [K in keyof ApprovalRequest]: ApprovalRequest[K] } | undefined;
  const close = (update: Partial<ApprovalRequest>): void => {
    if (open === undefined) return;
    const { taskToken: _done, ...rest } = open;
    requests.push({ ...rest, ...update });
    open = undefined;
  };
  for (const event of events) {
    const type = event.type ?? '';
    if (type === 'TaskStateEntered') {
      const wave = waveOfApprovalState(event.stateEnteredEventDetails?.name ?? '');
      if (wave !== undefined) {
        open = {
          wave,
          status: 'pending',
          ...(event.timestamp ? { requestedAt: event.timestamp.toISOString() } : {}),
        };
      }
      continue;
    }
    if (open === undefined) continue;
    if (type === 'TaskScheduled') {
      const details = event.taskScheduledEventDetails;
      const token = tokenOf(details?.parameters);
      if (token !== undefined) open.taskToken = token;
      if (details?.timeoutInSeconds !== undefined) open.timeoutSeconds = details.timeoutInSeconds;
    } else if (type === 'TaskSucceeded') {
      const decision = readDecision(event.taskSucceededEventDetails?.output);
      close({ status: 'approved', ...(decision ? { decision } : {}) });
    } else if (type === 'TaskFailed') {
      const { error, cause } = event.taskFailedEventDetails ?? {};
      const decision = error === APPROVAL_REJECTED_ERROR ? readDecision(cause) : undefined;
      close(
        decision
          ? { status: 'rejected', decision }
          : { status: 'failed', ...(error ? { error } : {}), ...(cause ? { cause } : {}) },
      );
    } else if (type === 'TaskTimedOut') {
      const { error, cause } = event.taskTimedOutEventDetails ?? {};
      close({ status: 'timed-out', error: error ?? 'States.Timeout', ...(cause ? { cause } : {}) });
    } else if (EXECUTION_ENDED.has(type)) {
      close({ status: 'stopped', error: type });
    }
  }
  if (open !== undefined) requests.push(open);
  return requests;
}

/** The request waiting for a decision, if any (the last one, still pending). */
export function pendingApproval(requests: readonly ApprovalRequest[]): ApprovalRequest | undefined {
  const last = requests.at(-1);
  return last?.status === 'pending' ? last : undefined;
}

/** One line for people: what became of a request. */
export function describeApproval(request: ApprovalRequest): string {
  const d = request.decision;
  const comment = d?.comment === undefined ? '' : `: ${d.comment}`;
  switch (request.status) {
    case 'pending': {
      const until =
        request.requestedAt !== undefined && request.timeoutSeconds !== undefined
          ? ` until ${new Date(Date.parse(request.requestedAt) + request.timeoutSeconds * 1000).toISOString()}`
          : '';
      return `wave ${request.wave}: waiting for approval${until} — relay approve|reject <execution>`;
    }
    case 'approved':
      return d
        ? `wave ${request.wave}: approved by ${d.by} at ${d.at}${comment}`
        : `wave ${request.wave}: approved`;
    case 'rejected':
      return d
        ? `wave ${request.wave}: rejected by ${d.by} at ${d.at}${comment}`
        : `wave ${request.wave}: rejected`;
    case 'timed-out':
      return `wave ${request.wave}: nobody decided before the approval timed out`;
    case 'failed':
      return `wave ${request.wave}: the approval request failed (${request.error ?? 'unknown error'})`;
    case 'stopped':
      return `wave ${request.wave}: the execution stopped while waiting for approval`;
  }
}
