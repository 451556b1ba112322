/**
 * The executions of the local Step Functions: start, stop, redrive, describe, list, history — durable like
 * Standard workflows on AWS:
 *
 * - **A crash (or a stop) of the local stack does not end an execution.** Closing the service stops the runs
 *   without recording anything; a service that loads an execution still RUNNING continues it by itself from
 *   what the engine recorded — the top-level state that was running, with its input, and the outputs of the
 *   iterations of a top-level inline Map that had succeeded (the redrive point, see run.ts). Work that was in
 *   flight (a Task, a Map iteration, a Wait) runs again from its start; the relay's steps are idempotent.
 *   Tasks of a resumed run wait for their handlers, which a restarted stack registers after loading.
 * - **A resume is not a redrive.** The execution stays RUNNING throughout; `redriveCount`, `redriveDate` and
 *   `$$.Execution.RedriveCount` are unchanged and no event marks the resume: the history simply continues
 *   with the next id, the re-entered state's `…StateEntered` following the last event recorded before the
 *   crash (AWS has no event type for "the service restarted", and every event type used is one AWS has, so
 *   GetExecutionHistory stays valid for the SDK and the AWS CLI). A history line a crash cut short is
 *   dropped first (store.ts).
 * - **What ended stays ended.** StartExecution, StopExecution and RedriveExecution answer only once their
 *   record is on disk; an execution whose history ends with its terminal event is not run again even when
 *   the crash lost the record's last write — the record is rebuilt from that event.
 * - **Finished executions live on disk, not in memory**: once an execution has ended (and its end is on
 *   disk) it leaves the entries for the ended index, on disk (ended-index.ts: what ListExecutions shows of
 *   it), and DescribeExecution, GetExecutionHistory and RedriveExecution read its record and history back
 *   from disk. A redrive makes it RUNNING again: it returns to the entries, keeping its place in the list.
 * - **A Distributed Map's children** are executions like any other while they run; once ended they are not
 *   even summarised here (a map run may have 100,000): their map run lists them (distributed/), and
 *   DescribeExecution / GetExecutionHistory read them from disk by their ARN. Their map run starts,
 *   redrives and continues them; RedriveExecution of a child itself is refused (AWS: REDRIVABLE_BY_MAP_RUN).
 */
import { randomUUID } from 'node:crypto';
import { executionArn, isValidName, parseExecutionArn, parseStateMachineArn } from './arn.ts';
import { compileScope } from './compile.ts';
import { parseDefinition } from './definition.ts';
import { isChildStateMachineName } from './distributed/arn.ts';
import type { MapRuns } from './distributed/map-runs.ts';
import { attachRuntime, type ChildRef, type ChildRun, type ChildRunner } from './distributed/runtime.ts';
import type { EndedExecutions, EndedIndex } from './ended-index.ts';
import {
  executionAlreadyExists,
  executionDoesNotExist,
  executionNotRedrivable,
  invalidArn,
  invalidExecutionInput,
  invalidName,
} from './errors.ts';
import {
  type HistoryOptions,
  historyPage,
  type ListExecutionsOptions,
  listExecutions,
} from './execution-queries.ts';
import { describeExecution, redriveStatus } from './execution-view.ts';
import {
  ExecutionHistory,
  type HistoryEventOutput,
  historyLimitCause,
  MAX_HISTORY_EVENTS,
} from './history.ts';
import type { LaneOutcome } from './lane.ts';
import {
  type ExecutionRecord,
  type ExecutionRef,
  type ExecutionStatus,
  type ExecutionSummary,
  type RedrivePoint,
  type StateMachineRecord,
  type StoredEvent,
  summarize,
} from './model.ts';
import type { TaskHandlerRegistry } from './resources.ts';
import { ExecutionRun } from './run.ts';
import type { StateMachineRegistry } from './state-machines.ts';
import { ENDED_INDEX_DIR, type StepFunctionsStore } from './store.ts';
import { MAX_PAYLOAD_BYTES } from './task-invoker.ts';
import type { TaskTokens } from './task-tokens.ts';

