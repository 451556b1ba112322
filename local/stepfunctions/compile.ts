/**
 * Turns a validated definition into what aws-local-stepfunctions runs locally. Every state that would
 * leave the process or sleep becomes a Task with an in-process override, so nothing reaches AWS and the
 * time scale applies everywhere:
 *
 * - `Task`: kept (its override resolves the registered handler); `TimeoutSeconds` defaults to AWS's
 *   "no practical limit" instead of the library's 60 s. A `.waitForTaskToken` Task's `$$.Task.Token`
 *   becomes a placeholder its override fills with a fresh token (./task-tokens.ts).
 * - `Wait`: a Task whose parameters carry `Seconds`/`Timestamp` (or their paths, evaluated by the library);
 *   the override sleeps for the scaled duration.
 * - `Map` / `Parallel`: a Task whose override runs each iteration/branch as its own library run, so every
 *   event of an iteration is known to belong to it (history, aborts, redrive). A Map's ResultSelector
 *   of paths is applied by the override with Step Functions' answer for filters (./result-selector.ts).
 *   A Distributed Map's override runs a map run of child executions instead (./distributed/).
 * - `Retry`: `IntervalSeconds` and `MaxDelaySeconds` multiplied by the time scale; backoff and jitter kept.
 * - `Pass` and `Map`: followed by a synthetic Task (see {@link outputLimitState}) whose override checks the
 *   state's output against the 256 KiB payload quota — the library knows no quota, and a Pass or Map output
 *   is only known once the library has applied ResultSelector/ResultPath/OutputPath. (Task results are
 *   checked in their override, execution input and output by the execution manager.)
 */
import { mapIterator, parallelBranches } from './definition.ts';
import { isDistributedMap } from './distributed/settings.ts';
import type { AslScope, AslState } from './library.ts';
import { ownsResultSelector } from './result-selector.ts';
import { isCallbackResource, withTokenPlaceholder } from './task-tokens.ts';

/** Node timers overflow past 2^31-1 ms; the longest timeout we hand the library. */
export const MAX_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** Name of the synthetic first state that feeds an iteration, branch or redrive its input. */
export const START_STATE = '\u0000local-start';

/** Resources of the synthetic Tasks (never invoked: every Task has an override). */
const LOCAL_RESOURCE = 'arn:aws:states:::local:';

/** Name prefix of the synthetic state that checks a Pass or Map state's output size. */
const OUTPUT_LIMIT_PREFIX = '\u0000local-output-limit:';

/** The synthetic state checking the output of `state` (a Pass or Map state). */
export function outputLimitState(state: string): string {
  return `${OUTPUT_LIMIT_PREFIX}${state}`;
}

export type StateKind = 'Task' | 'Wait' | 'Map' | 'Parallel' | 'Other';

/** What the runner needs to know about one state of the original definition. */
export interface StateInfo {
  readonly name: string;
  /** The ASL `Type` (history events are named after it). */
  readonly type: string;
  readonly kind: StateKind;
  readonly definition: AslState;
}

export interface CompiledScope {
  readonly startAt: string;
  /** The library-ready definition. */
  readonly definition: AslScope;
  readonly states: ReadonlyMap<string, StateInfo>;
  /** Map state name → its compiled iterator. */
  readonly iterators: ReadonlyMap<string, CompiledScope>;
  /** Parallel state name → its compiled branches. */
  readonly branches: ReadonlyMap<string, readonly CompiledScope[]>;
  /** Synthetic output-limit state name → the Pass or Map state whose output it checks. */
  readonly outputLimits: ReadonlyMap<string, string>;
}

function pick(state: AslState, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (key in state) out[key] = state[key];
  return out;
}

const TRANSITION = ['Next', 'End'] as const;

function scaleRetry(retry: unknown, timeScale: number): unknown {
  if (!Array.isArray(retry) || timeScale === 1) return retry;
  return retry.map((retrier: Record<string, unknown>) => ({
    ...retrier,
    IntervalSeconds: (typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1) * timeScale,
    ...(typeof retrier.MaxDelaySeconds === 'number'
      ? { MaxDelaySeconds: retrier.MaxDelaySeconds * timeScale }
      : {}),
  }));
}

