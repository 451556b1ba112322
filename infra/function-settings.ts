import { COPY_TIME_MARGIN_MS, HANDLER_EARLY_TIMEOUT_MS } from '../core/runtime-contract.ts';
import { DELETE_REPLICA_TIMEOUT_SECONDS } from '../core/workflow-delete.ts';
import { TASK_TIMEOUT_SECONDS } from '../state-machine/chain.ts';
import type { TaskRole } from '../state-machine/placeholders.ts';

/**
 * Sizing of the task functions. Each Lambda timeout equals its Task state's `TimeoutSeconds`,
 * so the handler's early timeout (a retryable error, {@link HANDLER_EARLY_TIMEOUT_SECONDS} before
 * the Lambda's) always fires before Step Functions gives up on the task.
 */

/** How one task function is built and sized. */
export interface FunctionSettings {
  /** The construct id (stable: the logical ids of the function derive from it). */
  readonly id: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/** The settings of each task function. */
export const FUNCTION_SETTINGS: Readonly<Record<TaskRole, FunctionSettings>> = {
  'resolve-targets': {
    id: 'ResolveTargets',
    description: 'artifact-relay: normalise the event, pin the source version, match the configured rules',
    memoryMb: 256,
    timeoutSeconds: TASK_TIMEOUT_SECONDS.resolveTargets,
  },
  'copy-object': {
    id: 'CopyObject',
    description:
      'artifact-relay: copy the pinned source to one target (server-side, multipart above the threshold)',
    memoryMb: 512,
    timeoutSeconds: TASK_TIMEOUT_SECONDS.copy,
  },
  'verify-copy': {
    id: 'VerifyCopy',
    description: 'artifact-relay: prove a replica identical (size, then checksum, ETag or streamed hash)',
    memoryMb: 1024,
    timeoutSeconds: TASK_TIMEOUT_SECONDS.verify,
  },
  'start-deployment': {
    id: 'StartDeployment',
    description: 'artifact-relay: start (or find) the CodeDeploy deployment of a replica',
    memoryMb: 256,
    timeoutSeconds: TASK_TIMEOUT_SECONDS.startDeployment,
  },
  'check-deployment': {
    id: 'CheckDeployment',
    description: 'artifact-relay: read the state of a CodeDeploy deployment',
    memoryMb: 256,
    timeoutSeconds: TASK_TIMEOUT_SECONDS.checkDeployment,
  },
  'delete-replica': {
    id: 'DeleteReplica',
    description:
      "artifact-relay: delete the relay's own replica of a deleted source object (rules with propagateDeletes)",
    memoryMb: 256,
    timeoutSeconds: DELETE_REPLICA_TIMEOUT_SECONDS,
  },
};

/**
 * Sizing of the CodePipeline action's function (functions/pipeline-action/): no state-machine task,
 * so not in {@link FUNCTION_SETTINGS}. One invocation watches the relay for at most a minute, keeps 20 s
 * to answer CodePipeline and aborts {@link HANDLER_EARLY_TIMEOUT_SECONDS} before the Lambda timeout
 * (`DEFAULT_WAIT_BUDGET_MS` and `ANSWER_MARGIN_MS` in functions/pipeline-action/action.ts; a test keeps
 * the timeout above their sum).
 */
export const PIPELINE_ACTION_FUNCTION_SETTINGS: FunctionSettings = {
  id: 'PipelineAction',
  description:
    'artifact-relay: the CodePipeline action — starts the relay for the input artifact, reports back to the pipeline',
  memoryMb: 256,
  timeoutSeconds: 120,
};

/** Seconds before the Lambda timeout at which the handler aborts and fails with a retryable error (core/runtime-contract.ts). */
export const HANDLER_EARLY_TIMEOUT_SECONDS = HANDLER_EARLY_TIMEOUT_MS / 1000;

/** Seconds the copy keeps back from the Lambda's remaining time for parts in flight (core/runtime-contract.ts). */
export const COPY_TIME_MARGIN_SECONDS = COPY_TIME_MARGIN_MS / 1000;

/**
 * The longest copy time budget the copy function honours in full: the copy stops starting parts
 * after min(budget, remaining time − margin), and must hand back before the early timeout.
 */
export function maxFullCopyBudgetSeconds(
  copyTimeoutSeconds: number = FUNCTION_SETTINGS['copy-object'].timeoutSeconds,
): number {
  return copyTimeoutSeconds - COPY_TIME_MARGIN_SECONDS - HANDLER_EARLY_TIMEOUT_SECONDS;
}
