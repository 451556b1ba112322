/**
 * A lane is one aws-local-stepfunctions run: the top level of an execution, one Map iteration or one
 * Parallel branch. It reads the library's event log and writes the matching AWS history events, chaining
 * `previousEventId` within the lane.
 */
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
} from 'aws-local-stepfunctions';
import {
  type CompiledScope,
  outputLimitState,
  START_STATE,
  type StateInfo,
  withStartState,
} from './compile.ts';
import type { RunContext } from './context.ts';
import {
  dataMembers,
  type EventSpec,
  taskFailedEvent,
  taskStartEvents,
  taskSucceededEvent,
  taskTimedOutEvent,
} from './events.ts';
import { Invocation } from './invocation.ts';
import { asLibraryDefinition, type EventLog, type JsonValue } from './library.ts';
import { describeResource, type ResourceInfo } from './resources.ts';
import { MAX_PAYLOAD_BYTES, payloadBytes } from './task-invoker.ts';

/** How a lane ended. */
export type LaneOutcome =
  | { readonly status: 'succeeded'; readonly output: JsonValue }
  | LaneFailure
  | { readonly status: 'timed-out' }
  | { readonly status: 'aborted' };

export interface LaneFailure {
  readonly status: 'failed';
  readonly error: string;
  readonly cause: string;
  readonly retryable: boolean;
  readonly catchable: boolean;
}

interface FlaggedError {
  readonly isRetryable?: boolean;
  readonly isCatchable?: boolean;
}

/** Reads a failure the library reported (or anything thrown) as an ASL error and cause. */
export function failureOf(error: unknown): LaneFailure {
  if (!(error instanceof Error)) {
    return {
      status: 'failed',
      error: 'States.Runtime',
      cause: String(error),
      retryable: false,
      catchable: false,
    };
  }
  const flags = error as FlaggedError;
  const cause = typeof error.cause === 'string' ? error.cause : error.message;
  return {
    status: 'failed',
    error: error.name,
    cause,
    retryable: flags.isRetryable ?? true,
    catchable: flags.isCatchable ?? true,
  };
}

async function outcomeOf(result: Promise<JsonValue>): Promise<LaneOutcome> {
  try {
    return { status: 'succeeded', output: await result };
  } catch (error) {
    if (error instanceof ExecutionAbortedError) return { status: 'aborted' };
    if (error instanceof ExecutionTimeoutError) return { status: 'timed-out' };
    return failureOf(error instanceof ExecutionError ? error.cause : error);
  }
}

const ABORTABLE_TYPES = new Set(['Task', 'Map', 'Parallel', 'Wait']);

export class Lane {
  private readonly controller = new AbortController();
  private readonly pending: Invocation[] = [];
  private readonly caught = new Set<string>();
  private readonly resources = new Map<string, ResourceInfo>();
  private current: Invocation | undefined;
  private active: StateInfo | undefined;
  private last: number;

