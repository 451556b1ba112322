/**
 * One run of an execution: from the start, or — for a redrive, or an execution that continues after the
 * local stack restarted — from the top-level state that did not succeed (or was running), keeping the
 * iterations of an inline Map that already succeeded. Implements the {@link RunContext} its lanes and
 * overrides share.
 */
import { type CompiledScope, START_STATE } from './compile.ts';
import type { LocalHandlers, RunContext } from './context.ts';
import type { ExecutionHistory } from './history.ts';
import { Lane, type LaneOutcome } from './lane.ts';
import type { JsonValue } from './library.ts';
import { mapInvoker, parallelInvoker } from './map-invoker.ts';
import type { ExecutionRecord, RedrivePoint } from './model.ts';
import type { TaskHandlerRegistry } from './resources.ts';
import { outputLimitInvoker, taskInvoker, waitInvoker } from './task-invoker.ts';
import type { TaskTokens } from './task-tokens.ts';

export interface ExecutionRunOptions {
  readonly record: ExecutionRecord;
  readonly scope: CompiledScope;
  readonly history: ExecutionHistory;
  readonly registry: TaskHandlerRegistry;
  readonly tokens: TaskTokens;
  readonly timeScale: number;
  /** Where a redrive (or a resumed run) continues; `undefined` runs from `StartAt`. */
  readonly redriveFrom?: RedrivePoint | undefined;
  /** Continues an execution a previous process left running: Tasks wait for their handlers. */
  readonly resumed?: boolean;
  /** Called whenever `record.redrivePoint` changed (to persist it). */
  readonly onProgress: () => void;
}

export class ExecutionRun implements RunContext {
  readonly region: string;
  readonly timeScale: number;
  readonly registry: TaskHandlerRegistry;
  readonly tokens: TaskTokens;
  readonly executionArn: string;
  readonly awaitsHandlers: boolean;
  readonly executionInput: JsonValue;
  readonly libraryContext: Record<string, unknown>;
  private readonly controller = new AbortController();
  private carried: RedrivePoint | undefined;

  constructor(private readonly options: ExecutionRunOptions) {
    const { record } = options;
    this.region = record.region;
    this.timeScale = options.timeScale;
    this.registry = options.registry;
    this.tokens = options.tokens;
    this.executionArn = record.executionArn;
    this.awaitsHandlers = options.resumed === true;
    this.executionInput = JSON.parse(record.input) as JsonValue;
    this.carried = options.redriveFrom;
    this.libraryContext = {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: record.roleArn,
        StartTime: record.startDate,
        RedriveCount: record.redriveCount,
        ...(record.redriveDate ? { RedriveTime: record.redriveDate } : {}),
      },
      StateMachine: { Id: record.stateMachineArn, Name: record.stateMachineName },
    };
  }

  /** Runs to the end; the outcome of the top level. Never rejects. */
  async start(parentEventId: number): Promise<LaneOutcome> {
    const lane = new Lane(this, this.options.scope, parentEventId, this.controller.signal, true);
    const from = this.options.redriveFrom;
    try {
      if (from && this.options.scope.states.has(from.state)) {
        return await lane.execute(this.executionInput, { target: from.state, value: from.input });
      }
      return await lane.execute(this.executionInput);
    } catch (error) {
      return {
        status: 'failed',
        error: 'Local.InternalError',
        cause: `The local Step Functions failed while running this execution: ${String(error)}`,
        retryable: false,
        catchable: false,
      };
    } finally {
      // Whatever still runs (a timed-out task's handler, a stopped branch) is told to stop.
      this.controller.abort();
    }
  }

  /** Stops the run; its lanes drop any event they would still log. */
  stop(): void {
    this.controller.abort();
  }

  append(
    type: string,
    previousEventId: number,
    detailsKey?: string,
    details?: Record<string, unknown>,
    timestamp?: number,
  ): number | undefined {
    if (this.controller.signal.aborted) return undefined;
    return this.options.history.append(type, previousEventId, detailsKey, details, timestamp);
  }

  overrides(lane: Lane, startValue: JsonValue): LocalHandlers {
    const handlers: LocalHandlers = { [START_STATE]: () => startValue };
    for (const state of lane.scope.states.values()) {
      if (state.kind === 'Task') handlers[state.name] = taskInvoker(lane, state);
      else if (state.kind === 'Wait') handlers[state.name] = waitInvoker(lane, state);
      else if (state.kind === 'Map') handlers[state.name] = mapInvoker(lane, state);
      else if (state.kind === 'Parallel') handlers[state.name] = parallelInvoker(lane, state);
    }
    for (const [check, state] of lane.scope.outputLimits) handlers[check] = outputLimitInvoker(state);
    return handlers;
  }

  spawn(scope: CompiledScope, parentEventId: number, parentSignal: AbortSignal): Lane {
    return new Lane(this, scope, parentEventId, parentSignal);
  }

  topLevelEntered(state: string, input: JsonValue): void {
    this.options.record.redrivePoint = { state, input };
    this.options.onProgress();
  }

  mapStarted(state: string, length: number): Readonly<Record<string, JsonValue>> {
    const carried = this.carried;
    this.carried = undefined;
    const kept = carried?.state === state && carried.map?.length === length ? carried.map.outputs : {};
    const point = this.options.record.redrivePoint;
    if (point?.state === state) {
      point.map = { length, outputs: { ...kept } };
      this.options.onProgress();
    }
    return kept;
  }

  mapIterationSucceeded(state: string, index: number, output: JsonValue): void {
    const point = this.options.record.redrivePoint;
    if (point?.state !== state || !point.map) return;
    point.map.outputs[String(index)] = output;
    this.options.onProgress();
  }
}
