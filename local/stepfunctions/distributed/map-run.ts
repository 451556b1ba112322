/**
 * One map run at work: reads its child inputs back from disk in order and keeps at most `MaxConcurrency`
 * child executions running (capped locally at {@link LOCAL_MAX_CONCURRENCY}), counts what ended, and fails
 * with `States.ExceedToleratedFailureThreshold` once more items failed than tolerated — stopping the
 * running children and starting no more.
 *
 * Memory is flat in the number of items: one byte of state per child, the running children, and counters.
 * Inputs, outputs and the children's records and histories are on disk (store.ts, the execution store).
 *
 * Tolerance: only the thresholds that are set are checked (`ToleratedFailureCount`: failed items more than
 * the count; `ToleratedFailurePercentage`: failed items more than that share of all items); with neither
 * set, one failed item fails the map run. Failed items are those of FAILED and TIMED_OUT children, and of
 * children stopped by someone else than the map run.
 */
import { executionArn } from '../arn.ts';
import type { JsonValue } from '../library.ts';
import type { ExecutionRecord } from '../model.ts';
import { childName, childStateMachineName } from './arn.ts';
import {
  type ChildInput,
  type ChildLine,
  ChildState,
  type ChildStateCode,
  type MapRunRecord,
  type ProgressCounts,
  stateOf,
} from './model.ts';
import { collectOutputs, ResultWriterFailed, writeResults } from './results.ts';
import type { ChildRef, ChildRun, ChildRunner } from './runtime.ts';
import type { DistributedMapS3 } from './s3.ts';
import type { MapRunStore } from './store.ts';

/**
 * How many child executions of one map run the local engine runs at once, whatever `MaxConcurrency` says
 * (AWS runs up to 10,000): each child is an in-process run of the processor, so more would only queue on
 * the one event loop.
 */
export const LOCAL_MAX_CONCURRENCY = 100;

/** The error and cause AWS fails a map run with once failures exceed what it tolerates. */
export const EXCEEDED_ERROR = 'States.ExceedToleratedFailureThreshold';
export const EXCEEDED_CAUSE = 'The specified tolerated failure threshold was exceeded';

/** How often a running map run's record (its counts) is rewritten at most. */
const SAVE_INTERVAL_MS = 500;

export interface MapRunDeps {
  readonly store: MapRunStore;
  readonly s3: DistributedMapS3 | undefined;
  readonly accountId: string;
}

export type MapRunOutcome =
  | { readonly status: 'succeeded'; readonly output: JsonValue }
  | { readonly status: 'failed'; readonly error: string; readonly cause: string }
  | { readonly status: 'aborted' }
  /** The service closed: the map run stays RUNNING on disk and continues when the parent resumes. */
  | { readonly status: 'closed' };

const COUNTER: Readonly<Record<ChildStateCode, keyof ProgressCounts>> = {
  [ChildState.PENDING]: 'pending',
  [ChildState.RUNNING]: 'running',
  [ChildState.SUCCEEDED]: 'succeeded',
  [ChildState.FAILED]: 'failed',
  [ChildState.TIMED_OUT]: 'timedOut',
  [ChildState.ABORTED]: 'aborted',
  [ChildState.PENDING_REDRIVE]: 'pendingRedrive',
};

type Stop =
  | { readonly kind: 'failed'; readonly error: string; readonly cause: string }
  | { readonly kind: 'aborted' | 'closed' };

export class MapRun {
  /** One byte per child (model.ts `ChildState`). */
  private states: Uint8Array;
  /** Running children: index → execution ARN. */
  private readonly running = new Map<number, string>();
  /** Children the map run itself stopped (their ABORTED is no failure). */
  private readonly ownAborts = new Set<number>();
  /** Items of children someone else stopped (failures). */
  private foreignAbortedItems = 0;
  private stop: Stop | undefined;
  private waiters: Array<() => void> = [];
  private saveTimer: NodeJS.Timeout | undefined;
  private runner: ChildRunner | undefined;

  constructor(
    private readonly deps: MapRunDeps,
    readonly record: MapRunRecord,
    states?: Uint8Array,
  ) {
    this.states = states ?? new Uint8Array(record.childCount);
  }

  /** Rebuilds a map run from its files (after a restart, or to redrive it): each child's last known state. */
  static async load(deps: MapRunDeps, record: MapRunRecord): Promise<MapRun> {
    const states = new Uint8Array(record.childCount);
    const items = new Uint32Array(record.childCount);
    for await (const { line } of deps.store.children(record)) {
      if (line.i >= states.length) continue;
      states[line.i] = stateOf(line.status);
      items[line.i] = line.items;
    }
    const run = new MapRun(deps, record, states);
    run.recount(items);
    return run;
  }

