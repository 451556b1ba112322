/**
 * The local Step Functions API (AWS JSON 1.0) over aws-local-stepfunctions. Task resources run as
 * in-process handlers registered by ARN and never reach AWS; state machines and executions (with their
 * histories) persist under the data directory. Distributed Map states run map runs of child executions
 * (./distributed/), reading and writing S3 through `distributedMapS3`; DescribeMapRun, ListMapRuns,
 * UpdateMapRun and ListExecutions with `mapRunArn` answer for them.
 *
 * ```ts
 * const sfn = new StepFunctionsService({ dataDir, accountId: '000000000000', timeScale: 0.001 });
 * await sfn.init();
 * sfn.registerTaskHandler('arn:aws:lambda:us-east-1:000000000000:function:copy', async (input) => …);
 * const { executionArn } = await sfn.startExecution({ stateMachineArn, input: '{}' });
 * const done = await sfn.waitForExecution(executionArn);
 * await sfn.close();
 * ```
 */
import { join } from 'node:path';
import '../polyfills.ts';
import { optionalString, requireString } from '../protocol/json.ts';
import type { JsonService, RequestContext, TaskHandler } from '../types.ts';
import { parseStateMachineArn } from './arn.ts';
import { MapRuns } from './distributed/map-runs.ts';
import type { DistributedMapS3 } from './distributed/s3.ts';
import { EndedIndex } from './ended-index.ts';
import { invalidArn, unknownOperation, validation } from './errors.ts';
import { ExecutionManager } from './executions.ts';
import { optionalBoolean, optionalEnum, optionalNumber } from './input.ts';
import { EXECUTION_STATUSES, type ExecutionSummary } from './model.ts';
import { TaskHandlerRegistry } from './resources.ts';
import { StateMachineRegistry } from './state-machines.ts';
import { type ExecutionStatusChangeEvent, statusChangeEvent } from './status-change.ts';
import { ENDED_INDEX_DIR, StepFunctionsStore } from './store.ts';
import { TaskTokens } from './task-tokens.ts';

export { DataDirInUseError } from './store.ts';

export interface StepFunctionsServiceOptions {
  /** Where state machines and executions are kept. */
  readonly dataDir: string;
  /** The account in every ARN. */
  readonly accountId: string;
  /** Multiplies every Wait state and Retry interval (e.g. 0.001 in tests). @default 1 */
  readonly timeScale?: number;
  /** The history quota of one execution, lowerable for tests. @default 25,000 (AWS's) */
  readonly maxHistoryEvents?: number;
  /** Receives a "Step Functions Execution Status Change" event when an execution ends (the bridge). */
  readonly onStatusChange?: (event: ExecutionStatusChangeEvent) => void;
  /**
   * The S3 a Distributed Map's `ItemReader` and `ResultWriter` use (local/index.ts passes the local S3).
   * @default none — such a Map fails with `States.ItemReaderFailed` / `States.ResultWriterFailed` saying so
   */
  readonly distributedMapS3?: DistributedMapS3;
}

/** The DescribeExecution answer, as {@link StepFunctionsService.waitForExecution} resolves it. */
export interface ExecutionDescription {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly startDate: Date;
  readonly stopDate?: Date;
  readonly input: string;
  readonly output?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly redriveCount: number;
  readonly redriveDate?: Date;
  readonly redriveStatus: 'REDRIVABLE' | 'NOT_REDRIVABLE' | 'REDRIVABLE_BY_MAP_RUN';
  readonly redriveStatusReason?: string;
  /** A Distributed Map's child execution: the map run that started it. */
  readonly mapRunArn?: string;
  readonly [member: string]: unknown;
}

export class StepFunctionsService implements JsonService {
  private readonly store: StepFunctionsStore;
  private readonly registry = new TaskHandlerRegistry();
  private readonly tokens = new TaskTokens();
  private readonly machines: StateMachineRegistry;
  private readonly executions: ExecutionManager;
  private readonly mapRuns: MapRuns;
  private readonly ended: EndedIndex;

