/** Executions and their histories, read through the Step Functions API as any client would. */
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  type ExecutionListItem,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { type RelayOutput, relayOutputSchema } from '../../core/workflow.ts';

export async function listExecutions(sfn: SFNClient, stateMachineArn: string): Promise<ExecutionListItem[]> {
  const items: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
    );
    items.push(...(page.executions ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return items;
}

export async function executionHistory(
  sfn: SFNClient,
  executionArn: string,
  includeExecutionData = false,
): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn,
        maxResults: 1000,
        includeExecutionData,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export function describeExecution(
  sfn: SFNClient,
  executionArn: string,
): Promise<DescribeExecutionCommandOutput> {
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
}

/**
 * State transitions as Step Functions Standard bills them: "a state transition each time a step of your
 * workflow is executed … including retries" (aws.amazon.com/step-functions/pricing). In the history a
 * step's execution is a `…StateEntered` event; a retry is a further `LambdaFunctionScheduled` /
 * `TaskScheduled` / `ActivityScheduled` within the same entry. `…Started`, `…Exited`, `MapIteration…`,
 * `Execution…` events are bookkeeping and not counted.
 */
export interface TransitionCount {
  readonly total: number;
  readonly stateEntries: number;
  readonly retries: number;
  /** State entries by state name (first-pass and second-pass states are distinct names). */
  readonly byState: Record<string, number>;
  /** State entries by state type (Task, Choice, Pass, Map, Parallel, Wait, …). */
  readonly byType: Record<string, number>;
}

const SCHEDULED = new Set(['LambdaFunctionScheduled', 'TaskScheduled', 'ActivityScheduled']);

export function countTransitions(events: readonly HistoryEvent[]): TransitionCount {
  let stateEntries = 0;
  let taskEntries = 0;
  let scheduled = 0;
  const byState: Record<string, number> = {};
  const byType: Record<string, number> = {};
  for (const event of events) {
    const type = event.type ?? '';
    if (type.endsWith('StateEntered')) {
      stateEntries++;
      const stateType = type.slice(0, -'StateEntered'.length);
      if (stateType === 'Task') taskEntries++;
      byType[stateType] = (byType[stateType] ?? 0) + 1;
      const name = event.stateEnteredEventDetails?.name ?? '?';
      byState[name] = (byState[name] ?? 0) + 1;
    } else if (SCHEDULED.has(type)) {
      scheduled++;
    }
  }
  const retries = Math.max(0, scheduled - taskEntries);
  return { total: stateEntries + retries, stateEntries, retries, byState, byType };
}

/** The relay's output of a SUCCEEDED execution, when it relayed. */
export function relayOutputOf(output: string | undefined): RelayOutput | undefined {
  if (!output) return undefined;
  return relayOutputSchema.safeParse(JSON.parse(output)).data;
}

/** Whether every target of a relay output was copied (or found in sync) and verified. */
export function allTargetsVerified(output: RelayOutput | undefined, targets: number): boolean {
  if (!output || output.results.length !== targets) return false;
  return output.results.every(
    (r) => (r.status === 'copied' || r.status === 'in-sync') && typeof r.verifiedBy === 'string',
  );
}
