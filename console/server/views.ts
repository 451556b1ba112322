/**
 * Turns what the CLI's execution readers return (cli/executions/) into the console's JSON views: the
 * list row, the per-target results table (parsed as `relay show` parses them), the history events.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { causeMessage } from '../../cli/executions/cause.ts';
import type { ExecutionDetails } from '../../cli/executions/describe.ts';
import { timeOf } from '../../cli/executions/history-events.ts';
import type { TargetCounts, TargetOutcome } from '../../cli/executions/outcome.ts';
import type { TargetRef } from '../../cli/executions/timeline.ts';
import type { ExecutionSummary, HistoryEventView, TargetRow } from '../api-types.ts';

/** The list row of an execution; `counts` null when what became of its targets cannot be read. */
export function summaryOf(details: ExecutionDetails, counts: TargetCounts | null): ExecutionSummary {
  return {
    executionArn: details.executionArn,
    name: details.name,
    status: details.status,
    startDate: details.startDate.toISOString(),
    stopDate: details.stopDate?.toISOString() ?? null,
    durationMs:
      details.stopDate === undefined ? null : details.stopDate.getTime() - details.startDate.getTime(),
    source: details.source ?? null,
    redriveCount: details.redriveCount,
    targets: counts === null ? null : { ...counts },
  };
}

/** One row of the results table, from the target's outcome (and, before any result, its reference). */
export function targetRowOf(
  index: number,
  label: string,
  target: TargetRef | undefined,
  outcome: TargetOutcome,
): TargetRow {
  const result = outcome.result;
  const deployment = result !== undefined && 'deployment' in result ? result.deployment : undefined;
  const destination = result !== undefined && 'destination' in result ? result.destination : undefined;
  return {
    index,
    label,
    region: result?.target.region ?? target?.region ?? null,
    bucket: destination?.bucket ?? result?.target.bucket ?? target?.bucket ?? null,
    key: destination?.key ?? result?.target.keyPrefix ?? target?.keyPrefix ?? null,
    status: outcome.status,
    bytes: result !== undefined && 'bytes' in result ? result.bytes : null,
    verifiedBy: (result !== undefined && 'verifiedBy' in result ? result.verifiedBy : undefined) ?? null,
    deploymentId: deployment === undefined ? null : 'id' in deployment ? deployment.id : null,
    deploymentStatus: deployment?.status ?? null,
    error: outcome.error ?? null,
    message: causeMessage(outcome.cause) ?? outcome.detail ?? null,
  };
}

/** The `…EventDetails` member of an event, whichever it is. */
function detailsOf(event: HistoryEvent): unknown {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value !== undefined) return value;
  }
  return null;
}

export function eventViewOf(event: HistoryEvent): HistoryEventView {
  const state = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
  return {
    id: event.id ?? 0,
    previousEventId: event.previousEventId ?? null,
    type: event.type ?? 'Unknown',
    timestamp: timeOf(event).toISOString(),
    stateName: state ?? null,
    details: detailsOf(event),
  };
}
