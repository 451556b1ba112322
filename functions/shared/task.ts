/**
 * The shape every task Lambda of the relay shares: a function of the raw task input that the
 * Lambda runtime (through middy) and the local stack (in-process) call alike.
 */

/** What the caller passes besides the input. */
export interface TaskOptions {
  /** Aborted shortly before the Lambda times out; handed to every SDK call as `abortSignal`. */
  readonly signal?: AbortSignal;
  /** Milliseconds left before the invocation times out (the Lambda context's `getRemainingTimeInMillis`). */
  readonly remainingTimeMs?: () => number;
}

/** A task: parses its input (throwing `InvalidInput`), does its work and returns its result. */
export type TaskHandler<O> = (input: unknown, options?: TaskOptions) => Promise<O>;

/** Milliseconds since the epoch; injectable so tests control time. */
export type Clock = () => number;

/** The system clock. */
export const systemClock: Clock = () => Date.now();