  /** The counts from the states (children never started count with the items not accounted for). */
  private recount(items: Uint32Array): void {
    const { record } = this;
    const executions = { ...record.executionCounts, pending: 0, running: 0, succeeded: 0, failed: 0 };
    const byItem = { ...record.itemCounts, pending: 0, running: 0, succeeded: 0, failed: 0 };
    for (const counts of [executions, byItem]) {
      counts.timedOut = 0;
      counts.aborted = 0;
      counts.pendingRedrive = 0;
    }
    let accounted = 0;
    this.states.forEach((code, index) => {
      const key = COUNTER[code as ChildStateCode];
      executions[key] += 1;
      if (code !== ChildState.PENDING) {
        byItem[key] += items[index] ?? 0;
        accounted += items[index] ?? 0;
      }
    });
    byItem.pending = Math.max(0, record.itemCount - accounted);
    executions.total = record.childCount;
    byItem.total = record.itemCount;
    record.executionCounts = executions;
    record.itemCounts = byItem;
  }

  private move(index: number, to: ChildStateCode, items: number): void {
    const from = (this.states[index] ?? ChildState.PENDING) as ChildStateCode;
    const { executionCounts, itemCounts } = this.record;
    executionCounts[COUNTER[from]] -= 1;
    itemCounts[COUNTER[from]] -= items;
    executionCounts[COUNTER[to]] += 1;
    itemCounts[COUNTER[to]] += items;
    this.states[index] = to;
  }

  /** The state of child `index`. */
  stateOf(index: number): ChildStateCode {
    return (this.states[index] ?? ChildState.PENDING) as ChildStateCode;
  }

  get isActive(): boolean {
    return this.runner !== undefined;
  }

  /** The children's inputs are on disk: sizes the per-child state. */
  itemsRead(itemCount: number, childCount: number): void {
    const { record } = this;
    record.itemCount = itemCount;
    record.childCount = childCount;
    record.itemsComplete = true;
    this.states = new Uint8Array(childCount);
    record.executionCounts = { ...record.executionCounts, total: childCount, pending: childCount };
    record.itemCounts = { ...record.itemCounts, total: itemCount, pending: itemCount };
    this.saveNow();
  }

  /** Starts a redrive: one more redrive, RUNNING again, its end forgotten (see {@link markForRedrive}). */
  beginRedrive(): void {
    const { record } = this;
    record.redriveCount += 1;
    record.redriveDate = new Date().toISOString();
    record.status = 'RUNNING';
    delete record.stopDate;
    delete record.error;
    delete record.cause;
    delete record.resultWriterDetails;
  }

  /**
   * Ends a map run the service stopped while it was still reading its items (it cannot continue: its
   * parent starts a new one).
   */
  abandon(): void {
    this.record.status = 'ABORTED';
    this.record.stopDate = new Date().toISOString();
    this.record.error = 'States.Runtime';
    this.record.cause = 'The local Step Functions stopped while this map run was reading its items.';
    this.saveNow();
  }

  /** Marks every unsuccessful child PENDING_REDRIVE (their item counts from the children log). */
  async markForRedrive(): Promise<void> {
    const items = new Uint32Array(this.states.length);
    for await (const { line } of this.deps.store.children(this.record)) {
      if (line.i < items.length) items[line.i] = line.items;
    }
    this.states.forEach((code, index) => {
      if (code === ChildState.FAILED || code === ChildState.TIMED_OUT || code === ChildState.ABORTED) {
        this.move(index, ChildState.PENDING_REDRIVE, items[index] ?? 0);
      }
    });
    this.saveNow();
  }

  /** Changes the settings of the map run (UpdateMapRun); a lowered threshold is checked at once. */
  update(changes: {
    maxConcurrency?: number | undefined;
    toleratedFailurePercentage?: number | undefined;
    toleratedFailureCount?: number | undefined;
  }): void {
    const { record } = this;
    if (changes.maxConcurrency !== undefined) record.maxConcurrency = changes.maxConcurrency;
    if (changes.toleratedFailurePercentage !== undefined) {
      record.toleratedFailurePercentage = changes.toleratedFailurePercentage;
    }
    if (changes.toleratedFailureCount !== undefined)
      record.toleratedFailureCount = changes.toleratedFailureCount;
    this.saveNow();
    if (this.isActive && record.status === 'RUNNING' && this.exceeded()) void this.exceed();
    this.wake();
  }

