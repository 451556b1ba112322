/**
 * The callback pattern (`.waitForTaskToken`) on the local Step Functions: a Task whose resource ends with
 * `.waitForTaskToken` calls its handler with a task token in its parameters, then waits — until
 * SendTaskSuccess or SendTaskFailure names the token, or the state's `TimeoutSeconds` passes
 * (`States.Timeout`), or the execution stops.
 *
 * aws-local-stepfunctions evaluates `Parameters` against one context object per run and has no
 * `$$.Task.Token`, so the compiler (compile.ts) replaces each `"<key>.$": "$$.Task.Token"` of such a Task
 * with a literal placeholder, and the Task's override puts a fresh token in its place — before the
 * `TaskScheduled` event is logged, so the token is in the history's parameters as on AWS.
 *
 * Tokens live in memory: an execution the local stack continues after a restart runs the waiting Task
 * again, which mints a new token (and, for the relay's approvals, publishes a new request); the old one
 * is then refused with `TaskTimedOut`, as AWS refuses a token whose task is over.
 */
import { randomBytes } from 'node:crypto';
import { AwsJsonError } from '../protocol/json.ts';
import { StateFailure } from './errors.ts';
import { isRecord, type JsonValue } from './library.ts';

/** The resource suffix of the callback pattern. */
export const CALLBACK_SUFFIX = '.waitForTaskToken';

/** The context path of the task token. */
const TOKEN_PATH = '$$.Task.Token';

/** Stands for the token in a compiled Task's `Parameters` until its override mints one. */
export const TASK_TOKEN_PLACEHOLDER = '\u0000local-task-token';

/** SendTaskSuccess's output limit (the payload quota). */
const MAX_OUTPUT_BYTES = 256 * 1024;

/** Whether a Task's resource uses the callback pattern. */
export function isCallbackResource(resource: unknown): resource is string {
  return typeof resource === 'string' && resource.endsWith(CALLBACK_SUFFIX);
}

/** The resource without its `.waitForTaskToken` suffix (what a handler is registered under). */
export function callbackBaseResource(resource: string): string {
  return resource.slice(0, -CALLBACK_SUFFIX.length);
}

/** A payload template with every `"<key>.$": "$$.Task.Token"` turned into `"<key>": <placeholder>`. */
export function withTokenPlaceholder(template: unknown): unknown {
  if (Array.isArray(template)) return template.map(withTokenPlaceholder);
  if (!isRecord(template)) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$') && value === TOKEN_PATH) out[key.slice(0, -2)] = TASK_TOKEN_PLACEHOLDER;
    else out[key] = withTokenPlaceholder(value);
  }
  return out;
}

/** `value` with the placeholder replaced by `token` wherever it stands. */
export function withToken(value: JsonValue, token: string): JsonValue {
  if (value === TASK_TOKEN_PLACEHOLDER) return token;
  if (Array.isArray(value)) return value.map((item) => withToken(item, token));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, withToken(item, token)]));
  }
  return value;
}

/** Whether a compiled Task's parameters reference the token (AWS refuses a callback Task that does not). */
export function referencesToken(template: unknown): boolean {
  if (template === TASK_TOKEN_PLACEHOLDER) return true;
  if (Array.isArray(template)) return template.some(referencesToken);
  return isRecord(template) && Object.values(template).some(referencesToken);
}

const apiError = (code: string, message: string): AwsJsonError => new AwsJsonError(code, message);

interface Waiter {
  readonly executionArn: string;
  readonly stateName: string;
  readonly resolve: (output: JsonValue) => void;
  readonly reject: (failure: StateFailure) => void;
}

/** What a token encodes: which execution and state it was minted for (for messages), and a nonce. */
interface TokenBody {
  readonly v: 1;
  readonly e: string;
  readonly s: string;
  readonly n: string;
}

function decode(token: string): TokenBody | undefined {
  try {
    const body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as unknown;
    if (isRecord(body) && body.v === 1 && typeof body.e === 'string' && typeof body.n === 'string') {
      return body as unknown as TokenBody;
    }
  } catch {
    // not one of ours
  }
  return undefined;
}

/** The task tokens of the running callback Tasks, and the SendTask* operations on them. */
export class TaskTokens {
  private readonly waiting = new Map<string, Waiter>();

  /**
   * A new token for `stateName` of `executionArn`, and a promise of the Task's result: SendTaskSuccess's
   * output, or a {@link StateFailure} from SendTaskFailure. The Task {@link forget}s it when it ends
   * however it ends (its timeout, the execution stopping), so a late SendTask* is refused.
   */
  mint(executionArn: string, stateName: string): { token: string; result: Promise<JsonValue> } {
    const body: TokenBody = { v: 1, e: executionArn, s: stateName, n: randomBytes(24).toString('base64url') };
    const token = Buffer.from(JSON.stringify(body)).toString('base64url');
    const result = new Promise<JsonValue>((resolve, reject) => {
      this.waiting.set(token, { executionArn, stateName, resolve, reject });
    });
    result.catch(() => undefined);
    return { token, result };
  }

  /** The Task of `token` is over: SendTask* on it is refused from now on. */
  forget(token: string): void {
    this.waiting.delete(token);
  }

  /** SendTaskSuccess. */
  succeed(token: string, output: string): Record<string, never> {
    const waiter = this.take(token);
    const bytes = Buffer.byteLength(output);
    if (bytes > MAX_OUTPUT_BYTES) {
      this.waiting.set(token, waiter);
      throw apiError(
        'InvalidOutput',
        `The output is ${bytes} bytes, more than the ${MAX_OUTPUT_BYTES} allowed`,
      );
    }
    let value: JsonValue;
    try {
      value = JSON.parse(output) as JsonValue;
    } catch (error) {
      this.waiting.set(token, waiter);
      throw apiError('InvalidOutput', `The output must be JSON: ${(error as Error).message}`);
    }
    waiter.resolve(value);
    return {};
  }

  /** SendTaskFailure: the Task fails with `error` (`States.TaskFailed` when none is given) and `cause`. */
  fail(token: string, error: string | undefined, cause: string | undefined): Record<string, never> {
    const waiter = this.take(token);
    waiter.reject(new StateFailure(error ?? 'States.TaskFailed', cause ?? ''));
    return {};
  }

  /** SendTaskHeartbeat: the task is still waited for (no `HeartbeatSeconds` locally, so nothing to reset). */
  heartbeat(token: string): Record<string, never> {
    this.waiting.set(token, this.take(token));
    return {};
  }

  /** How many tokens are being waited for (for tests and the console). */
  get size(): number {
    return this.waiting.size;
  }

  private take(token: string): Waiter {
    const waiter = this.waiting.get(token);
    if (waiter !== undefined) {
      this.waiting.delete(token);
      return waiter;
    }
    const body = decode(token);
    if (body === undefined)
      throw apiError('InvalidToken', `Invalid Token: '${token.slice(0, 64)}…' is not a task token`);
    throw apiError(
      'TaskTimedOut',
      `Task Timed Out: the task '${body.s}' of ${body.e} this token was issued for is no longer waiting (it ended, timed out, or the local stack restarted and asked again with a new token)`,
    );
  }
}
