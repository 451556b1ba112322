/**
 * The console's JSON API for one execution, reading through the SDK exactly like the CLI
 * (cli/executions/): DescribeExecution and GetExecutionHistory, DescribeStateMachineForExecution for the
 * definition it ran with, and RedriveExecution (Step Functions API reference). The list is list.ts.
 *
 * An execution whose output or history is of a shape the console does not read (an older definition's,
 * a hand-made one) still gets its page: what cannot be read is `unknown`, never an error for the page.
 */

import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { parseExecutionArn, type StateMachineRef } from '../../cli/aws/arn.ts';
import { causeMessage } from '../../cli/executions/cause.ts';
import { describeExecution, type ExecutionDetails } from '../../cli/executions/describe.ts';
import { fetchHistory } from '../../cli/executions/history.ts';
import { redrive, whyNotRedrivable } from '../../cli/executions/redrive.ts';
import { APPROVAL_REJECTED_ERROR } from '../../core/approvals.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import { parseJson } from '../../core/executions/history-events.ts';
import { countOutcomes } from '../../core/executions/outcome.ts';
import type { ApprovalView, ExecutionDetailView, RedriveAnswer } from '../api-types.ts';
import { approvalsViewOf } from './approvals.ts';
import { BadRequestError, NotFoundError } from './errors.ts';
import { hasUnknownOutput } from './rows.ts';
import { targetsOf } from './target-rows.ts';
import { eventViewOf, summaryOf, taskTokensOf } from './views.ts';

/**
 * Where the API reads and acts, with the operator's own credentials (the CLI's connection): Step
 * Functions, S3 and CodeDeploy clients per region, the relay's state machine and its configuration.
 */
export interface ConsoleBackend {
  sfnFor(region: string): SFNClient;
  s3For(region: string): S3Client;
  codeDeployFor(region: string): CodeDeployClient;
  /** The relay's state machine (resolved once, on first use). */
  machine(): Promise<StateMachineRef>;
  /**
   * The backfill's state machine beside the relay, found as `relay backfill status` finds it
   * (cli/aws/state-machine.ts `resolveBackfillStateMachine`). Absent: the Backfills view answers 409
   * NoBackfill and the rest of the console works as before.
   */
  backfillMachine?(): Promise<StateMachineRef>;
  /** The relay configuration (Replicas, Relay again, Deployments), as `relay status` finds it. */
  config(): Promise<RelayConfig>;
}

/** The execution an API path names (an execution ARN), described; NotFoundError when there is none. */
export async function describeNamed(
  backend: ConsoleBackend,
  arn: string,
): Promise<{ sfn: SFNClient; details: ExecutionDetails }> {
  const parsed = parseExecutionArn(arn);
  if (parsed === undefined) throw new BadRequestError(`${arn} is not an execution ARN`);
  const sfn = backend.sfnFor(parsed.region);
  try {
    return { sfn, details: await describeExecution(sfn, arn) };
  } catch (err) {
    if (err instanceof Error && err.name === 'ExecutionDoesNotExist') {
      throw new NotFoundError(`no execution ${arn}`);
    }
    throw err;
  }
}

/**
 * The definition the execution ran with (DescribeStateMachineForExecution); where that operation is not
 * implemented (an older local stack), the state machine's current definition.
 */
async function definitionOf(sfn: SFNClient, details: ExecutionDetails): Promise<unknown> {
  try {
    const found = await sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: details.executionArn }),
    );
    return parseJson(found.definition) ?? null;
  } catch (err) {
    if (!(err instanceof Error && err.name === 'UnknownOperationException')) throw err;
  }
  const machine = await sfn.send(
    new DescribeStateMachineCommand({ stateMachineArn: details.stateMachineArn }),
  );
  return parseJson(machine.definition) ?? null;
}

/**
 * What the execution's error says, for people: a rejected approval's decision in words (its cause is the
 * decision as JSON), else the cause's message.
 */
function messageOf(details: ExecutionDetails, requests: readonly ApprovalView[]): string | undefined {
  if (details.error === APPROVAL_REJECTED_ERROR) {
    const rejected = requests.findLast((r) => r.status === 'rejected');
    if (rejected !== undefined) return rejected.summary;
  }
  return causeMessage(details.cause);
}

/** The ExecutionSucceeded event's output, parsed (undefined when there is none or it is not JSON). */
function outputOf(history: readonly HistoryEvent[]): unknown {
  const succeeded = history.findLast((e) => e.type === 'ExecutionSucceeded');
  return parseJson(succeeded?.executionSucceededEventDetails?.output);
}

/**
 * GET /api/executions/:arn — the execution, its per-target results, approvals, definition and history
 * (task tokens hidden: the console answers approvals itself).
 * @param decidesAs who a decision made in this console is recorded as (the page says so)
 */
export async function executionDetail(
  backend: ConsoleBackend,
  arn: string,
  decidesAs: string,
): Promise<ExecutionDetailView> {
  const { sfn, details } = await describeNamed(backend, arn);
  const [history, definition] = await Promise.all([
    fetchHistory(sfn, details.executionArn),
    definitionOf(sfn, details),
  ]);
  const output = outputOf(history);
  const unknownOutput = hasUnknownOutput(details);
  const { rows, outcomes } = targetsOf(details, history, unknownOutput ? output : undefined);
  const started = history.find((e) => e.type === 'ExecutionStarted');
  const tokens = taskTokensOf(history);
  const approvals = approvalsViewOf(details, history, rows, decidesAs);
  return {
    summary: summaryOf(details, rows.length === 0 && unknownOutput ? null : countOutcomes(outcomes)),
    stateMachineArn: details.stateMachineArn,
    error: details.error ?? null,
    message: messageOf(details, approvals.requests) ?? null,
    notRedrivable: whyNotRedrivable(details) ?? null,
    input: parseJson(started?.executionStartedEventDetails?.input) ?? null,
    output: output ?? null,
    outputShape: details.output?.kind ?? (unknownOutput ? 'unknown' : null),
    targets: rows,
    approvals,
    definition,
    events: history.map((event) => eventViewOf(event, tokens)),
  };
}

/** POST /api/executions/:arn/redrive — RedriveExecution, or why it cannot be redriven. */
export async function redriveExecution(backend: ConsoleBackend, arn: string): Promise<RedriveAnswer> {
  const { sfn, details } = await describeNamed(backend, arn);
  const outcome = await redrive(sfn, details, false);
  return {
    executionArn: details.executionArn,
    action: outcome.action === 'redriven' ? 'redriven' : 'skipped',
    reason: outcome.reason ?? null,
  };
}
