/**
 * The executions of the local Step Functions: start, stop, redrive, describe, list, history, and the
 * crash rule — an execution found RUNNING when the service starts (or still running when it closes) is
 * marked ABORTED with `Local.Interrupted`, which a redrive can continue.
 */
import { randomUUID } from 'node:crypto';
import { executionArn, isValidName, parseExecutionArn } from './arn.ts';
import { compileScope } from './compile.ts';
import { parseDefinition } from './definition.ts';
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
import { ExecutionHistory, type HistoryEventOutput } from './history.ts';
import type { LaneOutcome } from './lane.ts';
import type { ExecutionRecord, ExecutionStatus } from './model.ts';
import type { TaskHandlerRegistry } from './resources.ts';
import { ExecutionRun } from './run.ts';
import type { StateMachineRegistry } from './state-machines.ts';
import type { StepFunctionsStore } from './store.ts';
import { MAX_PAYLOAD_BYTES } from './task-invoker.ts';

export const INTERRUPTED_ERROR = 'Local.Interrupted';
export const INTERRUPTED_CAUSE =
  'The local stack stopped while this execution was running, as a crash would have left it. Redrive it to continue.';

interface Entry {
  readonly record: ExecutionRecord;
  history?: ExecutionHistory;
  run?: ExecutionRun | undefined;
  runId: number;
  done?: Promise<void>;
  waiters: Array<() => void>;
}

export interface StartExecutionInput {
  readonly stateMachineArn: string;
  readonly input?: string | undefined;
  readonly name?: string | undefined;
}

export interface ExecutionManagerOptions {
  readonly store: StepFunctionsStore;
  readonly machines: StateMachineRegistry;
  readonly registry: TaskHandlerRegistry;
  readonly timeScale: number;
  readonly accountId: string;
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

export class ExecutionManager {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: ExecutionManagerOptions) {}

  /** Loads every execution; marks the ones a previous process left RUNNING as interrupted. */
  async load(): Promise<void> {
    for (const record of await this.options.store.loadExecutions()) {
      const entry: Entry = { record, runId: 0, waiters: [] };
      this.entries.set(record.executionArn, entry);
      if (record.status === 'RUNNING') {
        const history = await this.historyOf(entry);
        const lastSeen = history.all.at(-1)?.timestamp;
        this.interrupt(entry, INTERRUPTED_ERROR, INTERRUPTED_CAUSE, lastSeen);
      }
    }
    await this.options.store.flush();
  }

  /** Stops every running execution as a crash would, then waits for the data to be on disk. */
  async close(): Promise<void> {
    const running = [...this.entries.values()].filter((entry) => entry.record.status === 'RUNNING');
    for (const entry of running) this.interrupt(entry, INTERRUPTED_ERROR, INTERRUPTED_CAUSE);
    await Promise.all(running.map((entry) => entry.done));
    await this.options.store.flush();
  }

  private entry(arn: string): Entry {
    if (!parseExecutionArn(arn)) throw invalidArn(arn);
    const entry = this.entries.get(arn);
    if (!entry) throw executionDoesNotExist(arn);
    return entry;
  }

  private async historyOf(entry: Entry): Promise<ExecutionHistory> {
    if (!entry.history) {
      const events = await this.options.store.readHistory(entry.record);
      entry.history ??= new ExecutionHistory(events, (event) =>
        this.options.store.appendEvent(entry.record, event),
      );
    }
    return entry.history;
  }

  /** StartExecution. The same name and input while RUNNING returns the running execution. */
  start(input: StartExecutionInput): { executionArn: string; startDate: Date } {
    const machine = this.options.machines.get(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!isValidName(name)) throw invalidName(name);
    const inputText = input.input ?? '{}';
    checkInput(inputText);
    const arn = executionArn(machine.region, this.options.accountId, machine.name, name);
    const existing = this.entries.get(arn);
    if (existing) {
      if (existing.record.status === 'RUNNING' && existing.record.input === inputText) {
        return { executionArn: arn, startDate: new Date(existing.record.startDate) };
      }
      throw executionAlreadyExists(arn);
    }
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
    const entry: Entry = { record, runId: 0, waiters: [] };
    entry.history = new ExecutionHistory([], (event) => this.options.store.appendEvent(record, event));
    this.entries.set(arn, entry);
    const startedId = entry.history.append('ExecutionStarted', 0, 'executionStartedEventDetails', {
      input: inputText,
      inputDetails: { truncated: false },
      roleArn: record.roleArn,
    });
    this.options.store.saveExecution(record);
    this.launch(entry, entry.history, startedId ?? 1);
    return { executionArn: arn, startDate: new Date(record.startDate) };
  }

