/**
 * The override of a Distributed Map state. Each run of the state is a map run: its history in the parent
 * is, as AWS writes it, `MapStateEntered`, `MapStateStarted` (length 0), `MapRunStarted` (with the map run's
 * ARN), then `MapRunSucceeded` or `MapRunFailed` (error, cause), then the lane's `MapStateSucceeded`/
 * `MapStateFailed` and `MapStateExited`. The children's events are in their own histories.
 *
 * Redrive: when the parent is redriven from a top-level Distributed Map state, its failed map run is
 * redriven (`MapRunRedriven` with the map run's redrive count, instead of `MapRunStarted`): its failed,
 * timed-out and aborted children are redriven — same ARNs, each continuing from its own failed state — and
 * the children that never started are started; succeeded children are kept. When the parent continues
 * after the local stack restarted, its map run continues too (children left running are continued).
 */
import type { StateInfo } from '../compile.ts';
import type { LocalHandler } from '../context.ts';
import { BranchAbortedError, DataLimitExceededError, StateFailure, StatesRuntimeError } from '../errors.ts';
import type { Lane } from '../lane.ts';
import { isRecord, type JsonValue } from '../library.ts';
import { applyResultSelector, ownsResultSelector } from '../result-selector.ts';
import { writeChildInputs } from './items.ts';
import type { MapRun } from './map-run.ts';
import { readItems } from './reader.ts';
import { type ParentRuntime, runtimeOf } from './runtime.ts';
import { distributedSettings } from './settings.ts';

async function* arrayItems(items: readonly JsonValue[]): AsyncGenerator<JsonValue> {
  yield* items;
}

/** The map run a redrive or resume continues for this state, if any (taken once per run). */
async function carriedMapRun(
  runtime: ParentRuntime,
  lane: Lane,
  stateName: string,
): Promise<{ run: MapRun; redrive: boolean } | undefined> {
  const carried = runtime.carried;
  if (!lane.root || carried?.state !== stateName) return undefined;
  runtime.carried = undefined;
  if (carried.mapRunArn === undefined) return undefined;
  const run = await runtime.mapRuns.open(carried.mapRunArn);
  if (!run || run.record.status === 'SUCCEEDED') return undefined;
  if (!run.record.itemsComplete) {
    if (run.record.status === 'RUNNING') run.abandon();
    runtime.mapRuns.settled(run);
    return undefined;
  }
  if (run.record.status === 'RUNNING') return { run, redrive: false };
  return runtime.resumed ? undefined : { run, redrive: true };
}

/** The override of a Map state whose `ItemProcessor.ProcessorConfig.Mode` is `DISTRIBUTED`. */
export function distributedMapInvoker(lane: Lane, state: StateInfo): LocalHandler {
  const ownedSelector = ownsResultSelector(state.definition.ResultSelector);
  return async (parameters: JsonValue): Promise<JsonValue> => {
    const invocation = lane.invoke(state.name, parameters, 0);
    await invocation.acked;
    const runtime = runtimeOf(lane.ctx);
    const fail = (error: StateFailure): never => {
      invocation.fail(error.name, error.message);
      throw error;
    };
    if (!runtime || !isRecord(parameters)) {
      return fail(new StatesRuntimeError(`Map state '${state.name}': the local engine cannot run it here`));
    }
    const input = (parameters.input ?? null) as JsonValue;
    const context = lane.ctx.libraryContext;
    const parent = runtime.record;
    let continued: { run: MapRun; redrive: boolean } | undefined;
    let run: MapRun;
    let prepare: (() => Promise<void>) | undefined;
    try {
      continued = await carriedMapRun(runtime, lane, state.name);
      if (continued) {
        run = continued.run;
      } else {
        const settings = await distributedSettings(
          state.definition,
          state.name,
          parent.stateMachineName,
          input,
          context,
        );
        const items = parameters.items;
        if (settings.reader === undefined && !Array.isArray(items)) {
          throw new StatesRuntimeError(
            `Map state '${state.name}': the ItemsPath must select an array, got ${JSON.stringify(items)}`,
          );
        }
        run = runtime.mapRuns.create(parent, state.name, settings);
        const selector = state.definition.ItemSelector ?? state.definition.Parameters;
        prepare = async () => {
          const source =
            settings.reader === undefined
              ? arrayItems(items as JsonValue[])
              : readItems(settings.reader, runtime.mapRuns.s3, parent.region);
          const writer = await runtime.mapRuns.store.itemsWriter(run.record);
          try {
            const counts = await writeChildInputs(
              source,
              { selector, mapInput: input, context, batcher: settings.batcher },
              (child) => writer.write(child),
            );
            await writer.close();
            run.itemsRead(counts.itemCount, counts.childCount);
          } catch (error) {
            await writer.close().catch(() => undefined);
            throw error;
          }
        };
      }
    } catch (error) {
      if (error instanceof StateFailure) return fail(error);
      throw error;
    }
    const arn = run.record.mapRunArn;
    if (continued?.redrive) {
      run.beginRedrive();
      lane.emit({
        type: 'MapRunRedriven',
        detailsKey: 'mapRunRedrivenEventDetails',
        details: { mapRunArn: arn, redriveCount: run.record.redriveCount },
      });
      await run.markForRedrive();
    } else if (!continued) {
      lane.emit({
        type: 'MapRunStarted',
        detailsKey: 'mapRunStartedEventDetails',
        details: { mapRunArn: arn },
      });
    }
    const point = lane.root ? parent.redrivePoint : undefined;
    if (point?.state === state.name && point.mapRunArn !== arn) {
      point.mapRunArn = arn;
      runtime.save();
    }
    let outcome: Awaited<ReturnType<MapRun['run']>>;
    try {
      outcome = await run.run(runtime.runner, invocation.signal, prepare);
    } catch (error) {
      runtime.mapRuns.settled(run);
      // The children succeeded but their outputs are more than a state's output may hold.
      if (error instanceof DataLimitExceededError) {
        lane.emit({ type: 'MapRunSucceeded' });
        return fail(error);
      }
      throw error;
    }
    runtime.mapRuns.settled(run);
    if (outcome.status === 'aborted' || outcome.status === 'closed') throw new BranchAbortedError();
    if (outcome.status === 'failed') {
      lane.emit({
        type: 'MapRunFailed',
        detailsKey: 'mapRunFailedEventDetails',
        details: { error: outcome.error, cause: outcome.cause },
      });
      return fail(new StateFailure(outcome.error, outcome.cause));
    }
    lane.emit({ type: 'MapRunSucceeded' });
    let output = outcome.output;
    if (ownedSelector) {
      try {
        output = applyResultSelector(state.definition.ResultSelector, output, context as JsonValue);
      } catch (error) {
        if (error instanceof StateFailure) return fail(error);
        throw error;
      }
    }
    invocation.succeed(output);
    return output;
  };
}
