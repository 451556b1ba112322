/**
 * Deciding an approval (docs/waves.md): finds the request an execution is waiting on — its task token is
 * in the approval Task's scheduled parameters — and answers it with SendTaskSuccess (approve) or
 * SendTaskFailure (reject), recording who decided, when and why. Shared by `relay approve|reject` and the
 * console.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import {
  APPROVAL_REJECTED_ERROR,
  type ApprovalDecision,
  type ApprovalRequest,
  approvalsOf,
  decisionOf,
  pendingApproval,
} from '../../core/approvals.ts';
import { CliError } from '../errors.ts';
import type { ExecutionDetails } from './describe.ts';
import { fetchHistory } from './history.ts';

/** What the person asks for. */
export interface ApprovalAnswer {
  readonly decision: ApprovalDecision['decision'];
  /** Who decides, as recorded. */
  readonly by: string;
  /** The approver's comment or the rejection's reason. */
  readonly comment?: string | undefined;
  /** The wave the person means to decide; refused when the execution waits on another one. */
  readonly wave?: number | undefined;
}

/** What was decided. */
export interface ApprovalOutcome {
  readonly executionArn: string;
  readonly name: string;
  readonly wave: number;
  readonly decision: ApprovalDecision;
}

/** The approval requests of an execution, from its history. */
export async function approvalRequests(sfn: SFNClient, executionArn: string): Promise<ApprovalRequest[]> {
  return approvalsOf(await fetchHistory(sfn, executionArn));
}

function nothingPending(details: ExecutionDetails, requests: readonly ApprovalRequest[]): CliError {
  if (details.status !== 'RUNNING') {
    return new CliError(
      `${details.name} is ${details.status}, not waiting for an approval${
        details.status === 'FAILED'
          ? ' — a rejected or timed-out approval asks again when the execution is redriven (relay redrive)'
          : ''
      }`,
    );
  }
  const last = requests.at(-1);
  return new CliError(
    last === undefined
      ? `${details.name} is not waiting for an approval (yet): it asks when its copies are done, before a wave that requires one`
      : `${details.name} is not waiting for an approval: wave ${last.wave} is already ${last.status}`,
  );
}

/**
 * Answers the approval `details` waits on. Throws a {@link CliError} saying why when it waits on none, on
 * another wave than `answer.wave`, or when Step Functions refuses the token (the wait just ended).
 */
export async function answerApproval(
  sfn: SFNClient,
  details: ExecutionDetails,
  answer: ApprovalAnswer,
  now = new Date(),
): Promise<ApprovalOutcome> {
  const requests = await approvalRequests(sfn, details.executionArn);
  const pending = pendingApproval(requests);
  if (pending === undefined || details.status !== 'RUNNING') throw nothingPending(details, requests);
  if (answer.wave !== undefined && answer.wave !== pending.wave) {
    throw new CliError(
      `${details.name} waits for an approval of wave ${pending.wave}, not wave ${answer.wave}`,
    );
  }
  if (pending.taskToken === undefined) {
    throw new CliError(
      `${details.name} waits for an approval of wave ${pending.wave}, but its history does not show the task token — read the history with execution data (states:GetExecutionHistory, includeExecutionData) to decide`,
    );
  }
  const decision = decisionOf(answer.decision, answer.by, answer.comment, now);
  try {
    if (decision.decision === 'approved') {
      await sfn.send(
        new SendTaskSuccessCommand({ taskToken: pending.taskToken, output: JSON.stringify(decision) }),
      );
    } else {
      await sfn.send(
        new SendTaskFailureCommand({
          taskToken: pending.taskToken,
          error: APPROVAL_REJECTED_ERROR,
          cause: JSON.stringify(decision),
        }),
      );
    }
  } catch (err) {
    if (err instanceof Error && (err.name === 'TaskTimedOut' || err.name === 'TaskDoesNotExist')) {
      throw new CliError(
        `the approval of wave ${pending.wave} of ${details.name} is no longer waiting (it timed out, was decided, or the execution stopped): ${err.message}`,
      );
    }
    throw err;
  }
  return { executionArn: details.executionArn, name: details.name, wave: pending.wave, decision };
}
