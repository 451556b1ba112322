/** An abortable pause that also works past Node's 24.8-day timer limit. */
import { BranchAbortedError } from './errors.ts';

const MAX_TIMER_MS = 2 ** 31 - 1;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new BranchAbortedError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new BranchAbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Waits `ms` milliseconds; rejects with {@link BranchAbortedError} when `signal` aborts first. */
export async function sleep(ms: number, signal: AbortSignal): Promise<void> {
  let remaining = Math.max(0, ms);
  do {
    const chunk = Math.min(remaining, MAX_TIMER_MS);
    await pause(chunk, signal);
    remaining -= chunk;
  } while (remaining > 0);
}
