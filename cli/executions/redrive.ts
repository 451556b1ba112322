/**
 * Redrive: which executions can be redriven (RedriveExecution accepts FAILED, TIMED_OUT and ABORTED
 * executions within 14 days of their stop), and why the others cannot.
 */
import { RedriveExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { formatTime } from '../output/format.ts';
import type { ExecutionDetails } from './describe.ts';

export type RedriveAction = 'redriven' | 'would-redrive' | 'skipped';

export interface RedriveOutcome {
  /** The execution as it was named on the command line (or listed). */
  readonly ref: string;
  /** Absent when no such execution was found. */
  readonly details?: ExecutionDetails;
  readonly action: RedriveAction;
  /** Why it was skipped. */
  readonly reason?: string;
  /** With --wait: how the redriven execution ended. */
  finalStatus?: string;
  finalError?: string;
}

/** The statuses RedriveExecution accepts (within 14 days of the stop). */
export const REDRIVABLE_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;
const REDRIVABLE: ReadonlySet<string> = new Set(REDRIVABLE_STATUSES);

/** Why the execution cannot be redriven, or `undefined` when it can. */
export function whyNotRedrivable(details: ExecutionDetails): string | undefined {
  if (details.status === 'PENDING_REDRIVE') return 'a redrive is already starting';
  if (!REDRIVABLE.has(details.status)) return `not failed (it is ${details.status})`;
  if (details.redriveStatus === 'NOT_REDRIVABLE') {
    const reason = details.redriveStatusReason ?? '';
    if (/period exceeded/i.test(reason)) {
      const stopped = details.stopDate === undefined ? '' : ` (it stopped ${formatTime(details.stopDate)})`;
      return `past the 14-day redrive window${stopped}`;
    }
    return `not redrivable: ${reason || 'Step Functions gave no reason'}`;
  }
  return undefined;
}

/** Redrives the execution (or says it would); a refusal by Step Functions becomes a skip with its reason. */
export async function redrive(
  sfn: SFNClient,
  details: ExecutionDetails,
  dryRun: boolean,
): Promise<RedriveOutcome> {
  const why = whyNotRedrivable(details);
  const ref = details.name;
  if (why !== undefined) return { ref, details, action: 'skipped', reason: why };
  if (dryRun) return { ref, details, action: 'would-redrive' };
  try {
    await sfn.send(new RedriveExecutionCommand({ executionArn: details.executionArn }));
    return { ref, details, action: 'redriven' };
  } catch (err) {
    if (err instanceof Error && err.name === 'ExecutionNotRedrivable') {
      return { ref, details, action: 'skipped', reason: `not redrivable: ${err.message}` };
    }
    throw err;
  }
}