  private limit(): number {
    const max = this.record.maxConcurrency;
    return max > 0 ? Math.min(max, LOCAL_MAX_CONCURRENCY) : LOCAL_MAX_CONCURRENCY;
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!ready()) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private failedItems(): number {
    const counts = this.record.itemCounts;
    return counts.failed + counts.timedOut + this.foreignAbortedItems;
  }

  private exceeded(): boolean {
    const { toleratedFailureCount: count, toleratedFailurePercentage: percentage, itemCount } = this.record;
    const failed = this.failedItems();
    if (count === undefined && percentage === undefined) return failed > 0;
    if (count !== undefined && failed > count) return true;
    return percentage !== undefined && itemCount > 0 && (failed * 100) / itemCount > percentage;
  }

  /** Fails the map run: starts no more children and stops the running ones. */
  private async exceed(): Promise<void> {
    if (this.stop) return;
    this.stop = { kind: 'failed', error: EXCEEDED_ERROR, cause: EXCEEDED_CAUSE };
    await this.stopChildren();
  }

  private async stopChildren(): Promise<void> {
    const runner = this.runner;
    if (!runner) return;
    this.wake();
    await Promise.all(
      [...this.running].map(async ([index, arn]) => {
        this.ownAborts.add(index);
        await runner
          .stop(arn, 'States.Aborted', `The map run ${this.record.mapRunArn} stopped its child executions.`)
          .catch(() => undefined);
      }),
    );
  }

