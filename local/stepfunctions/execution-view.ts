/** How an execution record reads in DescribeExecution and ListExecutions answers. */
import type { ExecutionRecord, ExecutionSummary } from './model.ts';

/** Executions can be redriven for 14 days after they stopped. */
export const REDRIVE_PERIOD_MS = 14 * 24 * 60 * 60 * 1000;

export interface RedriveStatus {
  readonly redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE';
  readonly redriveStatusReason?: string;
}

/** Whether `RedriveExecution` would accept the execution now, and if not, why (AWS's reasons). */
export function redriveStatus(
  record: Pick<ExecutionRecord, 'status' | 'stopDate' | 'historyLimitReached'>,
  stateMachineExists: boolean,
  now = Date.now(),
): RedriveStatus {
  const no = (reason: string): RedriveStatus => ({
    redriveStatus: 'NOT_REDRIVABLE',
    redriveStatusReason: reason,
  });
  if (record.status === 'RUNNING' || record.status === 'SUCCEEDED') {
    return no(`Execution is ${record.status} and cannot be redriven`);
  }
  if (!stateMachineExists) return no('State machine is in DELETING status.');
  if (record.historyLimitReached) return no('Execution history event limit exceeded.');
  const stopped = record.stopDate ? Date.parse(record.stopDate) : now;
  if (now - stopped > REDRIVE_PERIOD_MS) return no('Execution redrivable period exceeded.');
  return { redriveStatus: 'REDRIVABLE' };
}

/** The DescribeExecution answer. */
export function describeExecution(
  record: ExecutionRecord,
  stateMachineExists: boolean,
): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Date(record.startDate),
    ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    redriveCount: record.redriveCount,
    ...(record.redriveDate ? { redriveDate: new Date(record.redriveDate) } : {}),
    ...redriveStatus(record, stateMachineExists),
  };
}

/** One ExecutionListItem. */
export function executionListItem(record: ExecutionSummary): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: new Date(record.startDate),
    ...(record.stopDate ? { stopDate: new Date(record.stopDate) } : {}),
    redriveCount: record.redriveCount,
    ...(record.redriveDate ? { redriveDate: new Date(record.redriveDate) } : {}),
  };
}