interface Entry {
  /** What ListExecutions shows. */
  summary: ExecutionSummary;
  /** The order the service came to know the execution in: among equal start times, the later is listed first. */
  seq: number;
  /** The whole record, kept only while the execution runs. */
  record?: ExecutionRecord | undefined;
  /** The history, kept only while the execution runs. */
  history?: ExecutionHistory | undefined;
  run?: ExecutionRun | undefined;
  runId: number;
  done?: Promise<void>;
  waiters: Array<() => void>;
  /**
   * A Distributed Map's child execution: its map run is told when it ends, and it leaves the entries then
   * (children are listed through their map run, and read back from disk when asked for).
   */
  child?: { ended(record: ExecutionRecord | undefined): void };
}

/** How the terminal events of a history end an execution. */
const TERMINAL_EVENTS: Readonly<Record<string, Exclude<ExecutionStatus, 'RUNNING'>>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};

export interface StartExecutionInput {
  readonly stateMachineArn: string;
  readonly input?: string | undefined;
  readonly name?: string | undefined;
}

export interface ExecutionManagerOptions {
  readonly store: StepFunctionsStore;
  readonly machines: StateMachineRegistry;
  readonly registry: TaskHandlerRegistry;
  /** The task tokens of waiting callback Tasks (shared with the service's SendTask* operations). */
  readonly tokens: TaskTokens;
  readonly timeScale: number;
  readonly accountId: string;
  /** The history quota; lowerable for tests. @default {@link MAX_HISTORY_EVENTS} */
  readonly maxHistoryEvents?: number;
  /**
   * Told when an execution ends, once its record is on disk (so DescribeExecution sees the end) — where
   * AWS sends the "Step Functions Execution Status Change" event to EventBridge.
   */
  readonly onExecutionEnded?: (summary: ExecutionSummary) => void;
  /** The map runs of Distributed Map states (distributed/); without them such a state cannot run. */
  readonly mapRuns?: MapRuns;
  /** Where the ended top-level executions are listed from (opened by the caller, filled by {@link ExecutionManager.load}). */
  readonly ended: EndedIndex;
}

function checkInput(text: string): void {
  try {
    JSON.parse(text);
  } catch (error) {
    throw invalidExecutionInput(`the input must be JSON: ${(error as Error).message}`);
  }
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_PAYLOAD_BYTES) {
    throw invalidExecutionInput(`the input is ${bytes} bytes, more than the ${MAX_PAYLOAD_BYTES} allowed`);
  }
}

/** A record redriven: RUNNING again, one more redrive, its end forgotten. */
function markRedriven(record: ExecutionRecord): void {
  record.redriveCount += 1;
  record.redriveDate = new Date().toISOString();
  record.status = 'RUNNING';
  delete record.stopDate;
  delete record.output;
  delete record.error;
  delete record.cause;
}

export class ExecutionManager {
  /** The executions running, and those that ended until their end is on disk (then they go to `ended`). */
  private readonly entries = new Map<string, Entry>();
  /** The ended top-level executions, on disk (Distributed Map children are listed by their map run). */
  private readonly ended: EndedIndex;
  /** The `seq` of the last execution the service came to know. */
  private lastSeq = 0;
  /** StartExecution calls in progress, by ARN: one with the same ARN waits for the one before. */
  private readonly starting = new Map<string, Promise<unknown>>();
  private closed = false;
  /** Executions a previous process left RUNNING, loaded but not continued yet (`load({ defer: true })`). */
  private readonly toResume: Array<[Entry, ExecutionRecord]> = [];

  private readonly maxHistoryEvents: number;

  constructor(private readonly options: ExecutionManagerOptions) {
    this.maxHistoryEvents = options.maxHistoryEvents ?? MAX_HISTORY_EVENTS;
    this.ended = options.ended;
  }

  /**
   * The history of a running execution, persisted as it grows and bounded like AWS's: the event that would
   * take the last place fails the execution instead (`States.Runtime`), the ExecutionFailed event taking it.
   */
  private liveHistory(entry: Entry, record: ExecutionRecord, events: StoredEvent[]): ExecutionHistory {
    const history: ExecutionHistory = new ExecutionHistory(
      events,
      (event) => this.options.store.appendEvent(record, event),
      { maxEvents: this.maxHistoryEvents, onReached: () => this.historyLimitReached(entry, history) },
    );
    return history;
  }

