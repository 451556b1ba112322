/**
 * The console's JSON API, reading through the SDK exactly like the CLI (cli/executions/): ListExecutions
 * one page at a time (newest first, `statusFilter`, `nextToken`), DescribeExecution and
 * GetExecutionHistory for one execution, DescribeStateMachineForExecution for the definition it ran with,
 * and RedriveExecution. Step Functions API reference: ListExecutions, DescribeExecution,
 * GetExecutionHistory, DescribeStateMachineForExecution, RedriveExecution.
 */

import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { parseExecutionArn, type StateMachineRef } from '../../cli/aws/arn.ts';
import { mapConcurrently } from '../../cli/concurrency.ts';
import { causeMessage } from '../../cli/executions/cause.ts';
import { describeExecution, type ExecutionDetails } from '../../cli/executions/describe.ts';
import { fetchHistory } from '../../cli/executions/history.ts';
import { parseJson } from '../../cli/executions/history-events.ts';
import { outcomesOf } from '../../cli/executions/list.ts';
import { countOutcomes, describeTarget, targetOutcome } from '../../cli/executions/outcome.ts';
import { redrive, whyNotRedrivable } from '../../cli/executions/redrive.ts';
import { buildTimeline } from '../../cli/executions/timeline.ts';
import { EXECUTION_STATUSES, type ExecutionStatusFilter } from '../../cli/options.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import type { ExecutionDetailView, ExecutionPage, RedriveAnswer } from '../api-types.ts';
import { BadRequestError, NotFoundError } from './errors.ts';
import { isOpen, startWindowOf, withinWindow } from './time-filter.ts';
import { eventViewOf, summaryOf, targetRowOf } from './views.ts';

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
  /** The relay configuration (Replicas, Relay again, Deployments), as `relay status` finds it. */
  config(): Promise<RelayConfig>;
}

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;
/** DescribeExecution calls in flight at once for one page. */
const DESCRIBE_CONCURRENCY = 8;

function statusFilter(value: string | null): ExecutionStatusFilter | undefined {
  if (value === null || value === '') return undefined;
  const found = EXECUTION_STATUSES.find((status) => status === value);
  if (found === undefined) {
    throw new BadRequestError(`status must be one of ${EXECUTION_STATUSES.join(', ')}, not ${value}`);
  }
  return found;
}

function pageSize(value: string | null): number {
  if (value === null || value === '') return DEFAULT_PAGE_SIZE;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_PAGE_SIZE) {
    throw new BadRequestError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  return n;
}

/** ListExecutions pages read (without describing anything) in one request to find a page with a match. */
export const MAX_SKIPPED_PAGES = 10;

/**
 * GET /api/executions?status=&limit=&next=&since=&until= — one page, newest first, each with its
 * targets' counts. With `since`/`until` only executions started within them are described; pages
 * without one are passed over (at most MAX_SKIPPED_PAGES ListExecutions calls per request).
 */
export async function listExecutionsPage(
  backend: ConsoleBackend,
  query: URLSearchParams,
): Promise<ExecutionPage> {
  const status = statusFilter(query.get('status'));
  const maxResults = pageSize(query.get('limit'));
  const window = startWindowOf(query);
  let nextToken = query.get('next') ?? undefined;
  const machine = await backend.machine();
  const sfn = backend.sfnFor(machine.region);
  let items: ExecutionListItem[] = [];
  for (let read = 0; read < MAX_SKIPPED_PAGES; read++) {
    const page = await sfn.send(
      new ListExecutionsCommand({
        stateMachineArn: machine.arn,
        maxResults,
        ...(nextToken === undefined || nextToken === '' ? {} : { nextToken }),
        ...(status === undefined ? {} : { statusFilter: status }),
      }),
    );
    const { kept, olderMayMatch } = withinWindow(page.executions ?? [], window);
    items = isOpen(window) ? (page.executions ?? []) : kept;
    nextToken = olderMayMatch ? page.nextToken : undefined;
    if (items.length > 0 || nextToken === undefined || nextToken === '') break;
  }
  const arns = items.flatMap((item) => (item.executionArn === undefined ? [] : [item.executionArn]));
  const executions = await mapConcurrently(arns, DESCRIBE_CONCURRENCY, async (arn) => {
    const details = await describeExecution(sfn, arn);
    return summaryOf(details, countOutcomes(await outcomesOf(sfn, details)));
  });
  return {
    stateMachineArn: machine.arn,
    executions,
    nextToken: nextToken === undefined || nextToken === '' ? null : nextToken,
  };
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

/** GET /api/executions/:arn — the execution, its per-target results, definition and history. */
export async function executionDetail(backend: ConsoleBackend, arn: string): Promise<ExecutionDetailView> {
  const { sfn, details } = await describeNamed(backend, arn);
  const [history, definition] = await Promise.all([
    fetchHistory(sfn, details.executionArn),
    definitionOf(sfn, details),
  ]);
  const timeline = buildTimeline(history);
  const results = details.output?.kind === 'relayed' ? details.output.output.results : [];
  // A target is known from the history's Map iterations, or (history cut short) from the output alone.
  const count = Math.max(timeline.targets.length, results.length);
  const indexes = Array.from({ length: count }, (_, index) => index);
  const outcomes = indexes.map((index) =>
    targetOutcome(timeline.targets[index] ?? { index, passes: [] }, results[index]),
  );
  const targets = indexes.map((index) => {
    const ref = timeline.targets[index]?.target ?? results[index]?.target;
    return targetRowOf(index, describeTarget(ref, index), ref, outcomes[index] ?? { status: 'unknown' });
  });
  const started = history.find((e) => e.type === 'ExecutionStarted');
  const succeeded = history.findLast((e) => e.type === 'ExecutionSucceeded');
  return {
    summary: summaryOf(details, countOutcomes(outcomes)),
    stateMachineArn: details.stateMachineArn,
    error: details.error ?? null,
    message: causeMessage(details.cause) ?? null,
    notRedrivable: whyNotRedrivable(details) ?? null,
    input: parseJson(started?.executionStartedEventDetails?.input) ?? null,
    output: parseJson(succeeded?.executionSucceededEventDetails?.output) ?? null,
    targets,
    definition,
    events: history.map(eventViewOf),
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
