/** The records the local Step Functions keeps (in memory and, as JSON, under its data directory). */
import type { JsonValue } from './library.ts';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export const EXECUTION_STATUSES: readonly ExecutionStatus[] = [
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'ABORTED',
];

export interface StateMachineRecord {
  readonly stateMachineArn: string;
  readonly name: string;
  readonly region: string;
  definition: string;
  roleArn: string;
  readonly type: 'STANDARD';
  /** ISO 8601. */
  readonly creationDate: string;
  updateDate?: string;
  revisionId: string;
}

/** How far the top level of an execution got, so a redrive can continue from the unsuccessful state. */
export interface RedrivePoint {
  /** The top-level state that was running (or failed) last. */
  readonly state: string;
  /** That state's raw input. */
  readonly input: JsonValue;
  /** When `state` is an inline Map: the iterations that succeeded, by index, with their output. */
  map?: { readonly length: number; readonly outputs: Record<string, JsonValue> };
  /** When `state` is a Distributed Map: its map run (a redrive redrives it, a resume continues it). */
  mapRunArn?: string;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly name: string;
  readonly region: string;
  readonly roleArn: string;
  /** The definition the execution started with; redrives use it too. */
  readonly definition: string;
  readonly input: string;
  status: ExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  /** ISO 8601. */
  readonly startDate: string;
  stopDate?: string;
  redriveCount: number;
  redriveDate?: string;
  redrivePoint?: RedrivePoint;
  /** The execution failed because its history reached the quota (it cannot be redriven). */
  historyLimitReached?: boolean;
  /** A Distributed Map's child execution: the map run that started it. */
  readonly mapRunArn?: string;
}

/** What names an execution's files under the data directory. */
export type ExecutionRef = Pick<ExecutionRecord, 'region' | 'stateMachineName' | 'name'>;

/**
 * What the service keeps in memory of every execution, running or not: enough for ListExecutions and for
 * finding its files. The whole record and the history of a finished execution are read from disk on demand.
 */
export type ExecutionSummary = Pick<
  ExecutionRecord,
  | 'executionArn'
  | 'stateMachineArn'
  | 'stateMachineName'
  | 'name'
  | 'region'
  | 'status'
  | 'startDate'
  | 'stopDate'
  | 'redriveCount'
  | 'redriveDate'
  | 'historyLimitReached'
>;

/** The summary of a record (a copy: the record may be dropped from memory). */
export function summarize(record: ExecutionRecord): ExecutionSummary {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    stateMachineName: record.stateMachineName,
    name: record.name,
    region: record.region,
    status: record.status,
    startDate: record.startDate,
    ...(record.stopDate !== undefined ? { stopDate: record.stopDate } : {}),
    redriveCount: record.redriveCount,
    ...(record.redriveDate !== undefined ? { redriveDate: record.redriveDate } : {}),
    ...(record.historyLimitReached ? { historyLimitReached: true } : {}),
  };
}

/** One history event as stored: the API shape with the timestamp in epoch milliseconds. */
export interface StoredEvent {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  readonly type: string;
  /** The member holding the details, e.g. `taskFailedEventDetails`. */
  readonly detailsKey?: string;
  readonly details?: Record<string, unknown>;
}
