/**
 * One call of a Task-like state's override (a Task attempt, a Map or Parallel run). The library calls the
 * override synchronously right after it logs `StateEntered`/`StateRetried`, before the lane has read that
 * log entry; the invocation waits (`acked`) until the lane has written its scheduled/started events, so
 * history order follows what happened.
 */
import { BranchAbortedError } from './errors.ts';
import type { JsonValue } from './library.ts';

export type InvocationOutcome =
  | { readonly ok: true; readonly output: JsonValue }
  | { readonly ok: false; readonly error: string; readonly cause: string };

export class Invocation {
  /** Aborted when the state times out, its branch or execution stops. */
  readonly controller = new AbortController();
  /** Resolves once the lane has logged the start of this invocation. */
  readonly acked: Promise<void>;
  /** Id of the last event the lane logged for the start (`TaskStarted`, `MapStateStarted`, …). */
  startedEventId = 0;
  outcome: InvocationOutcome | undefined;
  /** Stops following the parent's abort once this invocation is over (no listener piles up on it). */
  private readonly detach: () => void;
  private resolveAck!: () => void;
  private rejectAck!: (reason: unknown) => void;

  constructor(
    readonly stateName: string,
    readonly input: JsonValue,
    parentSignal: AbortSignal,
    /** For a Map: how many items it iterates over. */
    readonly length = 0,
  ) {
    this.acked = new Promise<void>((resolve, reject) => {
      this.resolveAck = resolve;
      this.rejectAck = reject;
    });
    // A cancelled invocation must not surface as an unhandled rejection when nobody awaits it any more.
    this.acked.catch(() => undefined);
    const follow = (): void => this.controller.abort();
    this.detach = () => parentSignal.removeEventListener('abort', follow);
    if (parentSignal.aborted) this.controller.abort();
    else parentSignal.addEventListener('abort', follow, { once: true });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  ack(startedEventId: number): void {
    this.startedEventId = startedEventId;
    this.resolveAck();
  }

  /** The lane ended without logging this invocation's start: the override must not run. */
  cancel(): void {
    this.detach();
    this.rejectAck(new BranchAbortedError());
  }

  succeed(output: JsonValue): void {
    this.detach();
    this.outcome = { ok: true, output };
  }

  fail(error: string, cause: string): void {
    this.detach();
    this.outcome = { ok: false, error, cause };
  }
}