  constructor(options: StepFunctionsServiceOptions) {
    const timeScale = options.timeScale ?? 1;
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
      throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
    }
    this.store = new StepFunctionsStore(options.dataDir);
    this.machines = new StateMachineRegistry(this.store, options.accountId);
    this.mapRuns = new MapRuns({
      dataDir: options.dataDir,
      accountId: options.accountId,
      s3: options.distributedMapS3,
    });
    this.ended = new EndedIndex(join(options.dataDir, ENDED_INDEX_DIR));
    this.executions = new ExecutionManager({
      ended: this.ended,
      mapRuns: this.mapRuns,
      store: this.store,
      machines: this.machines,
      registry: this.registry,
      tokens: this.tokens,
      timeScale,
      accountId: options.accountId,
      ...(options.maxHistoryEvents !== undefined ? { maxHistoryEvents: options.maxHistoryEvents } : {}),
      ...(options.onStatusChange === undefined
        ? {}
        : {
            onExecutionEnded: (summary: ExecutionSummary) =>
              options.onStatusChange?.(statusChangeEvent(summary, options.accountId)),
          }),
    });
  }

  /**
   * Loads what a previous process left; executions it left RUNNING continue by themselves from where the
   * engine recorded them (not a redrive: `redriveCount` is unchanged). Their Tasks wait for their handlers
   * to be registered. With `deferResume` they continue only when {@link resumeExecutions} is called, so
   * that the new executions they start (a backfill's relays) find their handlers registered too. Throws
   * `DataDirInUseError` when another live process uses the same data directory.
   */
  async init(options: { readonly deferResume?: boolean } = {}): Promise<void> {
    await this.store.init();
    await this.ended.open();
    await this.machines.load();
    await this.mapRuns.load(); // before the executions: a parent that continues continues its map run
    await this.executions.load({ defer: options.deferResume === true });
  }

  /** Continues the executions `init({ deferResume: true })` left waiting. */
  async resumeExecutions(): Promise<void> {
    await this.executions.resumeLoaded();
  }

  /**
   * Stops running executions the way a crash would — they stay RUNNING on disk, and the next service on this
   * data directory continues them — and flushes to disk.
   */
  async close(): Promise<void> {
    await this.executions.close();
    await this.mapRuns.flush();
    await this.ended.close();
    await this.store.close();
  }

  /** Waits until every state machine, execution record and history event so far is on disk. */
  async flush(): Promise<void> {
    await this.store.flush();
  }

  /**
   * Runs `handler` for Task states whose `Resource` is `resourceArn` — or, for
   * `arn:aws:states:::lambda:invoke`, whose `FunctionName` names it (the handler gets `Payload`, and its
   * result is wrapped as the integration does). An error it throws fails the state with the error's `name`.
   * Returns a function that removes the registration.
   */
  registerTaskHandler(resourceArn: string, handler: TaskHandler): () => void {
    return this.registry.register(resourceArn, handler);
  }

  /** StartExecution, in process (the EventBridge bridge uses it). */
  async startExecution(input: {
    stateMachineArn: string;
    input?: string;
    name?: string;
  }): Promise<{ executionArn: string; startDate: Date }> {
    return this.executions.start(input);
  }

  /** Resolves with the DescribeExecution answer once the execution is no longer RUNNING. */
  async waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    return (await this.executions.waitFor(executionArn)) as ExecutionDescription;
  }

  async handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    switch (operation) {
      case 'CreateStateMachine':
        return this.machines.create(
          {
            name: requireString(input, 'name'),
            definition: requireString(input, 'definition'),
            roleArn: requireString(input, 'roleArn'),
            type: optionalString(input, 'type'),
          },
          ctx.region,
        );
      case 'DescribeStateMachine':
        return this.machines.describe(requireString(input, 'stateMachineArn'));
      case 'ListStateMachines':
        return this.machines.list(ctx.region, {
          maxResults: optionalNumber(input, 'maxResults'),
          nextToken: optionalString(input, 'nextToken'),
        });
      case 'UpdateStateMachine':
        return this.machines.update(requireString(input, 'stateMachineArn'), {
          definition: optionalString(input, 'definition'),
          roleArn: optionalString(input, 'roleArn'),
        });
      case 'DeleteStateMachine':
        return this.deleteStateMachine(requireString(input, 'stateMachineArn'));
      case 'StartExecution':
        return this.executions.start({
          stateMachineArn: requireString(input, 'stateMachineArn'),
          name: optionalString(input, 'name'),
          input: optionalString(input, 'input'),
        });
      case 'DescribeExecution':
        return this.executions.describe(requireString(input, 'executionArn'));
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'GetExecutionHistory':
        return this.executions.history(requireString(input, 'executionArn'), {
          maxResults: optionalNumber(input, 'maxResults'),
          nextToken: optionalString(input, 'nextToken'),
          reverseOrder: optionalBoolean(input, 'reverseOrder'),
          includeExecutionData: optionalBoolean(input, 'includeExecutionData'),
        });
      case 'StopExecution':
        return this.executions.stop(
          requireString(input, 'executionArn'),
          optionalString(input, 'error'),
          optionalString(input, 'cause'),
        );
      case 'RedriveExecution':
        return this.executions.redrive(requireString(input, 'executionArn'));
      case 'DescribeMapRun':
        return this.mapRuns.describe(requireString(input, 'mapRunArn'));
      case 'ListMapRuns':
        return this.listMapRuns(input);
      case 'UpdateMapRun':
        return this.mapRuns.update(requireString(input, 'mapRunArn'), {
          maxConcurrency: optionalNumber(input, 'maxConcurrency'),
          toleratedFailurePercentage: optionalNumber(input, 'toleratedFailurePercentage'),
          toleratedFailureCount: optionalNumber(input, 'toleratedFailureCount'),
        });
      case 'SendTaskSuccess':
        return this.tokens.succeed(requireString(input, 'taskToken'), requireString(input, 'output'));
      case 'SendTaskFailure':
        return this.tokens.fail(
          requireString(input, 'taskToken'),
          optionalString(input, 'error'),
          optionalString(input, 'cause'),
        );
      case 'SendTaskHeartbeat':
        return this.tokens.heartbeat(requireString(input, 'taskToken'));
      default:
        throw unknownOperation(operation);
    }
  }

  /**
   * ListExecutions of a state machine, or — with `mapRunArn` instead — of a map run: its child executions,
   * each with `mapRunArn` and `itemCount`, and `PENDING_REDRIVE` as a status filter.
   */
  private async listExecutions(input: Record<string, unknown>): Promise<unknown> {
    const mapRunArn = optionalString(input, 'mapRunArn');
    const stateMachineArn = optionalString(input, 'stateMachineArn');
    const common = {
      redriveFilter: optionalEnum(input, 'redriveFilter', ['REDRIVEN', 'NOT_REDRIVEN'] as const),
      maxResults: optionalNumber(input, 'maxResults'),
      nextToken: optionalString(input, 'nextToken'),
    };
    if (mapRunArn !== undefined) {
      if (stateMachineArn !== undefined) {
        throw validation('ListExecutions takes a stateMachineArn or a mapRunArn, not both');
      }
      return this.mapRuns.listChildren({
        mapRunArn,
        statusFilter: optionalEnum(input, 'statusFilter', [
          ...EXECUTION_STATUSES,
          'PENDING_REDRIVE',
        ] as const),
        ...common,
      });
    }
    if (input.statusFilter === 'PENDING_REDRIVE') {
      throw validation(
        'The PENDING_REDRIVE statusFilter needs a mapRunArn (it lists the children of a map run)',
      );
    }
    return this.executions.list({
      stateMachineArn: requireString(input, 'stateMachineArn'),
      statusFilter: optionalEnum(input, 'statusFilter', EXECUTION_STATUSES),
      ...common,
    });
  }

  /** ListMapRuns of an existing execution. */
  private async listMapRuns(input: Record<string, unknown>): Promise<unknown> {
    const executionArn = requireString(input, 'executionArn');
    await this.executions.describe(executionArn); // ExecutionDoesNotExist, as AWS answers
    return this.mapRuns.list(executionArn, {
      maxResults: optionalNumber(input, 'maxResults'),
      nextToken: optionalString(input, 'nextToken'),
    });
  }

  private async deleteStateMachine(arn: string): Promise<Record<string, never>> {
    if (!parseStateMachineArn(arn)) throw invalidArn(arn);
    await this.machines.delete(arn);
    await this.executions.forgetStateMachine(arn);
    return {};
  }
}
