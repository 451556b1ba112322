import type { TargetResult } from '../workflow.ts';
import { MAX_EXECUTION_SUMMARY_LENGTH, MAX_FAILURE_MESSAGE_LENGTH, truncate } from './limits.ts';

/**
 * What the relay action tells CodePipeline in words: the summary of a run (ExecutionDetails) and the
 * message of a failed one (FailureDetails), each within CodePipeline's length limit — the message
 * names every target that did not receive the artifact, its error and what to fix, first the ones
 * that fit and then how many more there are.
 */

/** Statuses of a target that received the artifact. */
const DELIVERED = new Set<TargetResult['status']>(['copied', 'in-sync']);

/** A target's readable id: `bucket@region`. */
function targetLabel(result: TargetResult): string {
  return `${result.target.bucket}@${result.target.region}`;
}

/** Whether every target received the artifact. */
export function allDelivered(results: readonly TargetResult[]): boolean {
  return results.every((result) => DELIVERED.has(result.status));
}

/**
 * A Lambda-shaped cause (`{"errorType","errorMessage"}`, as Step Functions records a task's error)
 * as its message; any other cause as it is.
 */
export function causeMessage(cause: string | undefined): string | undefined {
  if (cause === undefined || cause.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null) {
      const message = (parsed as Record<string, unknown>).errorMessage;
      if (typeof message === 'string' && message !== '') return message;
    }
  } catch {
    // not JSON: the cause is the message
  }
  return cause;
}

function problemOf(result: TargetResult): string {
  switch (result.status) {
    case 'failed': {
      const message = causeMessage(result.cause);
      return `${result.error}${message === undefined ? '' : `: ${message}`}`;
    }
    case 'superseded':
      return `superseded: the destination ${result.destination.key} holds a newer build's replica, so this build was not delivered (nor deployed) there`;
    case 'source-gone':
      return 'source-gone: the artifact vanished before it was copied; re-run the build';
    default:
      return result.status;
  }
}

/** Joins `lines` within `max` characters: the lines that fit, then how many were left out. */
function fitLines(head: string, lines: readonly string[], tail: string, max: number): string {
  let text = head;
  for (const [index, line] of lines.entries()) {
    const rest = lines.length - index;
    const more = ` (+${rest} more; see the relay execution)`;
    if (text.length + line.length + 1 + tail.length + more.length > max) {
      return truncate(`${text}${more}${tail}`, max);
    }
    text += `\n${line}`;
  }
  return truncate(`${text}${tail}`, max);
}

/** How to carry on after fixing what the message names. */
const RETRY_ADVICE =
  '\nFix what is named above, then retry the stage: the relay redrives its execution, re-running only the targets that failed.';

/** The failure message of a relay whose output names targets that did not receive the artifact. */
export function undeliveredMessage(results: readonly TargetResult[], executionArn: string): string {
  const undelivered = results.filter((result) => !DELIVERED.has(result.status));
  const head = `The relay did not deliver the artifact to ${undelivered.length} of ${results.length} target(s) (execution ${executionArn}):`;
  const lines = undelivered.map((result) => `- ${targetLabel(result)}: ${problemOf(result)}`);
  return fitLines(head, lines, RETRY_ADVICE, MAX_FAILURE_MESSAGE_LENGTH);
}

/** The end states of a relay execution that did not succeed. */
export type FailedExecutionStatus = 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** The failure message of a relay execution that failed, timed out or was stopped. */
export function failedExecutionMessage(failure: {
  readonly status: FailedExecutionStatus;
  readonly executionArn: string;
  readonly error?: string | undefined;
  readonly cause?: string | undefined;
}): string {
  const what =
    failure.status === 'FAILED' ? 'failed' : failure.status === 'TIMED_OUT' ? 'timed out' : 'was stopped';
  const message = causeMessage(failure.cause);
  const detail =
    failure.error === undefined
      ? (message ?? '')
      : `${failure.error}${message === undefined ? '' : `: ${message}`}`;
  const head = `The relay execution ${what} (${failure.executionArn})${detail === '' ? '' : `:\n${detail}`}`;
  return truncate(`${head}${RETRY_ADVICE}`, MAX_FAILURE_MESSAGE_LENGTH);
}

/** The failure message for an error of the action itself (a wrong configuration, an AWS error). */
export function actionErrorMessage(error: unknown): string {
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  return truncate(`The relay action could not run: ${name}: ${message}`, MAX_FAILURE_MESSAGE_LENGTH);
}

/** The summary of a relay that delivered to every target. */
export function successSummary(results: readonly TargetResult[]): string {
  const lines = results.map((result) => {
    const deployment =
      'deployment' in result && result.deployment !== undefined && 'id' in result.deployment
        ? `, deployment ${result.deployment.id} ${result.deployment.status}`
        : '';
    return `${targetLabel(result)} ${result.status}${deployment}`;
  });
  return fitLines(`Relayed to ${results.length} target(s):`, lines, '', MAX_EXECUTION_SUMMARY_LENGTH);
}

/** The summary while the relay still runs. */
export function runningSummary(executionArn: string, startedNow: boolean): string {
  return truncate(
    `${startedNow ? 'Started' : 'Waiting for'} the relay execution ${executionArn}`,
    MAX_EXECUTION_SUMMARY_LENGTH,
  );
}
