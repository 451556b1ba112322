import {
  DescribeExecutionCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { errorCodeOf, sendOptions } from '../shared/aws-call.ts';

/**
 * The pipeline action's three Step Functions calls on the relay execution of a pipeline run:
 * start it under its deterministic name (or find it: StartExecution of a name in use answers the
 * running execution, or ExecutionAlreadyExists), read its state, and redrive it when a retried stage
 * finds it failed.
 */

/** Execution statuses Step Functions reports (DescribeExecution). */
export type RelayExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

/** What DescribeExecution tells of the relay execution. */
export interface RelayExecutionState {
  readonly executionArn: string;
  readonly status: RelayExecutionStatus;
  /** The output JSON text, once it succeeded. */
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
}

/** The ARN of the execution `name` of `stateMachineArn`. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

/** Whether `arn` is an execution of `stateMachineArn`. */
export function isExecutionOf(stateMachineArn: string, arn: string): boolean {
  const prefix = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  return arn.startsWith(prefix) && /^[A-Za-z0-9_-]{1,80}$/.test(arn.slice(prefix.length));
}

/**
 * Starts the relay execution `name`, or finds the one of that name: the execution ARN, and whether
 * this call started it.
 */
export async function startRelayExecution(
  sfn: SFNClient,
  stateMachineArn: string,
  name: string,
  input: unknown,
  signal?: AbortSignal,
): Promise<{ readonly executionArn: string; readonly started: boolean }> {
  try {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }),
      sendOptions(signal),
    );
    // A running execution of the same name and input is answered as if started now.
    return { executionArn: started.executionArn ?? executionArnOf(stateMachineArn, name), started: true };
  } catch (err) {
    if (errorCodeOf(err) !== 'ExecutionAlreadyExists') throw err;
    return { executionArn: executionArnOf(stateMachineArn, name), started: false };
  }
}

/** DescribeExecution of the relay execution. */
export async function describeRelayExecution(
  sfn: SFNClient,
  executionArn: string,
  signal?: AbortSignal,
): Promise<RelayExecutionState> {
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }), sendOptions(signal));
  return {
    executionArn,
    status: (described.status ?? 'RUNNING') as RelayExecutionStatus,
    ...(described.output === undefined ? {} : { output: described.output }),
    ...(described.error === undefined ? {} : { error: described.error }),
    ...(described.cause === undefined ? {} : { cause: described.cause }),
  };
}

/** RedriveExecution: re-runs what failed in the execution (successful targets are kept). */
export async function redriveRelayExecution(
  sfn: SFNClient,
  executionArn: string,
  signal?: AbortSignal,
): Promise<void> {
  await sfn.send(new RedriveExecutionCommand({ executionArn }), sendOptions(signal));
}
