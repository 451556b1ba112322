/**
 * The overrides of Map (inline) and Parallel states. Each iteration or branch runs as its own lane, so
 * its events are its own: `MapIterationStarted`/`Succeeded`/`Failed`/`Aborted`. The first failure stops
 * the others (they log `<Type>StateAborted` and `MapIterationAborted`) and fails the state with that
 * failure's error, which the state's own `Retry`/`Catch` then handle.
 */
import type { StateInfo } from './compile.ts';
import type { LocalHandler } from './context.ts';
import { distributedMapInvoker } from './distributed/invoker.ts';
import { isDistributedMap } from './distributed/settings.ts';
import { BranchAbortedError, StateFailure, StatesRuntimeError } from './errors.ts';
import type { Invocation } from './invocation.ts';
import { failureOf, type Lane, type LaneFailure, type LaneOutcome } from './lane.ts';
import { isRecord, type JsonValue } from './library.ts';
import { applyResultSelector, ownsResultSelector } from './result-selector.ts';
import { selectItem } from './selector.ts';

/** How many iterations an inline Map runs at once when `MaxConcurrency` is 0 or absent. */
export const INLINE_MAP_CONCURRENCY = 40;

function throwFailure(failure: LaneFailure, invocation: Invocation): never {
  invocation.fail(failure.error, failure.cause);
  throw new StateFailure(failure.error, failure.cause, failure.retryable, failure.catchable);
}

/** Logs the events of a lane stopped because a sibling failed. */
function logAborted(lane: Lane, child: Lane, iteration?: { name: string; index: number }): void {
  let previous = child.lastEventId;
  const stateAborted = child.abortedStateEvent();
  if (stateAborted) previous = lane.ctx.append(stateAborted.type, previous) ?? previous;
  if (iteration) {
    lane.ctx.append('MapIterationAborted', previous, 'mapIterationAbortedEventDetails', { ...iteration });
  }
}

function concurrency(value: unknown): number {
  return typeof value === 'number' && value > 0 ? value : INLINE_MAP_CONCURRENCY;
}

/** The override of a Map state: inline, or — `ProcessorConfig.Mode: DISTRIBUTED` — a map run. */
export function mapInvoker(lane: Lane, state: StateInfo): LocalHandler {
  if (isDistributedMap(state.definition)) return distributedMapInvoker(lane, state);
  const iterator = lane.scope.iterators.get(state.name);
  const selector = state.definition.ItemSelector ?? state.definition.Parameters;
  const ownedSelector = ownsResultSelector(state.definition.ResultSelector);
  return async (parameters: JsonValue): Promise<JsonValue> => {
    if (!iterator || !isRecord(parameters))
      throw new StatesRuntimeError(`Map state '${state.name}' is malformed`);
    const items = parameters.items;
    if (!Array.isArray(items)) {
      throw new StatesRuntimeError(
        `Map state '${state.name}': the ItemsPath must select an array, got ${JSON.stringify(items)}`,
      );
    }
    const invocation = lane.invoke(state.name, parameters, items.length);
    await invocation.acked;
    const kept = lane.root ? lane.ctx.mapStarted(state.name, items.length) : {};
    const limit = concurrency(parameters.maxConcurrency ?? state.definition.MaxConcurrency);
    const results: JsonValue[] = items.map(() => null);
    const running = new Set<Lane>();
    let failure: LaneFailure | undefined;
    let next = 0;

    const iterate = async (index: number, item: JsonValue): Promise<void> => {
      const details = { name: state.name, index };
      const startedId = lane.ctx.append(
        'MapIterationStarted',
        invocation.startedEventId,
        'mapIterationStartedEventDetails',
        details,
      );
      if (startedId === undefined) return;
      const child = lane.ctx.spawn(iterator, startedId, invocation.signal);
      running.add(child);
      let outcome: LaneOutcome;
      try {
        const input =
          selector === undefined
            ? item
            : await selectItem(selector, parameters.input ?? null, index, item, lane.ctx.libraryContext);
        outcome = await child.execute(lane.ctx.executionInput, { target: iterator.startAt, value: input });
      } catch (error) {
        outcome = failureOf(error);
      } finally {
        running.delete(child);
      }
      if (invocation.signal.aborted) return;
      if (outcome.status === 'succeeded') {
        results[index] = outcome.output;
        lane.ctx.append(
          'MapIterationSucceeded',
          child.lastEventId,
          'mapIterationSucceededEventDetails',
          details,
        );
        if (lane.root) lane.ctx.mapIterationSucceeded(state.name, index, outcome.output);
      } else if (outcome.status === 'failed' && failure === undefined) {
        failure = outcome;
        lane.ctx.append('MapIterationFailed', child.lastEventId, 'mapIterationFailedEventDetails', details);
        for (const other of running) other.abort();
      } else {
        logAborted(lane, child, details);
      }
    };

    const worker = async (): Promise<void> => {
      while (failure === undefined && !invocation.signal.aborted && next < items.length) {
        const index = next++;
        const carried = kept[String(index)];
        if (carried !== undefined) results[index] = carried;
        else await iterate(index, items[index] ?? null);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    if (failure) throwFailure(failure, invocation);
    if (invocation.signal.aborted) throw new BranchAbortedError();
    let output: JsonValue = results;
    if (ownedSelector) {
      try {
        output = applyResultSelector(
          state.definition.ResultSelector,
          results,
          lane.ctx.libraryContext as JsonValue,
        );
      } catch (error) {
        if (error instanceof StateFailure) invocation.fail(error.name, error.message);
        throw error;
      }
    }
    invocation.succeed(output);
    return output;
  };
}

/** The override of a Parallel state: every branch gets the state's effective input. */
export function parallelInvoker(lane: Lane, state: StateInfo): LocalHandler {
  const branches = lane.scope.branches.get(state.name) ?? [];
  return async (input: JsonValue): Promise<JsonValue> => {
    const invocation = lane.invoke(state.name, input);
    await invocation.acked;
    const children = branches.map((scope) =>
      lane.ctx.spawn(scope, invocation.startedEventId, invocation.signal),
    );
    let failure: LaneFailure | undefined;
    const outcomes = await Promise.all(
      children.map(async (child, i) => {
        const scope = branches[i];
        const outcome: LaneOutcome = scope
          ? await child
              .execute(lane.ctx.executionInput, { target: scope.startAt, value: input })
              .catch(failureOf)
          : { status: 'aborted' };
        if (outcome.status === 'failed' && failure === undefined) {
          failure = outcome;
          for (const other of children) if (other !== child) other.abort();
        } else if (outcome.status !== 'succeeded' && !invocation.signal.aborted) {
          logAborted(lane, child);
        }
        return outcome;
      }),
    );
    if (failure) throwFailure(failure, invocation);
    if (invocation.signal.aborted) throw new BranchAbortedError();
    const results = outcomes.map((outcome) => (outcome.status === 'succeeded' ? outcome.output : null));
    invocation.succeed(results);
    return results;
  };
}
