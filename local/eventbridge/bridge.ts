/**
 * The local EventBridge: rules with an event pattern (the same object the CDK rule uses) receive the
 * S3 "Object Created" and "Object Deleted" events the local S3 publishes, Step Functions' "Execution
 * Status Change" events and the relay's own custom events (PutEvents entries, see {@link EventBridgeBridge.put}). Delivery is asynchronous, like EventBridge's: a
 * publisher never waits for, or sees the failure of, a target. Failures are recorded in
 * {@link EventBridgeBridge.deliveries}; {@link EventBridgeBridge.idle} waits for deliveries in flight.
 */
import type { EventSink, S3BucketEvent } from '../types.ts';
import { compileEventPattern, type EventPattern } from './pattern.ts';

/** Any event on the bus, in EventBridge's envelope (`id`, `source`, `detail-type`, `detail` …). */
export interface BusEvent {
  readonly version?: string;
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly account?: string;
  readonly time?: string;
  readonly region?: string;
  readonly resources?: readonly string[];
  readonly detail: unknown;
}

/**
 * Where a rule sends a matching event (locally: a StartExecution call, or the notifier). The rule's
 * pattern decides which events reach it, so a target names the event type its pattern admits.
 */
export type BridgeTarget<E extends BusEvent = S3BucketEvent> = (event: E) => Promise<void>;

/** A rule: a name, the event pattern it filters with, and its target. */
export interface BridgeRule<E extends BusEvent = S3BucketEvent> {
  readonly name: string;
  readonly eventPattern: EventPattern;
  readonly target: BridgeTarget<E>;
}

/** The outcome of delivering one event to one rule's target. */
export interface BridgeDelivery {
  readonly rule: string;
  readonly eventId: string;
  readonly ok: boolean;
  /** `Name: message` of what the target threw. */
  readonly error?: string;
}

/** Options of {@link EventBridgeBridge}. */
export interface EventBridgeBridgeOptions {
  /** Called with one line per failed delivery. */
  readonly log?: (line: string) => void;
  /** How many delivery records to keep (the oldest are dropped). @default 1000 */
  readonly maxDeliveryRecords?: number;
}

/** A rule name that EventBridge would refuse (1–64 of `[.\-_A-Za-z0-9]`). */
export class InvalidRuleNameError extends Error {
  override readonly name = 'InvalidRuleNameError';
  constructor(readonly ruleName: string) {
    super(`Invalid rule name ${JSON.stringify(ruleName)}: use 1 to 64 letters, digits, '.', '-' or '_'`);
  }
}

interface ActiveRule {
  readonly rule: BridgeRule<BusEvent>;
  readonly matches: (event: unknown) => boolean;
}

const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

function describeError(err: unknown): string {
  if (err instanceof Error)
    return err.name && err.name !== 'Error' ? `${err.name}: ${err.message}` : err.message;
  return String(err);
}

/** An in-process EventBridge bus with rules, pattern matching and asynchronous delivery. */
export class EventBridgeBridge {
  readonly #rules = new Map<string, ActiveRule>();
  readonly #pending = new Set<Promise<void>>();
  readonly #deliveries: BridgeDelivery[] = [];
  readonly #log: ((line: string) => void) | undefined;
  readonly #maxRecords: number;

  constructor(options: EventBridgeBridgeOptions = {}) {
    this.#log = options.log;
    this.#maxRecords = Math.max(1, options.maxDeliveryRecords ?? 1000);
  }

  /**
   * Adds a rule, replacing any rule of the same name (events already dispatched keep their old target).
   * @throws InvalidEventPatternError when the pattern is invalid; InvalidRuleNameError for a bad name.
   */
  addRule<E extends BusEvent = S3BucketEvent>(rule: BridgeRule<E>): void {
    if (!RULE_NAME.test(rule.name)) throw new InvalidRuleNameError(rule.name);
    const matches = compileEventPattern(rule.eventPattern);
    // The pattern admits only events of the type the target names.
    const target = rule.target as BridgeTarget<BusEvent>;
    this.#rules.set(rule.name, { rule: { ...rule, target }, matches });
  }

  /** Removes a rule; `false` when there is none of that name. */
  removeRule(name: string): boolean {
    return this.#rules.delete(name);
  }

  /** The rules, in the order they were first added. */
  listRules(): ReadonlyArray<{ readonly name: string; readonly eventPattern: EventPattern }> {
    return [...this.#rules.values()].map(({ rule }) => ({
      name: rule.name,
      eventPattern: rule.eventPattern,
    }));
  }

  /**
   * Delivers an event to the target of every rule whose pattern matches it, asynchronously. Matching
   * happens now; each target receives its own copy of the event. Never throws because of a target.
   * Bound, so it can be handed to the S3 service as its {@link EventSink}.
   */
  readonly publish: EventSink = (event) => {
    this.put(event);
  };

  /**
   * Puts any event on the bus (what PutEvents does for the relay's custom events, and what Step
   * Functions does with its status changes): delivered like {@link publish}. Bound.
   */
  readonly put = (event: BusEvent): void => {
    for (const { rule, matches } of this.#rules.values()) {
      if (!matches(event)) continue;
      const copy = structuredClone(event);
      const delivery = Promise.resolve()
        .then(() => rule.target(copy))
        .then(
          () => this.#record({ rule: rule.name, eventId: event.id, ok: true }),
          (err: unknown) => {
            const error = describeError(err);
            this.#record({ rule: rule.name, eventId: event.id, ok: false, error });
            this.#log?.(`EventBridge rule ${rule.name}: delivery of event ${event.id} failed: ${error}`);
          },
        )
        .finally(() => {
          this.#pending.delete(delivery);
        });
      this.#pending.add(delivery);
    }
  };

  /** Delivery outcomes, oldest first (at most `maxDeliveryRecords`). */
  deliveries(): ReadonlyArray<BridgeDelivery> {
    return [...this.#deliveries];
  }

  /**
   * Resolves once every delivery started so far has settled — including deliveries started by targets
   * while waiting (a target that publishes more events is waited for too).
   */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) {
      await Promise.allSettled([...this.#pending]);
    }
  }

  #record(delivery: BridgeDelivery): void {
    this.#deliveries.push(delivery);
    if (this.#deliveries.length > this.#maxRecords)
      this.#deliveries.splice(0, this.#deliveries.length - this.#maxRecords);
  }
}
