/**
 * An ended execution's facts (core/relay-events.ts `ExecutionFacts`): from its output when it succeeded
 * (one result per target, core/workflow.ts `relayOutputSchema`), else from its history.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { parseJson } from '../../core/executions/history-events.ts';
import type { EndedExecutionStatus, ExecutionFacts, TargetFact } from '../../core/relay-events.ts';
import { relayOutputSchema, type TargetResult } from '../../core/workflow.ts';
import { sendOptions } from '../shared/aws-call.ts';
import { factsOfHistory, targetRefOf } from './history-targets.ts';

/** One target's fact from its final result. */
export function factOfResult(result: TargetResult, position: number): TargetFact {
  const ref = targetRefOf(result.target);
  const index = result.index ?? position;
  if (result.status === 'failed') {
    return {
      index,
      target: ref,
      status: 'failed',
      error: result.error,
      ...(result.cause === undefined ? {} : { cause: result.cause }),
    };
  }
  const deployment = result.deployment;
  if (deployment?.status === 'Skipped')
    return { index, target: ref, status: result.status, detail: `not deployed: ${deployment.detail}` };
  if (deployment === undefined) return { index, target: ref, status: result.status };
  return {
    index,
    target: ref,
    status: result.status,
    deployment: { id: deployment.id, status: deployment.status },
  };
}

async function historyOf(
  sfn: SFNClient,
  executionArn: string,
  signal?: AbortSignal,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        nextToken,
        includeExecutionData: true,
      }),
      sendOptions(signal),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken !== undefined);
  return events;
}

/** Reads an ended execution: DescribeExecution, and its history unless it succeeded. */
export async function readExecutionFacts(
  sfn: SFNClient,
  executionArn: string,
  status: EndedExecutionStatus,
  signal?: AbortSignal,
): Promise<ExecutionFacts> {
  if (status === 'SUCCEEDED') {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }), sendOptions(signal));
    const relayed = relayOutputSchema.safeParse(parseJson(described.output));
    // Nothing to relay, or a propagated delete: no target needs anyone.
    if (!relayed.success) return { executionArn, status, targets: [] };
    const { bucket, key, versionId } = relayed.data.source;
    return {
      executionArn,
      status,
      source: { bucket, key, ...(versionId === undefined ? {} : { versionId }) },
      targets: relayed.data.results.map(factOfResult),
    };
  }
  const { source, targets } = factsOfHistory(await historyOf(sfn, executionArn, signal), status);
  return { executionArn, status, ...(source === undefined ? {} : { source }), targets };
}
