/**
 * Task resources: how each kind of `Resource` shows in the execution history, and which in-process
 * handler runs it. Handlers are registered by ARN; a `arn:aws:states:::lambda:invoke` Task resolves by its
 * `FunctionName` parameter. Nothing here ever calls AWS.
 */
import type { TaskHandler } from '../types.ts';
import { isRecord } from './library.ts';

/** Which family of history events a Task's resource produces. */
export type ResourceFamily = 'task' | 'lambda' | 'activity';

export interface ResourceInfo {
  readonly family: ResourceFamily;
  /** `taskScheduledEventDetails.resourceType`, e.g. `lambda`. */
  readonly resourceType: string;
  /** `taskScheduledEventDetails.resource`, e.g. `invoke`. */
  readonly resource: string;
  /** The Task uses the optimised Lambda integration (input `{FunctionName, Payload}`, output wrapped). */
  readonly lambdaInvoke: boolean;
  /** Errors are reported as a Lambda function's (`cause` is the runtime's JSON error document). */
  readonly lambdaErrors: boolean;
}

const INTEGRATION_PREFIX = 'arn:aws:states:::';
const LAMBDA_FUNCTION = /^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:([^:]+)(?::[^:]+)?$/;
const ACTIVITY = /^arn:aws:states:[a-z0-9-]+:\d{12}:activity:/;

/** Classifies a Task state's `Resource`. */
export function describeResource(resource: string): ResourceInfo {
  if (LAMBDA_FUNCTION.test(resource)) {
    return { family: 'lambda', resourceType: 'lambda', resource, lambdaInvoke: false, lambdaErrors: true };
  }
  if (ACTIVITY.test(resource)) {
    return {
      family: 'activity',
      resourceType: 'activity',
      resource,
      lambdaInvoke: false,
      lambdaErrors: false,
    };
  }
  if (resource.startsWith(INTEGRATION_PREFIX)) {
    const rest = resource.slice(INTEGRATION_PREFIX.length);
    // `states:startExecution.sync:2`: the `:2` is the pattern's version, not a separator.
    const versioned = /:\d+$/.test(rest) && rest.includes('.sync:');
    const cut = versioned ? rest.indexOf(':') : rest.lastIndexOf(':');
    const resourceType = cut < 0 ? rest : rest.slice(0, cut);
    const action = cut < 0 ? rest : rest.slice(cut + 1);
    const lambdaInvoke = resourceType === 'lambda' && action === 'invoke';
    return { family: 'task', resourceType, resource: action, lambdaInvoke, lambdaErrors: lambdaInvoke };
  }
  return { family: 'task', resourceType: 'local', resource, lambdaInvoke: false, lambdaErrors: false };
}

/** The function name in a Lambda ARN, partial ARN or `name[:qualifier]`, for matching registrations. */
export function lambdaFunctionName(reference: string): string | undefined {
  const full = LAMBDA_FUNCTION.exec(reference);
  if (full) return full[1];
  const partial = /^(?:\d{12}:function:)?([A-Za-z0-9_-]+)(?::[A-Za-z0-9_$-]+)?$/.exec(reference);
  return partial?.[1];
}

/** A handler found for one invocation, with what to call it with. */
export interface ResolvedTask {
  readonly handler: TaskHandler;
  readonly payload: unknown;
  /** The key the handler was registered under. */
  readonly registeredAs: string;
}

/** Handlers for Task resources, registered by ARN. */
export class TaskHandlerRegistry {
  private readonly handlers = new Map<string, TaskHandler>();
  private readonly listeners = new Set<() => void>();

  /** Registers (or replaces) the handler for `resourceArn`; returns a function that removes it. */
  register(resourceArn: string, handler: TaskHandler): () => void {
    this.handlers.set(resourceArn, handler);
    for (const listener of [...this.listeners]) listener();
    return () => {
      if (this.handlers.get(resourceArn) === handler) this.handlers.delete(resourceArn);
    };
  }

  /**
   * Resolves on the next {@link register} call; rejects with the signal's reason when `signal` aborts first.
   * Executions that continue after a restart wait here for the handlers of their tasks to be registered again.
   */
  nextRegistration(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const done = (): void => {
        this.listeners.delete(done);
        signal.removeEventListener('abort', aborted);
        resolve();
      };
      const aborted = (): void => {
        this.listeners.delete(done);
        reject(signal.reason);
      };
      this.listeners.add(done);
      signal.addEventListener('abort', aborted, { once: true });
    });
  }

  /**
   * Finds the handler for a Task invocation: the function named by `FunctionName` for
   * `arn:aws:states:::lambda:invoke` (called with `Payload`), else the literal `Resource`, else — for Lambda
   * functions — a registration naming the same function. `undefined` when there is none.
   */
  resolve(resource: string, info: ResourceInfo, input: unknown): ResolvedTask | undefined {
    if (info.lambdaInvoke && isRecord(input) && typeof input.FunctionName === 'string') {
      const found = this.lookup(input.FunctionName);
      if (found) return { ...found, payload: 'Payload' in input ? input.Payload : {} };
    }
    const literal = this.handlers.get(resource);
    if (literal) return { handler: literal, payload: input, registeredAs: resource };
    if (info.family === 'lambda') {
      const found = this.lookup(resource);
      if (found) return { ...found, payload: input };
    }
    return undefined;
  }

  private lookup(reference: string): { handler: TaskHandler; registeredAs: string } | undefined {
    const exact = this.handlers.get(reference);
    if (exact) return { handler: exact, registeredAs: reference };
    const name = lambdaFunctionName(reference);
    if (name === undefined) return undefined;
    const matches = [...this.handlers].filter(([key]) => lambdaFunctionName(key) === name);
    const only = matches.length === 1 ? matches[0] : undefined;
    return only ? { handler: only[1], registeredAs: only[0] } : undefined;
  }
}

/** The cause of a `Local.NoTaskHandler` failure: what was asked for and how to provide it. */
export function noHandlerCause(resource: string, input: unknown, info: ResourceInfo): string {
  const fn = info.lambdaInvoke && isRecord(input) ? input.FunctionName : undefined;
  const target = typeof fn === 'string' ? fn : resource;
  const what =
    typeof fn === 'string' ? `resource '${resource}' with FunctionName '${fn}'` : `resource '${resource}'`;
  return (
    `No local task handler is registered for ${what}. Register one with ` +
    `stepFunctions.registerTaskHandler('${target}', handler) before the execution reaches this state; ` +
    'the local stack never calls AWS.'
  );
}
