/**
 * What the notifier needs from AWS, as ports: Step Functions' reads (an SFNClient) and EventBridge's
 * PutEvents — a function, which the Lambda entry point backs with the SDK's EventBridge client
 * (put-events-default.ts) and the local stack with its bridge.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';

/** One PutEvents entry, in the API's field names (EventBridge API reference, PutEventsRequestEntry). */
export interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  /** A JSON object, as text. */
  readonly Detail: string;
  /** The resources the event is about (here: the execution's ARN). */
  readonly Resources?: readonly string[];
  /** Absent: the account's default bus. */
  readonly EventBusName?: string;
}

/** Publishes up to {@link MAX_PUT_EVENTS_ENTRIES} entries; throws when any entry failed. */
export type PutEvents = (entries: readonly PutEventsEntry[], signal?: AbortSignal) => Promise<void>;

/** PutEvents accepts at most 10 entries per request (EventBridge API reference, PutEvents). */
export const MAX_PUT_EVENTS_ENTRIES = 10;

/** The notifier's dependencies. */
export interface NotifyDeps {
  readonly sfn: SFNClient;
  readonly putEvents: PutEvents;
}
