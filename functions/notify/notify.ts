/**
 * The notifier: given Step Functions' "Execution Status Change" event for an ended execution of the
 * relay, reads the execution and publishes the relay's own events (core/relay-events.ts) to the default
 * bus, at most {@link MAX_PUT_EVENTS_ENTRIES} per PutEvents call.
 */
import {
  ENDED_EXECUTION_STATUSES,
  type EndedExecutionStatus,
  executionStatusChangeSchema,
  type RelayEvent,
  relayEventsOf,
} from '../../core/relay-events.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import { readExecutionFacts } from './facts.ts';
import { MAX_PUT_EVENTS_ENTRIES, type NotifyDeps, type PutEventsEntry } from './ports.ts';

/** What one notification did. */
export interface NotifyResult {
  readonly executionArn: string;
  /** The detail-types published, in order. */
  readonly published: readonly string[];
}

function isEnded(status: string): status is EndedExecutionStatus {
  return (ENDED_EXECUTION_STATUSES as readonly string[]).includes(status);
}

/** A relay event as a PutEvents entry on the default bus, about the execution. */
export function entryOf(event: RelayEvent, executionArn: string): PutEventsEntry {
  return {
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Resources: [executionArn],
  };
}

/**
 * Publishes what an ended execution means for people. A status that is not an end (RUNNING, PENDING_REDRIVE)
 * publishes nothing.
 * @throws InvalidInput when the event is not an execution status change
 */
export async function notifyExecutionEnded(
  input: unknown,
  deps: NotifyDeps,
  signal?: AbortSignal,
): Promise<NotifyResult> {
  const change = parseTaskInput(executionStatusChangeSchema, input, 'Notify');
  const { executionArn, status } = change.detail;
  if (!isEnded(status)) return { executionArn, published: [] };
  const facts = await readExecutionFacts(deps.sfn, executionArn, status, signal);
  const entries = relayEventsOf(facts).map((event) => entryOf(event, executionArn));
  for (let start = 0; start < entries.length; start += MAX_PUT_EVENTS_ENTRIES) {
    await deps.putEvents(entries.slice(start, start + MAX_PUT_EVENTS_ENTRIES), signal);
  }
  return { executionArn, published: entries.map((entry) => entry.DetailType) };
}
