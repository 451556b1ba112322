/**
 * The cap on how many relay executions a per-object replay has running at once (`--max-in-flight`).
 *
 * Before each start the replay calls `admit()`, which returns once fewer than `max` of the executions it
 * was told about are still RUNNING and reserves the slot before it returns, so parallel starts cannot
 * overshoot. Then `started(arn)` gives the slot to the execution that now runs, or `release()` gives it
 * back when nothing runs (a refused start, or a name whose execution had already ended).
 *
 * While the window is full it asks DescribeExecution about the executions it has gone longest without
 * asking about (the oldest first, since they are the likeliest to have ended), at most `perRound` of them
 * a round, and forgets every one that is no longer RUNNING (or no longer exists). A round starts at least
 * `pollIntervalMs` after the one before, so a big window never bursts DescribeExecution: its sustained
 * quota is 10 calls a second per account and region (15 in the largest regions).
 */
import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** Relay executions a per-object replay has running at once unless `--max-in-flight` says otherwise. */
export const DEFAULT_MAX_IN_FLIGHT = 200;

/** DescribeExecution calls a round at most. */
export const DESCRIBES_PER_ROUND = 10;

export interface InFlightOptions {
  /**
   * Least time from one round of DescribeExecution calls to the next, in milliseconds.
   * @default 1000
   */
  readonly pollIntervalMs?: number;
  /**
   * DescribeExecution calls a round at most.
   * @default DESCRIBES_PER_ROUND
   */
  readonly perRound?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class InFlightWindow {
  /** The executions taken for running, the one asked about longest ago first. */
  readonly #running = new Set<string>();
  /** Slots admitted whose start has not answered yet. */
  #reserved = 0;
  /** The round under way, which every waiting `admit()` shares. */
  #round: Promise<void> | undefined;
  #lastRoundAt: number | undefined;
  /** Resolves waiters when a reservation turns into an execution or is given back. */
  #changed: Promise<void> | undefined;
  #notifyChanged: (() => void) | undefined;
  readonly #pollIntervalMs: number;
  readonly #perRound: number;

  /** @param max executions running at once at most; 0: no cap (nothing is tracked or described) */
  constructor(
    private readonly sfn: SFNClient,
    readonly max: number,
    options: InFlightOptions = {},
  ) {
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#perRound = Math.max(1, options.perRound ?? DESCRIBES_PER_ROUND);
  }

  /** Executions taken for running plus slots reserved for starts under way. */
  get size(): number {
    return this.#reserved + this.#running.size;
  }

  /** Whether the next `admit()` has to wait. */
  get full(): boolean {
    return this.max > 0 && this.size >= this.max;
  }

  /** Waits for a free slot and reserves it. */
  async admit(): Promise<void> {
    if (this.max === 0) return;
    while (this.size >= this.max) await this.#makeRoom();
    this.#reserved += 1;
  }

  /** The admitted start runs `executionArn` (started now, or still running from an earlier replay). */
  started(executionArn: string): void {
    if (this.max === 0) return;
    this.#reserved = Math.max(0, this.#reserved - 1);
    this.#running.add(executionArn);
    this.#notify();
  }

  /** The admitted start runs nothing: its slot is free again. */
  release(): void {
    if (this.max === 0) return;
    this.#reserved = Math.max(0, this.#reserved - 1);
    this.#notify();
  }

  #makeRoom(): Promise<void> {
    // Only reservations: nothing to ask about until a start answers.
    if (this.#running.size === 0) {
      this.#changed ??= new Promise((resolve) => {
        this.#notifyChanged = resolve;
      });
      return this.#changed;
    }
    this.#round ??= this.#check().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  #notify(): void {
    this.#notifyChanged?.();
    this.#changed = undefined;
    this.#notifyChanged = undefined;
  }

  /** One round: DescribeExecution the executions asked about longest ago; forget those that ended. */
  async #check(): Promise<void> {
    if (this.#lastRoundAt !== undefined) {
      // Always through the timer queue, so a round that found nothing never spins.
      await sleep(Math.max(0, this.#lastRoundAt + this.#pollIntervalMs - Date.now()));
    }
    this.#lastRoundAt = Date.now();
    const batch = [...this.#running].slice(0, this.#perRound);
    const running = await Promise.all(batch.map((arn) => this.#isRunning(arn)));
    batch.forEach((arn, i) => {
      this.#running.delete(arn);
      // Still running: to the back, so one long execution does not hide the others that ended.
      if (running[i]) this.#running.add(arn);
    });
  }

  async #isRunning(executionArn: string): Promise<boolean> {
    try {
      const described = await this.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING';
    } catch (err) {
      if (err instanceof Error && err.name === 'ExecutionDoesNotExist') return false;
      throw err;
    }
  }
}