  /** Fails a running execution whose history reached the quota, as a stop would end it. */
  private historyLimitReached(entry: Entry, history: ExecutionHistory): void {
    const record = entry.record;
    if (entry.summary.status !== 'RUNNING' || !record) return;
    entry.run?.stop();
    entry.run = undefined;
    entry.runId += 1;
    record.historyLimitReached = true;
    this.end(entry, history, 'FAILED', {
      error: 'States.Runtime',
      cause: historyLimitCause(this.maxHistoryEvents),
    });
    entry.done = (entry.done ?? Promise.resolve()).then(() => this.settle(entry));
  }

  /**
   * Loads every execution; continues the ones a previous process left RUNNING — at once, or with `defer`
   * only when {@link resumeLoaded} is called (once the caller has registered its task handlers: a resumed
   * run may start new executions, a backfill's relays, whose Tasks would otherwise find no handler yet).
   */
  async load(options: { readonly defer?: boolean } = {}): Promise<void> {
    // One record at a time: only the RUNNING ones are kept; the ended ones go to the index in batches.
    let added: Promise<void> = Promise.resolve();
    let failure: unknown;
    await this.options.store.forEachExecution((record) => {
      const seq = ++this.lastSeq;
      if (record.status !== 'RUNNING') {
        added = this.ended.add(summarize(record), seq).catch((error: unknown) => {
          failure ??= error;
        });
        return;
      }
      const entry: Entry = { summary: summarize(record), seq, runId: 0, waiters: [] };
      this.entries.set(record.executionArn, entry);
      this.toResume.push([entry, record]);
    });
    await added; // the last batch: the ones before it were written first
    if (failure !== undefined) {
      throw new Error(`could not list the ended executions in ${ENDED_INDEX_DIR}/: ${String(failure)}`, {
        cause: failure,
      });
    }
    if (options.defer !== true) await this.resumeLoaded();
  }

  /** Continues the executions {@link load} found RUNNING and has not continued yet. */
  async resumeLoaded(): Promise<void> {
    for (const [entry, record] of this.toResume.splice(0)) {
      if (this.closed) return;
      await this.resume(entry, record);
    }
    await this.options.store.flush();
  }

  /**
   * Continues an execution a previous process left RUNNING, from its redrive point, without counting a
   * redrive — unless its history shows it had ended (the record's last write was lost): then the record is
   * completed from the terminal event.
   */
  private async resume(entry: Entry, record: ExecutionRecord): Promise<void> {
    const events = await this.options.store.repairHistory(record);
    const history = this.liveHistory(entry, record, events);
    const last = events.at(-1);
    const ended = last === undefined ? undefined : TERMINAL_EVENTS[last.type];
    if (last !== undefined && ended !== undefined) {
      this.restoreEnd(record, ended, last);
      entry.summary = summarize(record);
      this.options.store.saveExecution(record);
      if (this.entries.get(record.executionArn) === entry) {
        if (await this.addEnded(entry)) this.entries.delete(record.executionArn);
      }
      return;
    }
    entry.record = record;
    entry.history = history;
    const startedId = events.length === 0 ? this.appendStarted(history, record) : history.lastId;
    this.launch(entry, history, startedId, record.redrivePoint, true);
  }

  /** Completes a record from the terminal event its history ends with. */
  private restoreEnd(
    record: ExecutionRecord,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    event: StoredEvent,
  ): void {
    record.status = status;
    record.stopDate = new Date(event.timestamp).toISOString();
    const details = event.details ?? {};
    if (status === 'SUCCEEDED' && typeof details.output === 'string') record.output = details.output;
    if (typeof details.error === 'string') record.error = details.error;
    if (typeof details.cause === 'string') record.cause = details.cause;
    if (status === 'FAILED' && event.id >= this.maxHistoryEvents) record.historyLimitReached = true;
  }

