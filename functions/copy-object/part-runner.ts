import { isRelayError } from '../../core/errors.ts';

/**
 * Runs part copies in parallel, in part order, until every part is done, the deadline passes or
 * a part fails. At least one part is always started, so every invocation makes progress however
 * small its budget. A failure stops new parts from starting; parts in flight finish.
 */

/** Options of {@link runParts}. */
export interface RunPartsOptions {
  /** Part numbers to copy, ascending. */
  readonly parts: readonly number[];
  /** Parts copied at once. */
  readonly concurrency: number;
  /** Whether the time to start parts is over. */
  readonly expired: () => boolean;
  /** Copies one part; resolves to the bytes copied. */
  readonly copy: (partNumber: number) => Promise<number>;
}

/** What a run achieved. */
export interface RunPartsResult {
  /** Bytes copied per part number, for the parts that succeeded. */
  readonly done: ReadonlyMap<number, number>;
  /** The failure that stopped the run (a permanent one in preference to a retryable one). */
  readonly error?: unknown;
}

function isRetryable(err: unknown): boolean {
  return isRelayError(err) && err.retryable;
}

/** Copies `parts` with up to `concurrency` in flight; see the module comment. */
export async function runParts(options: RunPartsOptions): Promise<RunPartsResult> {
  const done = new Map<number, number>();
  let error: unknown;
  let failed = false;
  let started = 0;
  let next = 0;

  const mayStart = (): boolean =>
    next < options.parts.length && !failed && (started === 0 || !options.expired());

  const worker = async (): Promise<void> => {
    while (mayStart()) {
      const partNumber = options.parts[next++];
      if (partNumber === undefined) return;
      started++;
      try {
        done.set(partNumber, await options.copy(partNumber));
      } catch (err) {
        if (!failed || (isRetryable(error) && !isRetryable(err))) error = err;
        failed = true;
      }
    }
  };

  const workers = Math.max(1, Math.min(options.concurrency, options.parts.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return failed ? { done, error } : { done };
}