  /** The parent stopped (or the service is closing). */
  private abort(): void {
    if (this.runner?.closing) {
      this.stop = { kind: 'closed' };
      this.wake();
      return;
    }
    if (this.stop?.kind === 'aborted') return;
    this.stop = { kind: 'aborted' };
    void this.stopChildren();
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = undefined;
      this.deps.store.save(this.record);
    }, SAVE_INTERVAL_MS);
    this.saveTimer.unref();
  }

  private saveNow(): void {
    if (this.saveTimer) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    this.deps.store.save(this.record);
  }

  private ref(index: number): ChildRef {
    const { record } = this;
    const stateMachineName = childStateMachineName(record.stateMachineName, record.label);
    const name = childName(record.id, index);
    return {
      executionArn: executionArn(record.region, this.deps.accountId, stateMachineName, name),
      region: record.region,
      stateMachineName,
      name,
    };
  }

  private newChild(ref: ChildRef, input: JsonValue): ExecutionRecord {
    const { record } = this;
    return {
      executionArn: ref.executionArn,
      stateMachineArn: record.stateMachineArn,
      stateMachineName: ref.stateMachineName,
      name: ref.name,
      region: record.region,
      roleArn: record.roleArn,
      definition: record.processorDefinition,
      input: JSON.stringify(input),
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      redriveCount: 0,
      mapRunArn: record.mapRunArn,
    };
  }

  /** Starts (or redrives, or continues) one child; returns once it runs. */
  private async launch(child: ChildInput, from: ChildStateCode, runner: ChildRunner): Promise<void> {
    const ref = this.ref(child.index);
    this.running.set(child.index, ref.executionArn);
    let run: ChildRun;
    try {
      if (from === ChildState.PENDING) run = runner.start(this.newChild(ref, child.input));
      else if (from === ChildState.PENDING_REDRIVE) run = await runner.redrive(ref);
      else run = (await runner.resume(ref)) ?? runner.start(this.newChild(ref, child.input));
    } catch (error) {
      // Its record is gone or unreadable: the child fails, and the map run goes on as AWS would.
      const now = Date.now();
      this.running.delete(child.index);
      this.ended(child, {
        ...this.newChild(ref, child.input),
        status: 'FAILED',
        stopDate: new Date(now).toISOString(),
        error: 'States.Runtime',
        cause: `The child execution could not be run: ${error instanceof Error ? error.message : String(error)}`,
      });
      return;
    }
    const started = run.started;
    this.move(child.index, ChildState.RUNNING, child.items);
    this.deps.store.logChild(this.record, {
      i: child.index,
      status: 'RUNNING',
      start: Date.parse(started.startDate),
      items: child.items,
      redriveCount: started.redriveCount,
      ...(started.redriveDate ? { redriveDate: Date.parse(started.redriveDate) } : {}),
    });
    this.scheduleSave();
    void run.ended.then(
      (ended) => {
        this.running.delete(child.index);
        if (ended) this.ended(child, ended);
        this.wake();
      },
      () => {
        this.running.delete(child.index);
        this.wake();
      },
    );
  }

  private ended(child: ChildInput, ended: ExecutionRecord): void {
    const status = ended.status === 'RUNNING' ? 'ABORTED' : ended.status;
    const code = stateOf(status);
    this.move(child.index, code, child.items);
    if (code === ChildState.SUCCEEDED) {
      this.record.executionCounts.resultsWritten += 1;
      this.record.itemCounts.resultsWritten += child.items;
    }
    const own = this.ownAborts.delete(child.index);
    if (code === ChildState.ABORTED && !own) this.foreignAbortedItems += child.items;
    const line: ChildLine = {
      i: child.index,
      status,
      start: Date.parse(ended.startDate),
      ...(ended.stopDate ? { stop: Date.parse(ended.stopDate) } : {}),
      items: child.items,
      redriveCount: ended.redriveCount,
      ...(ended.redriveDate ? { redriveDate: Date.parse(ended.redriveDate) } : {}),
      input: ended.input,
      ...(ended.output !== undefined ? { output: ended.output } : {}),
      ...(ended.error !== undefined ? { error: ended.error } : {}),
      ...(ended.cause !== undefined ? { cause: ended.cause } : {}),
    };
    this.deps.store.logChild(this.record, line);
    this.scheduleSave();
    if (code !== ChildState.SUCCEEDED && !own && this.exceeded()) void this.exceed();
  }

  /** Runs the children that have not succeeded, in order; resolves once none runs. */
  private async dispatch(runner: ChildRunner): Promise<void> {
    for await (const child of this.deps.store.items(this.record)) {
      if (this.stop) break;
      const from = this.stateOf(child.index);
      const runnable =
        from === ChildState.PENDING ||
        from === ChildState.PENDING_REDRIVE ||
        (from === ChildState.RUNNING && !this.running.has(child.index));
      if (!runnable) continue;
      await this.until(() => this.stop !== undefined || this.running.size < this.limit());
      if (this.stop) break;
      await this.launch(child, from, runner);
    }
    await this.until(() => this.running.size === 0);
  }

  /**
   * Runs the map run to its end. `prepare` (a new map run) reads the items first; a failure there fails the
   * map run with its error. The parent's `signal` aborts it.
   */
  async run(runner: ChildRunner, signal: AbortSignal, prepare?: () => Promise<void>): Promise<MapRunOutcome> {
    this.runner = runner;
    this.stop = undefined;
    const onAbort = (): void => this.abort();
    if (signal.aborted) this.abort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (prepare && !this.stop) {
        try {
          await prepare();
        } catch (error) {
          if (this.stop) return this.end();
          const failure = error instanceof Error ? error : new Error(String(error));
          return this.finishFailed(failure.name, failure.message);
        }
      }
      if (!this.stop) await this.dispatch(runner);
      else await this.until(() => this.running.size === 0);
      return await this.end();
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.runner = undefined;
    }
  }

  private async end(): Promise<MapRunOutcome> {
    const stop = this.stop;
    if (stop?.kind === 'closed') {
      if (this.saveTimer) clearTimeout(this.saveTimer);
      await this.deps.store.flush(this.record);
      return { status: 'closed' };
    }
    if (stop?.kind === 'aborted') {
      this.record.status = 'ABORTED';
      this.record.stopDate = new Date().toISOString();
      this.saveNow();
      await this.deps.store.release(this.record);
      return { status: 'aborted' };
    }
    let details: { Bucket: string; Key: string } | undefined;
    if (this.record.resultWriter) {
      try {
        await this.deps.store.flush(this.record);
        details = await writeResults(this.deps.store, this.deps.s3, this.record, this.deps.accountId);
        this.record.resultWriterDetails = details;
      } catch (error) {
        if (!(error instanceof ResultWriterFailed)) throw error;
        return this.finishFailed(error.name, error.message);
      }
    }
    if (stop?.kind === 'failed') return this.finishFailed(stop.error, stop.cause);
    this.record.status = 'SUCCEEDED';
    this.record.stopDate = new Date().toISOString();
    this.saveNow();
    await this.deps.store.release(this.record);
    if (details)
      return {
        status: 'succeeded',
        output: { MapRunArn: this.record.mapRunArn, ResultWriterDetails: details },
      };
    return {
      status: 'succeeded',
      output: await collectOutputs(this.deps.store, this.record, this.deps.accountId),
    };
  }

  private async finishFailed(error: string, cause: string): Promise<MapRunOutcome> {
    this.record.status = 'FAILED';
    this.record.stopDate = new Date().toISOString();
    this.record.error = error;
    this.record.cause = cause;
    this.saveNow();
    await this.deps.store.release(this.record);
    return { status: 'failed', error, cause };
  }
}
