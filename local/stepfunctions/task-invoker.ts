/**
 * The overrides of Task and Wait states. A Task runs the handler registered for its resource (or fails
 * with `Local.NoTaskHandler`, never calling AWS); a handler's error keeps its `name`, which is what
 * `Retry`/`Catch` match. A Wait sleeps for its duration times the time scale.
 */
import { randomUUID } from 'node:crypto';
import type { StateInfo } from './compile.ts';
import type { LocalHandler } from './context.ts';
import {
  BranchAbortedError,
  DataLimitExceededError,
  NoTaskHandlerError,
  StateFailure,
  StatesRuntimeError,
} from './errors.ts';
import type { Lane } from './lane.ts';
import { isRecord, type JsonValue, NotJsonError, toJsonValue } from './library.ts';
import { describeResource, noHandlerCause, type ResourceInfo } from './resources.ts';
import { sleep } from './sleep.ts';
import { callbackBaseResource, isCallbackResource, withToken } from './task-tokens.ts';

/** Step Functions' limit on the size of a state's input or output. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** The UTF-8 size of a value as JSON, as Step Functions measures payloads. */
export function payloadBytes(value: JsonValue): number {
  return Buffer.byteLength(JSON.stringify(value));
}

/**
 * The override of the synthetic state after a Pass or Map state (compile.ts): hands the state's output on,
 * or fails with `States.DataLimitExceeded` when it is over 256 KiB — "reported … when the output of a state
 * is larger than payload size quota" (Step Functions, "Error handling"), a terminal error `States.ALL`
 * cannot catch.
 */
export function outputLimitInvoker(state: string): LocalHandler {
  return async (output: JsonValue): Promise<JsonValue> => {
    const bytes = payloadBytes(output);
    if (bytes > MAX_PAYLOAD_BYTES) {
      throw new DataLimitExceededError(
        `The state '${state}' produced an output with a size of ${bytes} bytes, exceeding the maximum of ${MAX_PAYLOAD_BYTES} bytes.`,
      );
    }
    return output;
  };
}

/** How a handler's error reaches the state machine: its name, and a Lambda-shaped cause when relevant. */
export function handlerFailure(error: unknown, info: ResourceInfo): StateFailure {
  if (error instanceof StateFailure) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (!info.lambdaErrors) return new StateFailure(name, message);
  const trace = error instanceof Error && error.stack ? error.stack.split('\n') : [];
  return new StateFailure(name, JSON.stringify({ errorType: name, errorMessage: message, trace }));
}

/** The result of `arn:aws:states:::lambda:invoke`, as the optimised integration returns it. */
function lambdaInvokeResult(payload: JsonValue): JsonValue {
  const requestId = randomUUID();
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    SdkHttpMetadata: {
      HttpHeaders: {
        'Content-Type': 'application/json',
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-RequestId': requestId,
      },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: 200,
  };
}

function taskOutput(raw: unknown, info: ResourceInfo): JsonValue {
  let value: JsonValue;
  try {
    value = toJsonValue(raw);
  } catch (error) {
    if (error instanceof NotJsonError) throw new StateFailure('Local.InvalidTaskOutput', error.message);
    throw error;
  }
  const output = info.lambdaInvoke ? lambdaInvokeResult(value) : value;
  const bytes = payloadBytes(output);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw new DataLimitExceededError(
      `The state/task returned a result with a size of ${bytes} bytes, exceeding the maximum of ${MAX_PAYLOAD_BYTES} bytes.`,
    );
  }
  return output;
}

/** Resolves when `signal` aborts (never rejects). */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * The callback half of a `.waitForTaskToken` Task, after its handler returned: logs `TaskSubmitted` with
 * what the handler answered, then waits for SendTaskSuccess/SendTaskFailure on the token; the state's
 * timeout (or the execution stopping) aborts the wait.
 */
async function awaitCallback(
  lane: Lane,
  info: ResourceInfo,
  submitted: JsonValue,
  result: Promise<JsonValue>,
  signal: AbortSignal,
): Promise<JsonValue> {
  lane.emit({
    type: 'TaskSubmitted',
    detailsKey: 'taskSubmittedEventDetails',
    details: { resourceType: info.resourceType, resource: info.resource, output: JSON.stringify(submitted) },
  });
  const outcome = await Promise.race([result, aborted(signal).then(() => undefined)]);
  if (signal.aborted || outcome === undefined) throw new BranchAbortedError();
  return outcome;
}

