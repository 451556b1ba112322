/**
 * The history of one execution: events numbered from 1, each naming the event it follows
 * (`previousEventId`), in the HistoryEvent shapes of the Step Functions API.
 */
import type { StoredEvent } from './model.ts';

/** A HistoryEvent as `GetExecutionHistory` returns it (timestamps as Dates; serveJson writes seconds). */
export type HistoryEventOutput = {
  timestamp: Date;
  type: string;
  id: number;
  previousEventId: number;
} & Record<string, unknown>;

const DATA_MEMBERS = new Set(['input', 'output', 'inputDetails', 'outputDetails']);

/** Converts a stored event to the API shape; without execution data, inputs and outputs are left out. */
export function toOutputEvent(event: StoredEvent, includeExecutionData = true): HistoryEventOutput {
  const out: HistoryEventOutput = {
    timestamp: new Date(event.timestamp),
    type: event.type,
    id: event.id,
    previousEventId: event.previousEventId,
  };
  if (event.detailsKey && event.details) {
    out[event.detailsKey] = includeExecutionData
      ? event.details
      : Object.fromEntries(Object.entries(event.details).filter(([k]) => !DATA_MEMBERS.has(k)));
  }
  return out;
}

/**
 * Step Functions' quota on one execution's history: "25,000 events in a single state machine execution
 * history. If the execution history reaches this quota, the execution fails" (Step Functions service
 * quotas). AWS fails it with `States.Runtime`, "The execution reached the maximum number of history events
 * (25000).", the ExecutionFailed event being event 25,000 itself; such an execution cannot be redriven
 * ("Execution history event limit exceeded.", DescribeExecution's redriveStatusReason).
 */
export const MAX_HISTORY_EVENTS = 25_000;

/** The cause AWS gives an execution failed by the history quota. */
export function historyLimitCause(maxEvents: number): string {
  return `The execution reached the maximum number of history events (${maxEvents}).`;
}

/** What happens when a history reaches its quota. */
export interface HistoryLimit {
  readonly maxEvents: number;
  /**
   * Called once, instead of appending, when an event would take the last place: the caller ends the
   * execution, whose terminal event (written with {@link ExecutionHistory.finish}) takes that place.
   */
  readonly onReached: () => void;
}

/** Appends to an execution's history; closed once the execution ends (late events are dropped). */
export class ExecutionHistory {
  private open = true;
  private reached = false;

  constructor(
    private readonly events: StoredEvent[],
    private readonly sink: (event: StoredEvent) => void,
    private readonly limit?: HistoryLimit,
  ) {}

  get all(): readonly StoredEvent[] {
    return this.events;
  }

  get lastId(): number {
    return this.events.at(-1)?.id ?? 0;
  }

  get isOpen(): boolean {
    return this.open;
  }

  /**
   * Appends an event and returns its id; `undefined` when the history is closed.
   * @param detailsKey e.g. `stateEnteredEventDetails`
   */
  append(
    type: string,
    previousEventId: number,
    detailsKey?: string,
    details?: Record<string, unknown>,
    timestamp = Date.now(),
  ): number | undefined {
    if (!this.open) return undefined;
    if (this.limit && this.lastId + 1 >= this.limit.maxEvents) {
      if (!this.reached) {
        this.reached = true;
        this.limit.onReached();
      }
      return undefined;
    }
    return this.write(type, previousEventId, detailsKey, details, timestamp);
  }

  /** Appends the event that ends (or interrupts) the execution and closes the history. */
  finish(type: string, detailsKey: string, details: Record<string, unknown>, timestamp = Date.now()): number {
    const id = this.write(type, this.lastId, detailsKey, details, timestamp);
    this.open = false;
    return id;
  }

  /** Opens the history again for a redrive, starting with `ExecutionRedriven`. */
  reopen(redriveCount: number, timestamp = Date.now()): number {
    this.open = true;
    this.reached = false;
    return this.write(
      'ExecutionRedriven',
      this.lastId,
      'executionRedrivenEventDetails',
      { redriveCount },
      timestamp,
    );
  }

  private write(
    type: string,
    previousEventId: number,
    detailsKey: string | undefined,
    details: Record<string, unknown> | undefined,
    timestamp: number,
  ): number {
    const event: StoredEvent = {
      id: this.lastId + 1,
      previousEventId,
      timestamp,
      type,
      ...(detailsKey && details ? { detailsKey, details } : {}),
    };
    this.events.push(event);
    this.sink(event);
    return event.id;
  }
}
