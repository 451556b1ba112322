/** What the lanes and state overrides of one execution run share. */
import type { RunOptions } from 'aws-local-stepfunctions';
import type { CompiledScope } from './compile.ts';
import type { Lane } from './lane.ts';
import type { JsonValue } from './library.ts';
import type { TaskHandlerRegistry } from './resources.ts';
import type { TaskTokens } from './task-tokens.ts';

/** The overrides the library runs instead of calling AWS, by state name. */
export type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

/** One state's override. */
export type LocalHandler = LocalHandlers[string];

export interface RunContext {
  readonly region: string;
  /** Multiplies every Wait and Retry interval. */
  readonly timeScale: number;
  readonly registry: TaskHandlerRegistry;
  /** The tokens of callback (`.waitForTaskToken`) Tasks waiting for SendTaskSuccess/SendTaskFailure. */
  readonly tokens: TaskTokens;
  /** The execution's ARN (what a task token is minted for). */
  readonly executionArn: string;
  /**
   * The run continues an execution a previous process left running: a Task whose handler is not registered
   * (yet) waits for it instead of failing, since a restarted stack registers its handlers after it loads.
   */
  readonly awaitsHandlers: boolean;
  /** The execution's input: every lane's run input, so `$$.Execution.Input` is right everywhere. */
  readonly executionInput: JsonValue;
  /** The Context Object (`$$`) handed to the library. */
  readonly libraryContext: Record<string, unknown>;
  /** Appends an event unless the execution has stopped; the new event's id, else `undefined`. */
  append(
    type: string,
    previousEventId: number,
    detailsKey?: string,
    details?: Record<string, unknown>,
    timestamp?: number,
  ): number | undefined;
  /** The overrides for every Task-like state of `lane`'s scope. */
  overrides(lane: Lane, startValue: JsonValue): LocalHandlers;
  /** A lane for a Map iteration or Parallel branch. */
  spawn(scope: CompiledScope, parentEventId: number, parentSignal: AbortSignal): Lane;
  /** A top-level state was entered (redrive continues from the last one). */
  topLevelEntered(state: string, input: JsonValue): void;
  /** A top-level Map starts; returns the outputs of iterations a redrive keeps, by index. */
  mapStarted(state: string, length: number): Readonly<Record<string, JsonValue>>;
  /** An iteration of a top-level Map succeeded. */
  mapIterationSucceeded(state: string, index: number, output: JsonValue): void;
}
