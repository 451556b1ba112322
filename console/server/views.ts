/**
 * Turns what the CLI's execution readers return (cli/executions/) into the console's JSON views: the
 * list row, the per-target results table (parsed as `relay show` parses them), the history events.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { causeMessage } from '../../cli/executions/cause.ts';
import type { ExecutionDetails } from '../../cli/executions/describe.ts';
import { timeOf } from '../../core/executions/history-events.ts';
import type { TargetCounts, TargetOutcome } from '../../core/executions/outcome.ts';
import type { TargetRef } from '../../core/executions/timeline.ts';
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
  const wave = target?.wave ?? result?.target.deploy?.wave;
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
    wave: wave !== undefined && wave > 1 ? wave : null,
  };
}

/** The `…EventDetails` member of an event, whichever it is. */
function detailsOf(event: HistoryEvent): unknown {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith('EventDetails') && value !== undefined) return value;
  }
  return null;
}

/** What a task token is replaced with in the history the console answers. */
export const HIDDEN_TASK_TOKEN = '(task token: hidden by the console — decide with Approve or Reject)';

/** Values of members named `taskToken` anywhere in a JSON value. */
function tokensIn(value: unknown, found: Set<string>): void {
  if (Array.isArray(value)) {
    for (const item of value) tokensIn(item, found);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.toLowerCase() === 'tasktoken' && typeof item === 'string' && item !== '') found.add(item);
      else tokensIn(item, found);
    }
  }
}

/**
 * The task tokens a history shows: a callback Task's (`.waitForTaskToken`) scheduled parameters carry
 * its token (the relay's approvals: `Entries[0].Detail.taskToken`). Whoever holds a token can answer the
 * Task, so the console never hands one out — it answers approvals itself.
 */
export function taskTokensOf(history: readonly HistoryEvent[]): ReadonlySet<string> {
  const found = new Set<string>();
  for (const event of history) {
    const parameters = event.taskScheduledEventDetails?.parameters;
    if (parameters === undefined) continue;
    try {
      tokensIn(JSON.parse(parameters) as unknown, found);
    } catch {
      // parameters that are not JSON name no token member
    }
  }
  return found;
}

/** `details` with every occurrence of a token replaced, however deep (in JSON text members too). */
function redacted(details: unknown, tokens: ReadonlySet<string>): unknown {
  if (tokens.size === 0 || details === null) return details;
  let text = JSON.stringify(details);
  let changed = false;
  for (const token of tokens) {
    if (!text.includes(token)) continue;
    text = text.replaceAll(token, HIDDEN_TASK_TOKEN);
    changed = true;
  }
  return changed ? (JSON.parse(text) as unknown) : details;
}

/**
 * One history event for the UI; `tokens` (from {@link taskTokensOf}) are hidden wherever they appear.
 * Tokens are base64 text, which JSON writes as it is, so replacing them in the serialized details is safe.
 */
export function eventViewOf(event: HistoryEvent, tokens: ReadonlySet<string> = new Set()): HistoryEventView {
  const state = event.stateEnteredEventDetails?.name ?? event.stateExitedEventDetails?.name;
  return {
    id: event.id ?? 0,
    previousEventId: event.previousEventId ?? null,
    type: event.type ?? 'Unknown',
    timestamp: timeOf(event).toISOString(),
    stateName: state ?? null,
    details: redacted(detailsOf(event), tokens),
  };
}