function compileTask(state: AslState, timeScale: number): AslState {
  const out: Record<string, unknown> = { ...state, Retry: scaleRetry(state.Retry, timeScale) };
  if (out.Retry === undefined) delete out.Retry;
  // `$$.Task.Token` is unknown to the library: a placeholder the override replaces (./task-tokens.ts).
  if (isCallbackResource(state.Resource) && state.Parameters !== undefined) {
    out.Parameters = withTokenPlaceholder(state.Parameters);
  }
  if (typeof state.TimeoutSeconds === 'number') {
    out.TimeoutSeconds = Math.min(state.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
  } else if (state.TimeoutSecondsPath === undefined) {
    out.TimeoutSeconds = MAX_TIMEOUT_SECONDS;
  }
  return out as AslState;
}

function compileWait(state: AslState): AslState {
  const parameters: Record<string, unknown> = { 'input.$': '$' };
  if (typeof state.Seconds === 'number') parameters.seconds = state.Seconds;
  if (typeof state.SecondsPath === 'string') parameters['seconds.$'] = state.SecondsPath;
  if (typeof state.Timestamp === 'string') parameters.timestamp = state.Timestamp;
  if (typeof state.TimestampPath === 'string') parameters['timestamp.$'] = state.TimestampPath;
  return {
    Type: 'Task',
    Resource: `${LOCAL_RESOURCE}wait`,
    Parameters: parameters,
    TimeoutSeconds: MAX_TIMEOUT_SECONDS,
    ...pick(state, ['InputPath', 'OutputPath', ...TRANSITION]),
  };
}

function compileMap(state: AslState, timeScale: number): AslState {
  // A ResultSelector of paths is applied by the Map's override (./result-selector.ts), not the library.
  const selector = ownsResultSelector(state.ResultSelector) ? [] : ['ResultSelector'];
  const parameters: Record<string, unknown> = {
    'items.$': typeof state.ItemsPath === 'string' ? state.ItemsPath : '$',
    'input.$': '$',
  };
  // A Distributed Map with an ItemReader reads its items itself (distributed/reader.ts), and evaluates its
  // `…Path` fields against `input` (distributed/settings.ts).
  if (isDistributedMap(state) && state.ItemReader !== undefined) delete parameters['items.$'];
  if (typeof state.MaxConcurrencyPath === 'string' && !isDistributedMap(state)) {
    parameters['maxConcurrency.$'] = state.MaxConcurrencyPath;
  }
  return {
    Type: 'Task',
    Resource: `${LOCAL_RESOURCE}map`,
    Parameters: parameters,
    TimeoutSeconds: MAX_TIMEOUT_SECONDS,
    ...pick(state, ['InputPath', ...selector, 'ResultPath', 'OutputPath', 'Catch', ...TRANSITION]),
    ...(state.Retry !== undefined ? { Retry: scaleRetry(state.Retry, timeScale) } : {}),
  };
}

function compileParallel(state: AslState, timeScale: number): AslState {
  return {
    Type: 'Task',
    Resource: `${LOCAL_RESOURCE}parallel`,
    TimeoutSeconds: MAX_TIMEOUT_SECONDS,
    ...pick(state, [
      'InputPath',
      'Parameters',
      'ResultSelector',
      'ResultPath',
      'OutputPath',
      'Catch',
      ...TRANSITION,
    ]),
    ...(state.Retry !== undefined ? { Retry: scaleRetry(state.Retry, timeScale) } : {}),
  };
}

/**
 * Routes `compiled` (a Pass or Map state) through a synthetic Task that hands its input on unchanged once
 * its override has checked the size: the state's `Next`/`End` move to the synthetic Task.
 */
function withOutputLimit(
  name: string,
  compiled: AslState,
  out: Record<string, AslState>,
  limits: Map<string, string>,
): AslState {
  const check = outputLimitState(name);
  limits.set(check, name);
  out[check] = {
    Type: 'Task',
    Resource: `${LOCAL_RESOURCE}output-limit`,
    TimeoutSeconds: MAX_TIMEOUT_SECONDS,
    ...pick(compiled, TRANSITION),
  };
  const routed: Record<string, unknown> = { ...compiled, Next: check };
  delete routed.End;
  return routed as AslState;
}

function kindOf(type: string): StateKind {
  return type === 'Task' || type === 'Wait' || type === 'Map' || type === 'Parallel' ? type : 'Other';
}

/** Compiles one scope (and, recursively, its iterators and branches). */
export function compileScope(scope: AslScope, timeScale: number, topLevel = true): CompiledScope {
  const states = new Map<string, StateInfo>();
  const iterators = new Map<string, CompiledScope>();
  const branches = new Map<string, CompiledScope[]>();
  const outputLimits = new Map<string, string>();
  const compiled: Record<string, AslState> = {};
  for (const [name, state] of Object.entries(scope.States)) {
    const kind = kindOf(state.Type);
    states.set(name, { name, type: state.Type, kind, definition: state });
    switch (kind) {
      case 'Task':
        compiled[name] = compileTask(state, timeScale);
        break;
      case 'Wait':
        compiled[name] = compileWait(state);
        break;
      case 'Map':
        compiled[name] = withOutputLimit(name, compileMap(state, timeScale), compiled, outputLimits);
        iterators.set(name, compileScope(mapIterator(state), timeScale, false));
        break;
      case 'Parallel':
        compiled[name] = compileParallel(state, timeScale);
        branches.set(
          name,
          parallelBranches(state).map((branch) => compileScope(branch, timeScale, false)),
        );
        break;
      default:
        compiled[name] = state.Type === 'Pass' ? withOutputLimit(name, state, compiled, outputLimits) : state;
    }
  }
  const definition: Record<string, unknown> = { StartAt: scope.StartAt, States: compiled };
  if (topLevel && typeof scope.TimeoutSeconds === 'number') {
    definition.TimeoutSeconds = Math.min(scope.TimeoutSeconds, MAX_TIMEOUT_SECONDS);
  }
  return {
    startAt: scope.StartAt,
    definition: definition as unknown as AslScope,
    states,
    iterators,
    branches,
    outputLimits,
  };
}

/**
 * The scope's definition with a synthetic first state that hands `target` its input (whatever the run's
 * own input is, which stays the execution input so `$$.Execution.Input` is right).
 */
export function withStartState(scope: CompiledScope, target: string): AslScope {
  return {
    ...scope.definition,
    StartAt: START_STATE,
    States: {
      ...scope.definition.States,
      [START_STATE]: {
        Type: 'Task',
        Resource: `${LOCAL_RESOURCE}start`,
        TimeoutSeconds: MAX_TIMEOUT_SECONDS,
        Next: target,
      },
    },
  };
}
