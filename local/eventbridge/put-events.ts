/**
 * PutEvents onto the local bridge: each entry becomes an event in EventBridge's envelope (a fresh `id`,
 * `source`, `detail-type`, the parsed `Detail`, `resources`, `time`) and is delivered to matching rules —
 * how the relay's custom events (core/relay-events.ts) travel locally.
 */
import { randomUUID } from 'node:crypto';
import type { PutEvents, PutEventsEntry } from '../../functions/notify/index.ts';
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