  private launch(entry: Entry, history: ExecutionHistory, parentEventId: number): void {
    const { record } = entry;
    const redriveFrom = record.redriveCount > 0 ? record.redrivePoint : undefined;
    const run = new ExecutionRun({
      record,
      scope: compileScope(parseDefinition(record.definition), this.options.timeScale),
      history,
      registry: this.options.registry,
      timeScale: this.options.timeScale,
      redriveFrom,
      onProgress: () => this.options.store.saveExecution(record),
    });
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
    if (entry.runId !== runId || record.status !== 'RUNNING') return;
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
    const { record } = entry;
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
    this.options.store.saveExecution(record);
  }

  /** Once the record is on disk, wakes whoever waits for the execution to end. */
  private async settle(entry: Entry): Promise<void> {
    try {
      await this.options.store.flushExecution(entry.record);
    } finally {
      for (const wake of entry.waiters.splice(0)) wake();
    }
  }

  private interrupt(
    entry: Entry,
    error: string | undefined,
    cause: string | undefined,
    stoppedAt?: number,
  ): void {
    entry.run?.stop();
    entry.run = undefined;
    const history = entry.history;
    if (!history) throw new Error(`history of ${entry.record.executionArn} not loaded`);
    this.end(entry, history, 'ABORTED', { error, cause }, stoppedAt);
    entry.done = (entry.done ?? Promise.resolve()).then(() => this.settle(entry));
  }

  /** StopExecution: ABORTED with the given error and cause. Stopping an ended execution changes nothing. */
  stop(arn: string, error?: string, cause?: string): { stopDate: Date } {
    const entry = this.entry(arn);
    if (entry.record.status === 'RUNNING') this.interrupt(entry, error, cause);
    return { stopDate: new Date(entry.record.stopDate ?? Date.now()) };
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
    const entry = this.entry(arn);
    const { record } = entry;
    const status = redriveStatus(record, this.options.machines.has(record.stateMachineArn));
    if (status.redriveStatus !== 'REDRIVABLE') {
      throw executionNotRedrivable(arn, status.redriveStatusReason ?? 'not redrivable');
    }
    const history = await this.historyOf(entry);
    await entry.done;
    if (record.status === 'RUNNING')
      throw executionNotRedrivable(arn, 'Execution is RUNNING and cannot be redriven');
    record.redriveCount += 1;
    record.redriveDate = new Date().toISOString();
    record.status = 'RUNNING';
    delete record.stopDate;
    delete record.output;
    delete record.error;
    delete record.cause;
    const redrivenId = history.reopen(record.redriveCount);
    this.options.store.saveExecution(record);
    this.launch(entry, history, redrivenId);
    return { redriveDate: new Date(record.redriveDate) };
  }

  /** DescribeExecution. */
  describe(arn: string): Record<string, unknown> {
    const { record } = this.entry(arn);
    return describeExecution(record, this.options.machines.has(record.stateMachineArn));
  }

  /** Resolves with the DescribeExecution answer once the execution is no longer RUNNING. */
  async waitFor(arn: string): Promise<Record<string, unknown>> {
    const entry = this.entry(arn);
    while (entry.record.status === 'RUNNING') {
      await new Promise<void>((resolve) => entry.waiters.push(resolve));
    }
    await entry.done;
    return this.describe(arn);
  }

  /** ListExecutions: newest first. */
  list(options: ListExecutionsOptions): { executions: Record<string, unknown>[]; nextToken?: string } {
    const machine = this.options.machines.get(options.stateMachineArn);
    const records = [...this.entries.values()].map((entry) => entry.record);
    return listExecutions(records, machine.stateMachineArn, options);
  }

  /** GetExecutionHistory, paged by event id. */
  async history(
    arn: string,
    options: HistoryOptions,
  ): Promise<{ events: HistoryEventOutput[]; nextToken?: string }> {
    const entry = this.entry(arn);
    return historyPage(await this.historyOf(entry), arn, options);
  }

  /** Forgets the ended executions of a deleted state machine (running ones finish first). */
  async forgetStateMachine(stateMachineArn: string): Promise<void> {
    for (const [arn, entry] of this.entries) {
      if (entry.record.stateMachineArn !== stateMachineArn || entry.record.status === 'RUNNING') continue;
      this.entries.delete(arn);
      await this.options.store.deleteExecution(entry.record);
    }
  }
}