  /**
   * Stops every run without recording an end: the executions stay RUNNING on disk, and the next service on
   * this data directory continues them (as a crash would leave them). Waits for the data to be on disk.
   */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.entries.values()].filter((entry) => entry.summary.status === 'RUNNING');
    for (const entry of running) {
      entry.runId += 1; // the run's end is not this service's to record any more
      entry.run?.stop();
      entry.run = undefined;
      entry.child?.ended(undefined); // its map run stops too, and continues it on the next start
    }
    await Promise.all(running.map((entry) => entry.done));
    for (const entry of running) for (const wake of entry.waiters.splice(0)) wake();
    await this.options.store.flush();
  }

  private entry(arn: string): Entry {
    if (!parseExecutionArn(arn)) throw invalidArn(arn);
    const entry = this.entries.get(arn);
    if (!entry) throw executionDoesNotExist(arn);
    return entry;
  }

  /** The whole record: from memory while the execution runs, else from disk. */
  private async recordOf(entry: Entry): Promise<ExecutionRecord> {
    if (entry.record) return entry.record;
    const record = await this.options.store.readExecution(entry.summary);
    if (!record) throw executionDoesNotExist(entry.summary.executionArn);
    return entry.record ?? record;
  }

  /** The history: from memory while the execution runs, else read from disk (and not kept). */
  private async historyOf(entry: Entry): Promise<ExecutionHistory> {
    if (entry.history) return entry.history;
    const events = await this.options.store.readHistory(entry.summary);
    return entry.history ?? new ExecutionHistory(events, () => undefined);
  }

  private appendStarted(history: ExecutionHistory, record: ExecutionRecord): number {
    return (
      history.append('ExecutionStarted', 0, 'executionStartedEventDetails', {
        input: record.input,
        inputDetails: { truncated: false },
        roleArn: record.roleArn,
      }) ?? 1
    );
  }

  /**
   * StartExecution. The same name and input while RUNNING returns the running execution. Answers once the
   * execution is on disk, so a crash right after cannot lose it.
   */
  async start(input: StartExecutionInput): Promise<{ executionArn: string; startDate: Date }> {
    const machine = this.options.machines.get(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!isValidName(name)) throw invalidName(name);
    const inputText = input.input ?? '{}';
    checkInput(inputText);
    const arn = executionArn(machine.region, this.options.accountId, machine.name, name);
    // One at a time per ARN: whether an ended execution has the name is read from disk.
    for (let before = this.starting.get(arn); before; before = this.starting.get(arn)) {
      await before.catch(() => undefined);
    }
    const started = this.startOnce(machine, arn, name, inputText);
    this.starting.set(arn, started);
    try {
      return await started;
    } finally {
      if (this.starting.get(arn) === started) this.starting.delete(arn);
    }
  }

  private async startOnce(
    machine: StateMachineRecord,
    arn: string,
    name: string,
    inputText: string,
  ): Promise<{ executionArn: string; startDate: Date }> {
    const existing = this.entries.get(arn);
    if (existing) {
      if (existing.summary.status === 'RUNNING' && existing.record?.input === inputText) {
        return { executionArn: arn, startDate: new Date(existing.summary.startDate) };
      }
      throw executionAlreadyExists(arn);
    }
    // An ended execution of that name (not in memory; a redrive meanwhile would have put it back).
    const stored = await this.options.store.readExecution({
      region: machine.region,
      stateMachineName: machine.name,
      name,
    });
    if (stored || this.entries.has(arn)) throw executionAlreadyExists(arn);
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: machine.stateMachineArn,
      stateMachineName: machine.name,
      name,
      region: machine.region,
      roleArn: machine.roleArn,
      definition: machine.definition,
      input: inputText,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      redriveCount: 0,
    };
    const entry: Entry = { summary: summarize(record), seq: ++this.lastSeq, record, runId: 0, waiters: [] };
    const history = this.liveHistory(entry, record, []);
    entry.history = history;
    this.entries.set(arn, entry);
    const startedId = this.appendStarted(history, record);
    this.options.store.saveExecution(record);
    this.launch(entry, history, startedId, undefined, false);
    await this.options.store.flushExecution(record);
    return { executionArn: arn, startDate: new Date(record.startDate) };
  }

  private launch(
    entry: Entry,
    history: ExecutionHistory,
    parentEventId: number,
    from: RedrivePoint | undefined,
    resumed: boolean,
  ): void {
    const record = entry.record;
    if (!record) throw new Error(`record of ${entry.summary.executionArn} not loaded`);
    const run = new ExecutionRun({
      record,
      scope: compileScope(parseDefinition(record.definition), this.options.timeScale),
      history,
      registry: this.options.registry,
      tokens: this.options.tokens,
      timeScale: this.options.timeScale,
      redriveFrom: from,
      resumed,
      onProgress: () => this.options.store.saveExecution(record),
    });
    if (this.options.mapRuns) {
      attachRuntime(run, {
        record,
        accountId: this.options.accountId,
        mapRuns: this.options.mapRuns,
        runner: this.childRunner,
        carried: from,
        resumed,
        save: () => this.options.store.saveExecution(record),
      });
    }
    const runId = ++entry.runId;
    entry.run = run;
    entry.done = run.start(parentEventId).then((outcome) => this.finish(entry, history, runId, outcome));
  }

  private async finish(
    entry: Entry,
    history: ExecutionHistory,
    runId: number,
    outcome: LaneOutcome,
  ): Promise<void> {
    const { record } = entry;
    if (entry.runId !== runId || !record || record.status !== 'RUNNING') return;
    entry.run = undefined;
    if (outcome.status === 'succeeded') {
      const output = JSON.stringify(outcome.output);
      if (Buffer.byteLength(output) > MAX_PAYLOAD_BYTES) {
        this.end(entry, history, 'FAILED', {
          error: 'States.DataLimitExceeded',
          cause: `The execution output is larger than ${MAX_PAYLOAD_BYTES} bytes.`,
        });
      } else {
        record.output = output;
        this.end(entry, history, 'SUCCEEDED', { output });
      }
    } else if (outcome.status === 'failed') {
      this.end(entry, history, 'FAILED', { error: outcome.error, cause: outcome.cause });
    } else if (outcome.status === 'timed-out') {
      this.end(entry, history, 'TIMED_OUT', {
        error: 'States.Timeout',
        cause: "The execution ran longer than the state machine's TimeoutSeconds.",
      });
    } else {
      this.end(entry, history, 'ABORTED', { error: 'Local.Aborted', cause: 'The execution was aborted.' });
    }
    await this.settle(entry);
  }

  /** Records the end of the execution: status, dates, the terminal history event. */
  private end(
    entry: Entry,
    history: ExecutionHistory,
    status: Exclude<ExecutionStatus, 'RUNNING'>,
    details: { output?: string; error?: string | undefined; cause?: string | undefined },
    stoppedAt = Date.now(),
  ): void {
    const record = entry.record;
    if (!record) throw new Error(`record of ${entry.summary.executionArn} not loaded`);
    record.status = status;
    record.stopDate = new Date(stoppedAt).toISOString();
    if (details.error !== undefined) record.error = details.error;
    if (details.cause !== undefined) record.cause = details.cause;
    const errorDetails = {
      ...(details.error !== undefined ? { error: details.error } : {}),
      ...(details.cause !== undefined ? { cause: details.cause } : {}),
    };
    switch (status) {
      case 'SUCCEEDED':
        history.finish('ExecutionSucceeded', 'executionSucceededEventDetails', {
          output: details.output ?? 'null',
          outputDetails: { truncated: false },
        });
        break;
      case 'FAILED':
        history.finish('ExecutionFailed', 'executionFailedEventDetails', errorDetails);
        break;
      case 'TIMED_OUT':
        history.finish('ExecutionTimedOut', 'executionTimedOutEventDetails', errorDetails);
        break;
      default:
        history.finish('ExecutionAborted', 'executionAbortedEventDetails', errorDetails);
    }
    entry.summary = summarize(record);
    this.options.store.saveExecution(record);
  }

  /**
   * Once the record is on disk, wakes whoever waits for the execution to end, and lets go of its record and
   * history: a finished execution is read back from disk when asked for.
   */
  private async settle(entry: Entry): Promise<void> {
    const summary = entry.summary;
    const ended = summary.status !== 'RUNNING' ? entry.record : undefined;
    try {
      await this.options.store.flushExecution(summary);
      if (summary.status !== 'RUNNING' && !entry.child) this.options.onExecutionEnded?.(summary);
    } finally {
      if (entry.summary.status !== 'RUNNING') {
        entry.record = undefined;
        entry.history = undefined;
        const held = this.entries.get(summary.executionArn) === entry;
        // Into the index before out of the entries, so that a list in between finds it (held wins there).
        const indexed = held && !entry.child ? await this.addEnded(entry) : true;
        if (indexed && this.entries.get(summary.executionArn) === entry)
          this.entries.delete(summary.executionArn);
        if (entry.child) entry.child.ended(ended);
      }
      for (const wake of entry.waiters.splice(0)) wake();
    }
    if (entry.summary.status !== 'RUNNING') await this.options.store.releaseExecution(summary);
  }

  /**
   * Puts an ended execution into the index; `false` when the index could not take it — then it stays in the
   * entries (listed and found from memory) and the failure is reported on stderr.
   */
  private async addEnded(entry: Entry): Promise<boolean> {
    try {
      await this.ended.add(entry.summary, entry.seq);
      return true;
    } catch (error) {
      process.stderr.write(
        `relay local: could not index the ended execution ${entry.summary.executionArn} (kept in memory): ${String(error)}\n`,
      );
      return false;
    }
  }

  /** StopExecution: ABORTED with the given error and cause. Stopping an ended execution changes nothing. */
  async stop(arn: string, error?: string, cause?: string): Promise<{ stopDate: Date }> {
    const entry = await this.find(arn);
    const history = entry.history;
    if (entry.summary.status === 'RUNNING' && history) {
      entry.run?.stop();
      entry.run = undefined;
      entry.runId += 1;
      this.end(entry, history, 'ABORTED', { error, cause });
      entry.done = (entry.done ?? Promise.resolve()).then(() => this.settle(entry));
      // Answer once the stop is on disk: a crash right after must not continue the execution.
      await this.options.store.flushExecution(entry.summary);
    }
    return { stopDate: new Date(entry.summary.stopDate ?? Date.now()) };
  }

  /**
   * RedriveExecution. Allowed for FAILED, ABORTED and TIMED_OUT executions within 14 days of their stop.
   * As in AWS the execution keeps its ARN, definition and input, `ExecutionRedriven` is appended to the same
   * history, and it continues from the top-level state that did not succeed, with that state's input; when
   * that state is an inline Map, only the iterations that did not succeed run again. Locally, states nested
   * deeper (inside an iteration or a Parallel branch) run again from their scope's start — the relay's steps
   * are idempotent, so work that already succeeded is a no-op.
   */
  async redrive(arn: string): Promise<{ redriveDate: Date }> {
    const entry = await this.find(arn);
    if (isChildStateMachineName(entry.summary.stateMachineName)) {
      throw executionNotRedrivable(
        arn,
        'it is a child workflow execution of a Distributed Map: redrive its parent execution, whose Map Run redrives it',
      );
    }
    const check = (entry: Entry): void => {
      const status = redriveStatus(entry.summary, this.options.machines.has(entry.summary.stateMachineArn));
      if (status.redriveStatus !== 'REDRIVABLE') {
        throw executionNotRedrivable(arn, status.redriveStatusReason ?? 'not redrivable');
      }
    };
    check(entry);
    await entry.done;
    const record = await this.recordOf(entry);
    const events = entry.history ? undefined : await this.options.store.repairHistory(entry.summary);
    const indexed = this.entries.has(arn) ? undefined : await this.endedOf(entry.summary).find(arn);
    // Another RedriveExecution may have started it while this one was reading.
    const held = this.entries.get(arn);
    if (held && held !== entry) check(held);
    check(entry);
    if (!held) {
      // Ended: it comes back from the ended index to the entries, keeping its place in the list (and leaves
      // the index below, once it runs: a list in between finds it held).
      if (indexed === undefined) throw executionDoesNotExist(arn);
      entry.seq = indexed.key.seq;
      this.entries.set(arn, entry);
    }
    const history = entry.history ?? this.liveHistory(entry, record, events ?? []);
    markRedriven(record);
    entry.record = record;
    entry.history = history;
    entry.summary = summarize(record);
    const redrivenId = history.reopen(record.redriveCount);
    this.options.store.saveExecution(record);
    this.launch(entry, history, redrivenId, record.redrivePoint, false);
    if (!held) await this.ended.remove(entry.summary);
    await this.options.store.flushExecution(record);
    return { redriveDate: new Date(record.redriveDate ?? Date.now()) };
  }

  /** DescribeExecution (a finished execution's record is read from disk). */
  async describe(arn: string): Promise<Record<string, unknown>> {
    const entry = await this.find(arn);
    const record = await this.recordOf(entry);
    if (record.mapRunArn === undefined) {
      return describeExecution(record, this.options.machines.has(record.stateMachineArn));
    }
    // A Distributed Map's child: redriven by its map run (REDRIVABLE_BY_MAP_RUN once it did not succeed).
    const { redriveStatusReason: _reason, ...described } = describeExecution(record, true);
    const unsuccessful = record.status !== 'RUNNING' && record.status !== 'SUCCEEDED';
    return {
      ...described,
      mapRunArn: record.mapRunArn,
      ...(unsuccessful
        ? { redriveStatus: 'REDRIVABLE_BY_MAP_RUN' }
        : { redriveStatusReason: `Execution is ${record.status} and cannot be redriven` }),
    };
  }

  /**
   * Resolves with the DescribeExecution answer once the execution is no longer RUNNING (or, when the service
   * closes first, as it stands then).
   */
  async waitFor(arn: string): Promise<Record<string, unknown>> {
    const entry = await this.find(arn);
    while (entry.summary.status === 'RUNNING' && !this.closed) {
      await new Promise<void>((resolve) => entry.waiters.push(resolve));
    }
    await entry.done;
    return this.describe(arn);
  }

  /** ListExecutions: newest first. */
  list(
    options: ListExecutionsOptions,
  ): Promise<{ executions: Record<string, unknown>[]; nextToken?: string }> {
    const machine = this.options.machines.get(options.stateMachineArn);
    const live = [...this.entries.values()];
    const ended = this.ended.of(machine.stateMachineArn, machine.name, machine.region);
    return listExecutions(live, ended, machine.stateMachineArn, options);
  }

  /** The ended executions of the summary's state machine. */
  private endedOf(summary: ExecutionSummary): EndedExecutions {
    return this.ended.of(summary.stateMachineArn, summary.stateMachineName, summary.region);
  }

  /** GetExecutionHistory, paged by event id. */
  async history(
    arn: string,
    options: HistoryOptions,
  ): Promise<{ events: HistoryEventOutput[]; nextToken?: string }> {
    const entry = await this.find(arn);
    return historyPage(await this.historyOf(entry), arn, options);
  }

  /** Forgets the ended executions of a deleted state machine (running ones finish first). */
  async forgetStateMachine(stateMachineArn: string): Promise<void> {
    const forgotten: ExecutionRef[] = [];
    for (const [arn, entry] of this.entries) {
      if (entry.summary.stateMachineArn !== stateMachineArn || entry.summary.status === 'RUNNING') continue;
      this.entries.delete(arn);
      forgotten.push(entry.summary);
    }
    for (const ref of forgotten) await this.options.store.deleteExecution(ref);
    const parts = parseStateMachineArn(stateMachineArn);
    if (parts) {
      const { region, name: stateMachineName } = parts;
      await this.ended.forget(stateMachineArn, (name) =>
        this.options.store.deleteExecution({ region, stateMachineName, name }),
      );
    }
  }

  /**
   * The execution `arn` names: an entry, or one that has ended, read from disk — an ended top-level
   * execution of the ended index, or a Distributed Map's child (finished children are not kept at all).
   */
  private async find(arn: string): Promise<Entry> {
    const known = this.entries.get(arn);
    if (known) return known;
    const parts = parseExecutionArn(arn);
    if (parts) {
      const record = await this.options.store.readExecution({
        region: parts.region,
        stateMachineName: parts.stateMachineName,
        name: parts.name,
      });
      const held = this.entries.get(arn); // it may have started running again meanwhile (a redrive)
      if (held) return held;
      const summary = record && summarize(record);
      const found = isChildStateMachineName(parts.stateMachineName)
        ? summary !== undefined
        : summary?.executionArn === arn && (await this.ended.has(summary));
      if (record && summary && found) return { summary, seq: 0, record, runId: 0, waiters: [] };
    }
    return this.entry(arn);
  }

  /** Runs the child executions of map runs (distributed/map-run.ts). */
  private readonly childRunner: ChildRunner = ((manager: ExecutionManager): ChildRunner => ({
    start: (record) => manager.startChild(record),
    redrive: (ref) => manager.redriveChild(ref),
    resume: (ref) => manager.resumeChild(ref),
    stop: async (arn, error, cause) => {
      if (manager.entries.has(arn)) await manager.stop(arn, error, cause);
    },
    get closing() {
      return manager.closed;
    },
  }))(this);

  /** An entry for a child execution, with the promise of its record once it has ended. */
  private childEntry(record: ExecutionRecord): { entry: Entry; ended: Promise<ExecutionRecord | undefined> } {
    let resolve!: (record: ExecutionRecord | undefined) => void;
    const ended = new Promise<ExecutionRecord | undefined>((done) => {
      resolve = done;
    });
    const entry: Entry = {
      summary: summarize(record),
      seq: ++this.lastSeq,
      record,
      runId: 0,
      waiters: [],
      child: { ended: resolve },
    };
    return { entry, ended };
  }

  /** Starts a child execution from its new record (not awaiting the disk: its map run logs it). */
  private startChild(record: ExecutionRecord): ChildRun {
    const { entry, ended } = this.childEntry(record);
    const history = this.liveHistory(entry, record, []);
    entry.history = history;
    this.entries.set(record.executionArn, entry);
    const startedId = this.appendStarted(history, record);
    this.options.store.saveExecution(record);
    this.launch(entry, history, startedId, undefined, false);
    return { started: { ...record }, ended };
  }

  /**
   * Redrives a child that did not succeed, as RedriveExecution would: same ARN, `ExecutionRedriven` in its
   * history, continuing from its top-level state that did not succeed.
   */
  private async redriveChild(ref: ChildRef): Promise<ChildRun> {
    const record = await this.options.store.readExecution(ref);
    if (!record) throw executionDoesNotExist(ref.executionArn);
    if (record.status === 'RUNNING') return this.resumeRecordedChild(record);
    const events = await this.options.store.repairHistory(ref);
    const { entry, ended } = this.childEntry(record);
    const history = this.liveHistory(entry, record, events);
    markRedriven(record);
    entry.history = history;
    entry.summary = summarize(record);
    this.entries.set(record.executionArn, entry);
    const redrivenId = history.reopen(record.redriveCount);
    this.options.store.saveExecution(record);
    this.launch(entry, history, redrivenId, record.redrivePoint, false);
    return { started: { ...record }, ended };
  }

  /**
   * Continues a child a previous process left RUNNING (as {@link resume} continues any execution); one whose
   * history shows it had ended is completed from its terminal event instead.
   */
  private async resumeChild(ref: ChildRef): Promise<ChildRun | undefined> {
    const record = await this.options.store.readExecution(ref);
    return record === undefined ? undefined : this.resumeRecordedChild(record);
  }

  private async resumeRecordedChild(record: ExecutionRecord): Promise<ChildRun> {
    if (record.status !== 'RUNNING') return { started: { ...record }, ended: Promise.resolve(record) };
    const events = await this.options.store.repairHistory(record);
    const last = events.at(-1);
    const endedAs = last === undefined ? undefined : TERMINAL_EVENTS[last.type];
    if (last !== undefined && endedAs !== undefined) {
      this.restoreEnd(record, endedAs, last);
      this.options.store.saveExecution(record);
      await this.options.store.releaseExecution(record);
      return { started: { ...record }, ended: Promise.resolve(record) };
    }
    const { entry, ended } = this.childEntry(record);
    const history = this.liveHistory(entry, record, events);
    entry.history = history;
    this.entries.set(record.executionArn, entry);
    const startedId = events.length === 0 ? this.appendStarted(history, record) : history.lastId;
    this.launch(entry, history, startedId, record.redrivePoint, true);
    return { started: { ...record }, ended };
  }
}
