/** Polls an execution until it is no longer running. */
import { setTimeout as delay } from 'node:timers/promises';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { describeExecution, type ExecutionDetails } from './describe.ts';

const ACTIVE = new Set(['RUNNING', 'PENDING_REDRIVE']);

export async function waitForExecution(
  sfn: SFNClient,
  executionArn: string,
  intervalMs: number,
): Promise<ExecutionDetails> {
  for (;;) {
    const details = await describeExecution(sfn, executionArn);
    if (!ACTIVE.has(details.status)) return details;
    await delay(intervalMs);
  }
}
