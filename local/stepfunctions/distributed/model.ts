/**
 * The records of a map run — the set of child workflow executions one Distributed Map state starts — as
 * kept under the data directory and answered by DescribeMapRun / ListMapRuns.
 */
import type { JsonValue } from '../library.ts';

export type MapRunStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

/** `itemCounts` / `executionCounts` of DescribeMapRun. */
export interface ProgressCounts {
  pending: number;
  running: number;
  succeeded: number;
  failed: number;
  timedOut: number;
  aborted: number;
  total: number;
  resultsWritten: number;
  failuresNotRedrivable: number;
  pendingRedrive: number;
}

export function emptyCounts(): ProgressCounts {
  return {
    pending: 0,
    running: 0,
    succeeded: 0,
    failed: 0,
    timedOut: 0,
    aborted: 0,
    total: 0,
    resultsWritten: 0,
    failuresNotRedrivable: 0,
    pendingRedrive: 0,
  };
}

/** Where the map run writes its results (`ResultWriter`), evaluated when it started. */
export interface ResultWriterTarget {
  readonly bucket: string;
  readonly prefix: string;
}

export interface MapRunRecord {
  readonly mapRunArn: string;
  /** The id (last part of the ARN): the results folder's name. */
  readonly id: string;
  /** The parent execution. */
  readonly executionArn: string;
  /** The labelled state machine ARN (`…:stateMachine:<name>/<label>`). */
  readonly stateMachineArn: string;
  /** The parent's state machine name. */
  readonly stateMachineName: string;
  readonly label: string;
  /** The Distributed Map state's name in the parent. */
  readonly stateName: string;
  readonly region: string;
  readonly roleArn: string;
  /** The `ItemProcessor` as a state machine definition: what every child runs. */
  readonly processorDefinition: string;
  status: MapRunStatus;
  /** ISO 8601. */
  readonly startDate: string;
  stopDate?: string;
  error?: string;
  cause?: string;
  /** 0: no limit of its own (the local engine still caps it, see map-run.ts). */
  maxConcurrency: number;
  /** Absent: not set (only set thresholds are checked). */
  toleratedFailurePercentage?: number;
  toleratedFailureCount?: number;
  redriveCount: number;
  redriveDate?: string;
  /** Every child's input is on disk (the reader finished). */
  itemsComplete: boolean;
  /** Items read (after `MaxItems`). */
  itemCount: number;
  /** Child executions (items, or batches of them). */
  childCount: number;
  resultWriter?: ResultWriterTarget;
  /** Where the results went, once written. */
  resultWriterDetails?: { readonly Bucket: string; readonly Key: string };
  itemCounts: ProgressCounts;
  executionCounts: ProgressCounts;
}

/** One child's input as kept in `items.jsonl`: how many items it carries (a batch: several). */
export interface ChildInput {
  readonly index: number;
  readonly items: number;
  readonly input: JsonValue;
}

/** A child's status as the map run tracks it (one byte per child). */
export const ChildState = {
  PENDING: 0,
  RUNNING: 1,
  SUCCEEDED: 2,
  FAILED: 3,
  TIMED_OUT: 4,
  ABORTED: 5,
  PENDING_REDRIVE: 6,
} as const;
export type ChildStateCode = (typeof ChildState)[keyof typeof ChildState];

/** The execution status a child state code reads as (`PENDING` children have no execution yet). */
export const CHILD_STATUS_NAMES: Readonly<Record<ChildStateCode, string>> = {
  0: 'PENDING',
  1: 'RUNNING',
  2: 'SUCCEEDED',
  3: 'FAILED',
  4: 'TIMED_OUT',
  5: 'ABORTED',
  6: 'PENDING_REDRIVE',
};

/** A line of `children.jsonl`: a child started (status RUNNING) or ended; the last line of an index wins. */
export interface ChildLine {
  /** The child's index. */
  readonly i: number;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  /** Epoch ms. */
  readonly start: number;
  readonly stop?: number;
  readonly items: number;
  readonly redriveCount: number;
  readonly redriveDate?: number;
  /** The child's input and output (JSON text), error and cause — only on the line that ends it. */
  readonly input?: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** The state code of a child execution's status. */
export function stateOf(status: ChildLine['status']): ChildStateCode {
  switch (status) {
    case 'RUNNING':
      return ChildState.RUNNING;
    case 'SUCCEEDED':
      return ChildState.SUCCEEDED;
    case 'FAILED':
      return ChildState.FAILED;
    case 'TIMED_OUT':
      return ChildState.TIMED_OUT;
    default:
      return ChildState.ABORTED;
  }
}
