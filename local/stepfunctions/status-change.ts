/**
 * The "Step Functions Execution Status Change" event Step Functions sends to the default EventBridge bus
 * when a Standard workflow's execution changes status (EventBridge reference "AWS Step Functions events";
 * Step Functions Developer Guide "Automating Step Functions event delivery with EventBridge"). Locally
 * only ends are sent — what the relay's notifier listens for. `input`/`output` are left out (AWS sends
 * them, truncated to what fits, and DescribeExecution has them).
 */
import { randomUUID } from 'node:crypto';
import type { ExecutionSummary } from './model.ts';

/** The event, in EventBridge's envelope. */
export interface ExecutionStatusChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': 'Step Functions Execution Status Change';
  readonly source: 'aws.states';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly executionArn: string;
    readonly stateMachineArn: string;
    readonly name: string;
    readonly status: string;
    /** Epoch milliseconds. */
    readonly startDate: number;
    readonly stopDate: number | null;
  };
}

/** The status change event of an execution, from its summary. */
export function statusChangeEvent(summary: ExecutionSummary, accountId: string): ExecutionStatusChangeEvent {
  const stopDate = summary.stopDate === undefined ? null : Date.parse(summary.stopDate);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Step Functions Execution Status Change',
    source: 'aws.states',
    account: accountId,
    time: summary.stopDate ?? new Date().toISOString(),
    region: summary.region,
    resources: [summary.executionArn],
    detail: {
      executionArn: summary.executionArn,
      stateMachineArn: summary.stateMachineArn,
      name: summary.name,
      status: summary.status,
      startDate: Date.parse(summary.startDate),
      stopDate,
    },
  };
}