  constructor(
    readonly ctx: RunContext,
    readonly scope: CompiledScope,
    parentEventId: number,
    parentSignal: AbortSignal,
    /** The top level of the execution (tracked for redrive). */
    readonly root = false,
  ) {
    this.last = parentEventId;
    if (parentSignal.aborted) this.controller.abort();
    else parentSignal.addEventListener('abort', () => this.controller.abort(), { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Id of the last event this lane logged (or of the event that started it). */
  get lastEventId(): number {
    return this.last;
  }

  /** Stops this lane (a sibling iteration or branch failed). */
  abort(): void {
    this.controller.abort();
  }

  /** The `<Type>StateAborted` event for the state that was running when the lane was aborted. */
  abortedStateEvent(): EventSpec | undefined {
    const state = this.active;
    return state && ABORTABLE_TYPES.has(state.type) ? { type: `${state.type}StateAborted` } : undefined;
  }

  /**
   * Runs the scope with the execution's input. With `start`, a synthetic first state hands `start.target`
   * the value `start.value` (an iteration's item, a branch's input, a redrive's state input).
   */
  async execute(input: JsonValue, start?: { target: string; value: JsonValue }): Promise<LaneOutcome> {
    const definition = start ? withStartState(this.scope, start.target) : this.scope.definition;
    const machine = new StateMachine(asLibraryDefinition(definition), {
      validationOptions: { noValidate: true },
    });
    const execution = machine.run(input, {
      overrides: { taskResourceLocalHandlers: this.ctx.overrides(this, start?.value ?? null) },
      context: this.ctx.libraryContext,
    });
    const abort = (): void => execution.abort();
    if (this.signal.aborted) abort();
    else this.signal.addEventListener('abort', abort, { once: true });
    try {
      const consumed = this.consume(execution.eventLogs);
      const outcome = await outcomeOf(execution.result);
      await consumed;
      return outcome;
    } finally {
      this.signal.removeEventListener('abort', abort);
      for (const invocation of this.pending.splice(0)) invocation.cancel();
    }
  }

  /** Called by an override when the library invokes it: queues the invocation for the lane to log. */
  invoke(stateName: string, input: JsonValue, length = 0): Invocation {
    const invocation = new Invocation(stateName, input, this.signal, length);
    this.pending.push(invocation);
    return invocation;
  }

  /** Logs an event in this lane (dropped once the lane or execution has stopped). */
  emit(event: EventSpec, timestamp = Date.now()): number | undefined {
    if (this.signal.aborted) return undefined;
    const id = this.ctx.append(event.type, this.last, event.detailsKey, event.details, timestamp);
    if (id !== undefined) this.last = id;
    return id;
  }

  private async consume(events: AsyncGenerator<EventLog>): Promise<void> {
    for await (const event of events) {
      switch (event.type) {
        case 'StateEntered':
          this.entered(event.state.name, event.state.input, event.timestamp);
          break;
        case 'StateRetried':
          this.begin(event.state.name, event.timestamp);
          break;
        case 'StateExited':
          this.exited(event.state.name, event.state.output ?? null, event.timestamp);
          break;
        case 'StateFailed':
          this.failed(event.state.name, event.Error, event.Cause, event.timestamp);
          break;
        case 'StateCaught':
          this.caught.add(event.state.name);
          break;
        default:
          break;
      }
    }
  }

  private info(name: string): StateInfo | undefined {
    return name === START_STATE ? undefined : this.scope.states.get(name);
  }

  private resourceOf(state: StateInfo): ResourceInfo {
    let info = this.resources.get(state.name);
    if (!info) {
      info = describeResource(String(state.definition.Resource));
      this.resources.set(state.name, info);
    }
    return info;
  }

  private entered(name: string, input: JsonValue, timestamp: number): void {
    const state = this.info(name);
    if (!state) return;
    this.active = state;
    this.emit(
      {
        type: `${state.type}StateEntered`,
        detailsKey: 'stateEnteredEventDetails',
        details: { name, ...dataMembers('input', input) },
      },
      timestamp,
    );
    if (this.root) this.ctx.topLevelEntered(name, input);
    if (state.kind === 'Task' || state.kind === 'Map' || state.kind === 'Parallel')
      this.begin(name, timestamp);
  }

  /** Logs the start of the invocation the library just made for `name` (first attempt or a retry). */
  private begin(name: string, timestamp: number): void {
    const invocation = this.pending[0];
    const state = this.info(name);
    if (!state || invocation?.stateName !== name) return;
    this.pending.shift();
    this.current = invocation;
    for (const event of this.startEvents(state, invocation)) this.emit(event, timestamp);
    invocation.ack(this.last);
  }

  private startEvents(state: StateInfo, invocation: Invocation): EventSpec[] {
    if (state.kind === 'Map') {
      return [
        {
          type: 'MapStateStarted',
          detailsKey: 'mapStateStartedEventDetails',
          details: { length: invocation.length },
        },
      ];
    }
    if (state.kind === 'Parallel') return [{ type: 'ParallelStateStarted' }];
    const timeout = state.definition.TimeoutSeconds;
    return taskStartEvents(
      this.resourceOf(state),
      invocation.input,
      this.ctx.region,
      typeof timeout === 'number' ? timeout : undefined,
    );
  }

  private exited(name: string, output: JsonValue, timestamp: number): void {
    const state = this.info(name);
    if (!state) return;
    const invocation = this.current?.stateName === name ? this.current : undefined;
    this.current = undefined;
    this.active = undefined;
    // A caught failure moves to the catcher's state without an exit event, as in AWS.
    if (this.caught.delete(name)) return;
    // An output over the payload quota fails the state (the synthetic check after it, compile.ts) instead.
    if (this.scope.outputLimits.has(outputLimitState(name)) && payloadBytes(output) > MAX_PAYLOAD_BYTES) {
      if (state.kind === 'Map') this.emit({ type: 'MapStateFailed' }, timestamp);
      return;
    }
    if (invocation) {
      const success = this.successEvent(state, invocation);
      if (success) this.emit(success, timestamp);
    }
    this.emit(
      {
        type: `${state.type}StateExited`,
        detailsKey: 'stateExitedEventDetails',
        details: { name, ...dataMembers('output', output) },
      },
      timestamp,
    );
  }

  private successEvent(state: StateInfo, invocation: Invocation): EventSpec | undefined {
    if (state.kind === 'Map') return { type: 'MapStateSucceeded' };
    if (state.kind === 'Parallel') return { type: 'ParallelStateSucceeded' };
    if (state.kind === 'Task' && invocation.outcome?.ok) {
      return taskSucceededEvent(this.resourceOf(state), invocation.outcome.output);
    }
    return undefined;
  }

  private failed(name: string, error: string, cause: unknown, timestamp: number): void {
    const state = this.info(name);
    const invocation = this.current?.stateName === name ? this.current : undefined;
    this.current = undefined;
    if (!state || !invocation) return;
    const causeText =
      typeof cause === 'string' ? cause : cause instanceof Error ? cause.message : String(cause);
    if (state.kind === 'Map') {
      this.emit({ type: 'MapStateFailed' }, timestamp);
      return;
    }
    if (state.kind === 'Parallel') {
      this.emit({ type: 'ParallelStateFailed' }, timestamp);
      return;
    }
    const resource = this.resourceOf(state);
    const outcome = invocation.outcome;
    if (outcome?.ok) {
      // The task succeeded but processing its result (ResultSelector/ResultPath/OutputPath) failed.
      this.emit(taskSucceededEvent(resource, outcome.output), timestamp);
    } else if (outcome) {
      this.emit(taskFailedEvent(resource, outcome.error, outcome.cause), timestamp);
    } else if (error === 'States.Timeout') {
      invocation.controller.abort();
      this.emit(taskTimedOutEvent(resource, error, causeText), timestamp);
    } else {
      this.emit(taskFailedEvent(resource, error, causeText), timestamp);
    }
  }
}
