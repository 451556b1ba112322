import type { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { InvalidInput } from '../../core/errors.ts';
import {
  actionErrorMessage,
  allDelivered,
  type FailedExecutionStatus,
  type FailureType,
  failedExecutionMessage,
  jobIdOf,
  MAX_CONTINUATION_TOKEN_LENGTH,
  MAX_EXECUTION_SUMMARY_LENGTH,
  MAX_EXTERNAL_EXECUTION_ID_LENGTH,
  outputVariables,
  type PipelineJob,
  parsePipelineJob,
  parseUserParameters,
  planPipelineRelay,
  runningSummary,
  successSummary,
  truncate,
  undeliveredMessage,
} from '../../core/pipeline/index.ts';
import { relayOutputSchema } from '../../core/workflow.ts';
import { errorCodeOf } from '../shared/aws-call.ts';
import { type Clock, systemClock, type TaskOptions } from '../shared/task.ts';
import { putJobFailure, putJobSuccess } from './job-result.ts';
import {
  describeRelayExecution,
  isExecutionOf,
  type RelayExecutionState,
  redriveRelayExecution,
  startRelayExecution,
} from './relay-execution.ts';

/**
 * The relay as a CodePipeline Lambda invoke action. The first invocation of a job (no continuation
 * token) starts the relay state machine for the job's input artifact, named after the pipeline run so
 * that a retried stage continues the same relay (and redrives it when it had failed); every
 * invocation then watches the execution for a while and answers CodePipeline: still running →
 * PutJobSuccessResult with the execution ARN as continuation token (CodePipeline invokes again);
 * succeeded → PutJobSuccessResult with output variables and a summary; failed, timed out, stopped, or
 * targets not delivered → PutJobFailureResult with a message naming each target's problem. Any other
 * error is reported as a failure too and logged: a job is never left hanging.
 */

/** The log the action writes (the Powertools logger in a Lambda). */
export interface PipelineActionLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** A log that drops everything. */
export const silentPipelineLog: PipelineActionLog = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Waits `ms` (resolves early when `signal` aborts). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A real wait. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/** How long one invocation watches the execution before answering "still running", unless told. */
export const DEFAULT_WAIT_BUDGET_MS = 60_000;

/** The pause between two looks at the execution within one invocation. */
export const DEFAULT_POLL_INTERVAL_MS = 5_000;

/** The Lambda time kept free after the watching, to answer CodePipeline. */
export const ANSWER_MARGIN_MS = 20_000;

/** What the action needs. */
export interface PipelineActionDeps {
  /** A Step Functions client in the relay state machine's region. */
  readonly sfn: SFNClient;
  /** A CodePipeline client in the pipeline's region: the job results go there. */
  readonly codePipeline: CodePipelineClient;
  readonly stateMachineArn: string;
  /** The action function's region: the artifact store's, unless `UserParameters.region` says otherwise. */
  readonly region: string;
  readonly log?: PipelineActionLog;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  /** How long one invocation may watch a running execution. @default {@link DEFAULT_WAIT_BUDGET_MS} */
  readonly waitBudgetMs?: number;
  /** @default {@link DEFAULT_POLL_INTERVAL_MS} */
  readonly pollIntervalMs?: number;
}

/** What an invocation answered. */
export type PipelineActionOutcome =
  | { readonly result: 'running'; readonly jobId: string; readonly executionArn: string }
  | {
      readonly result: 'succeeded';
      readonly jobId: string;
      readonly executionArn: string;
      readonly outputVariables: Readonly<Record<string, string>>;
    }
  | {
      readonly result: 'failed';
      readonly jobId: string;
      readonly message: string;
      readonly executionArn?: string;
    };

const FAILED_STATUSES: ReadonlySet<string> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

function isFailed(status: string): status is FailedExecutionStatus {
  return FAILED_STATUSES.has(status);
}

/** Thrown inside the action to fail the job with a message and type of its own. */
class JobFailure extends Error {
  override readonly name = 'JobFailure';
  constructor(
    message: string,
    readonly type: FailureType,
    readonly executionArn?: string,
  ) {
    super(message);
  }
}

/** The execution of this job: the continued one, or the one of the run (started, found or redriven). */
async function relayExecutionOf(
  job: PipelineJob,
  deps: PipelineActionDeps,
  log: PipelineActionLog,
  signal: AbortSignal | undefined,
): Promise<{ readonly executionArn: string; readonly startedNow: boolean }> {
  if (job.continuationToken !== undefined) {
    if (!isExecutionOf(deps.stateMachineArn, job.continuationToken)) {
      throw new JobFailure(
        `The continuation token is not an execution of the relay state machine ${deps.stateMachineArn}; retry the stage to start the relay afresh`,
        'JobFailed',
      );
    }
    return { executionArn: job.continuationToken, startedNow: false };
  }
  const params = parseUserParameters(job.userParameters);
  const plan = planPipelineRelay(job, params, deps.region);
  const { executionArn, started } = await startRelayExecution(
    deps.sfn,
    deps.stateMachineArn,
    plan.executionName,
    plan.request,
    signal,
  );
  log.info(started ? 'Relay execution started' : 'Relay execution of this pipeline run found', {
    jobId: job.id,
    executionArn,
    artifact: `s3://${plan.artifact.bucket}/${plan.artifact.key}`,
    rule: params.rule,
    destinationKey: plan.destinationKey,
  });
  if (started) return { executionArn, startedNow: true };
  const state = await describeRelayExecution(deps.sfn, executionArn, signal);
  if (!isFailed(state.status)) return { executionArn, startedNow: false };
  // A retried stage: continue the failed relay where it failed instead of starting a second one.
  try {
    await redriveRelayExecution(deps.sfn, executionArn, signal);
  } catch (err) {
    const code = errorCodeOf(err);
    if (code !== 'ExecutionNotRedrivable') throw err;
    throw new JobFailure(
      `${failedExecutionMessage({ ...state, status: state.status })}\nIt cannot be redriven (${err instanceof Error ? err.message : String(err)}): release a new change to run the pipeline, and so the relay, afresh.`,
      'JobFailed',
      executionArn,
    );
  }
  log.info('Relay execution redriven for a retried stage', { jobId: job.id, executionArn });
  return { executionArn, startedNow: true };
}

/** Watches the execution until it ends or the invocation's budget is spent. */
async function watch(
  executionArn: string,
  deps: PipelineActionDeps,
  options: TaskOptions,
): Promise<RelayExecutionState> {
  const clock = deps.clock ?? systemClock;
  const sleep = deps.sleep ?? timerSleep;
  const interval = deps.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const remaining = options.remainingTimeMs?.() ?? Number.POSITIVE_INFINITY;
  const budget = Math.max(
    0,
    Math.min(deps.waitBudgetMs ?? DEFAULT_WAIT_BUDGET_MS, remaining - ANSWER_MARGIN_MS),
  );
  const deadline = clock() + budget;
  for (;;) {
    const state = await describeRelayExecution(deps.sfn, executionArn, options.signal);
    if (state.status !== 'RUNNING' && state.status !== 'PENDING_REDRIVE') return state;
    if (clock() + interval > deadline || options.signal?.aborted === true) return state;
    await sleep(interval, options.signal);
  }
}

/** The job's answer for the execution's state. */
async function answer(
  jobId: string,
  state: RelayExecutionState,
  startedNow: boolean,
  deps: PipelineActionDeps,
  signal: AbortSignal | undefined,
): Promise<PipelineActionOutcome> {
  const { executionArn } = state;
  const externalExecutionId = truncate(executionArn, MAX_EXTERNAL_EXECUTION_ID_LENGTH);
  if (isFailed(state.status)) {
    throw new JobFailure(
      failedExecutionMessage({ ...state, status: state.status }),
      'JobFailed',
      executionArn,
    );
  }
  if (state.status !== 'SUCCEEDED') {
    if (executionArn.length > MAX_CONTINUATION_TOKEN_LENGTH) {
      throw new Error(`internal: the execution ARN is longer than a continuation token may be`);
    }
    await putJobSuccess(
      deps.codePipeline,
      {
        jobId,
        continuationToken: executionArn,
        executionDetails: { summary: runningSummary(executionArn, startedNow), externalExecutionId },
      },
      signal,
    );
    return { result: 'running', jobId, executionArn };
  }
  const output = relayOutputSchema.safeParse(
    state.output === undefined ? undefined : JSON.parse(state.output),
  );
  if (!output.success) {
    throw new JobFailure(
      `The relay execution ${executionArn} succeeded but relayed nothing (its output has no per-target results): the artifact is a relay replica, vanished before it was read, or the rule names no target — see the execution's output for the reason.`,
      'JobFailed',
      executionArn,
    );
  }
  const { results } = output.data;
  if (!allDelivered(results)) {
    throw new JobFailure(undeliveredMessage(results, executionArn), 'JobFailed', executionArn);
  }
  const variables = outputVariables(results, executionArn);
  const truncatedNote = variables.truncated
    ? ` Output variables cover ${variables.targetsIncluded} of ${variables.targetsTotal} targets (CodePipeline's size cap).`
    : '';
  await putJobSuccess(
    deps.codePipeline,
    {
      jobId,
      outputVariables: variables.variables,
      executionDetails: {
        summary: truncate(`${successSummary(results)}${truncatedNote}`, MAX_EXECUTION_SUMMARY_LENGTH),
        externalExecutionId,
        percentComplete: 100,
      },
    },
    signal,
  );
  return { result: 'succeeded', jobId, executionArn, outputVariables: variables.variables };
}

/**
 * Fails the job of `event` because the action cannot run at all (such as a function deployed without
 * its state machine ARN): a configuration error, reported rather than left to time out.
 *
 * @throws Error when the event has no job id to report to, or reporting fails
 */
export async function failMisconfiguredJob(
  event: unknown,
  codePipeline: CodePipelineClient,
  problem: unknown,
  log: PipelineActionLog = silentPipelineLog,
  signal?: AbortSignal,
): Promise<PipelineActionOutcome> {
  const jobId = jobIdOf(event);
  log.error('The relay action is misconfigured', { jobId, error: problem });
  if (jobId === undefined) {
    throw new InvalidInput('The event is not a CodePipeline job event (no CodePipeline.job.id)');
  }
  const message = actionErrorMessage(problem);
  await putJobFailure(
    codePipeline,
    { jobId, failureDetails: { type: 'ConfigurationError', message } },
    signal,
  );
  return { result: 'failed', jobId, message };
}

/**
 * One invocation of the action for a job event.
 *
 * @throws Error only when the event has no job id to report to, or reporting itself fails
 */
export async function runPipelineAction(
  event: unknown,
  deps: PipelineActionDeps,
  options: TaskOptions = {},
): Promise<PipelineActionOutcome> {
  const log = deps.log ?? silentPipelineLog;
  const jobId = jobIdOf(event);
  if (jobId === undefined) {
    log.error('The event is not a CodePipeline job: there is no job to report to');
    throw new InvalidInput('The event is not a CodePipeline job event (no CodePipeline.job.id)');
  }
  let executionArn: string | undefined;
  try {
    const job = parsePipelineJob(event);
    const relay = await relayExecutionOf(job, deps, log, options.signal);
    executionArn = relay.executionArn;
    const state = await watch(relay.executionArn, deps, options);
    return await answer(jobId, state, relay.startedNow, deps, options.signal);
  } catch (err) {
    const failure =
      err instanceof JobFailure
        ? err
        : new JobFailure(
            actionErrorMessage(err),
            err instanceof InvalidInput ? 'ConfigurationError' : 'JobFailed',
            executionArn,
          );
    const arn = failure.executionArn ?? executionArn;
    if (err instanceof JobFailure) log.warn('The relay stage failed', { jobId, executionArn: arn });
    else log.error('The relay action failed', { jobId, executionArn: arn, error: err });
    await putJobFailure(
      deps.codePipeline,
      {
        jobId,
        failureDetails: {
          type: failure.type,
          message: failure.message,
          ...(arn === undefined
            ? {}
            : { externalExecutionId: truncate(arn, MAX_EXTERNAL_EXECUTION_ID_LENGTH) }),
        },
      },
      options.signal,
    );
    return {
      result: 'failed',
      jobId,
      message: failure.message,
      ...(arn === undefined ? {} : { executionArn: arn }),
    };
  }
}
