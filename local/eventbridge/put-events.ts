/**
 * PutEvents onto the local bridge: each entry becomes an event in EventBridge's envelope (a fresh `id`,
 * `source`, `detail-type`, the parsed `Detail`, `resources`, `time`) and is delivered to matching rules —
 * how the relay's custom events (core/relay-events.ts) travel locally.
 */
import { randomUUID } from 'node:crypto';
import type { PutEvents, PutEventsEntry } from '../../functions/notify/index.ts';
import type { TaskHandler } from '../types.ts';
import type { BusEvent, EventBridgeBridge } from './bridge.ts';

/** A PutEvents entry whose `Detail` is not a JSON object (EventBridge refuses it too). */
export class InvalidEventDetailError extends Error {
  override readonly name = 'InvalidEventDetailError';
}

/** The event a PutEvents entry puts on the bus. */
export function busEventOf(entry: PutEventsEntry, account: string, region: string): BusEvent {
  let detail: unknown;
  try {
    detail = JSON.parse(entry.Detail) as unknown;
  } catch {
    throw new InvalidEventDetailError(`Detail of a ${entry.DetailType} event is not JSON`);
  }
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail))
    throw new InvalidEventDetailError(`Detail of a ${entry.DetailType} event is not a JSON object`);
  return {
    version: '0',
    id: randomUUID(),
    source: entry.Source,
    'detail-type': entry.DetailType,
    account,
    time: new Date().toISOString(),
    region,
    resources: [...(entry.Resources ?? [])],
    detail,
  };
}

/** A {@link PutEvents} that delivers to the local bridge's rules. */
export function bridgePutEvents(bridge: EventBridgeBridge, account: string, region: string): PutEvents {
  return async (entries) => {
    for (const entry of entries.map((e) => busEventOf(e, account, region))) bridge.put(entry);
  };
}

/** The Step Functions integration that puts events (`arn:aws:states:::events:putEvents[.waitForTaskToken]`). */
export const PUT_EVENTS_INTEGRATION = 'arn:aws:states:::events:putEvents';

/** A Task's PutEvents request or entry that the integration refuses (its name is the state's error). */
export class PutEventsIntegrationError extends Error {
  override readonly name = 'EventBridge.ValidationException';
}

function integrationEntry(raw: unknown, index: number): PutEventsEntry {
  const entry =
    typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const { Source, DetailType, Detail, EventBusName, Resources } = entry;
  if (typeof Source !== 'string' || typeof DetailType !== 'string' || Detail === undefined) {
    throw new PutEventsIntegrationError(`Entries[${index}] needs Source, DetailType and Detail`);
  }
  if (
    EventBusName !== undefined &&
    EventBusName !== 'default' &&
    !String(EventBusName).endsWith(':event-bus/default')
  ) {
    throw new PutEventsIntegrationError(
      `Entries[${index}].EventBusName ${JSON.stringify(EventBusName)}: the local bridge has the default bus only — omit EventBusName`,
    );
  }
  return {
    Source,
    DetailType,
    // The integration accepts Detail as a JSON object and sends it as text, as PutEvents wants it.
    Detail: typeof Detail === 'string' ? Detail : JSON.stringify(Detail),
    ...(Array.isArray(Resources) ? { Resources: Resources.map(String) } : {}),
  };
}

/**
 * The local handler of {@link PUT_EVENTS_INTEGRATION}: the Task's `Entries` go on the local bridge, in the
 * execution's region; the answer is PutEvents' (`Entries` with an `EventId` each, `FailedEntryCount` 0).
 */
export function putEventsIntegration(bridge: EventBridgeBridge, account: string): TaskHandler {
  return async (input, context) => {
    const entries = (input as { Entries?: unknown } | null)?.Entries;
    if (!Array.isArray(entries) || entries.length === 0 || entries.length > 10) {
      throw new PutEventsIntegrationError('Entries must list 1 to 10 events');
    }
    const events = entries.map((raw, i) =>
      busEventOf(integrationEntry(raw, i), account, context.region ?? 'us-east-1'),
    );
    for (const event of events) bridge.put(event);
    return { Entries: events.map((event) => ({ EventId: event.id })), FailedEntryCount: 0 };
  };
}