/** The override of a Task state. */
export function taskInvoker(lane: Lane, state: StateInfo): LocalHandler {
  const resource = String(state.definition.Resource);
  const info = describeResource(resource);
  const callback = isCallbackResource(resource);
  // A callback Task's handler is registered under the integration it calls (`…:putEvents`).
  const base = callback ? callbackBaseResource(resource) : resource;
  const baseInfo = callback ? describeResource(base) : info;
  return async (parameters: JsonValue): Promise<JsonValue> => {
    const token = callback ? lane.ctx.tokens.mint(lane.ctx.executionArn, state.name) : undefined;
    try {
      return await runTask(parameters, token);
    } finally {
      if (token !== undefined) lane.ctx.tokens.forget(token.token);
    }
  };

  async function runTask(
    parameters: JsonValue,
    token: { token: string; result: Promise<JsonValue> } | undefined,
  ): Promise<JsonValue> {
    const input = token === undefined ? parameters : withToken(parameters, token.token);
    const invocation = lane.invoke(state.name, input);
    await invocation.acked;
    if (invocation.signal.aborted) throw new BranchAbortedError();
    const resolve = () =>
      lane.ctx.registry.resolve(resource, info, input) ??
      (callback ? lane.ctx.registry.resolve(base, baseInfo, input) : undefined);
    let resolved = resolve();
    while (!resolved && lane.ctx.awaitsHandlers) {
      await lane.ctx.registry.nextRegistration(invocation.signal).catch(() => undefined);
      if (invocation.signal.aborted) throw new BranchAbortedError();
      resolved = resolve();
    }
    if (!resolved) {
      const failure = new NoTaskHandlerError(noHandlerCause(resource, input, info));
      invocation.fail(failure.name, failure.message);
      throw failure;
    }
    try {
      const raw = await resolved.handler(resolved.payload, {
        signal: invocation.signal,
        region: lane.ctx.region,
      });
      if (token !== undefined) {
        const submitted = taskOutput(raw, baseInfo);
        // The task's result is what SendTaskSuccess sends, not the integration's answer.
        const answer = await awaitCallback(lane, info, submitted, token.result, invocation.signal);
        const output = taskOutput(answer, { ...info, lambdaInvoke: false });
        invocation.succeed(output);
        return output;
      }
      const output = taskOutput(raw, info);
      invocation.succeed(output);
      return output;
    } catch (error) {
      const failure = handlerFailure(error, info);
      invocation.fail(failure.name, failure.message);
      throw failure;
    }
  }
}

function waitMilliseconds(stateName: string, parameters: Record<string, unknown>): number {
  if ('seconds' in parameters) {
    const seconds = parameters.seconds;
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw new StatesRuntimeError(
        `Wait state '${stateName}': the number of seconds must be a non-negative integer, got ${JSON.stringify(seconds)}`,
      );
    }
    return seconds * 1000;
  }
  if ('timestamp' in parameters) {
    const at = typeof parameters.timestamp === 'string' ? Date.parse(parameters.timestamp) : Number.NaN;
    if (Number.isNaN(at)) {
      throw new StatesRuntimeError(
        `Wait state '${stateName}': the timestamp must be an ISO 8601 string, got ${JSON.stringify(parameters.timestamp)}`,
      );
    }
    return Math.max(0, at - Date.now());
  }
  return 0;
}

/** The override of a Wait state: sleeps `Seconds` (or until `Timestamp`) times the time scale. */
export function waitInvoker(lane: Lane, state: StateInfo): LocalHandler {
  return async (parameters: JsonValue): Promise<JsonValue> => {
    if (!isRecord(parameters)) throw new StatesRuntimeError(`Wait state '${state.name}': bad parameters`);
    await sleep(waitMilliseconds(state.name, parameters) * lane.ctx.timeScale, lane.signal);
    return (parameters.input ?? null) as JsonValue;
  };
}
