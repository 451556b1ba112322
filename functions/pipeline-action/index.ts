import type { TaskHandler } from '../shared/task.ts';
import { type PipelineActionDeps, type PipelineActionOutcome, runPipelineAction } from './action.ts';

export {
  ANSWER_MARGIN_MS,
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_WAIT_BUDGET_MS,
  failMisconfiguredJob,
  type PipelineActionDeps,
  type PipelineActionLog,
  type PipelineActionOutcome,
  runPipelineAction,
  type Sleep,
  silentPipelineLog,
  timerSleep,
} from './action.ts';
export { RELAY_STATE_MACHINE_ARN_ENV, relayStateMachineArnFromEnv } from './env.ts';
export {
  type JobExecutionDetails,
  type JobFailureInput,
  type JobSuccessInput,
  putJobFailure,
  putJobSuccess,
} from './job-result.ts';

/**
 * The pipeline action with injected clients, callable in-process (the local pipeline runner) or
 * wrapped for Lambda (`handler.ts`). Its input is the CodePipeline job event.
 */
export function createPipelineActionHandler(deps: PipelineActionDeps): TaskHandler<PipelineActionOutcome> {
  return (input, options = {}) => runPipelineAction(input, deps, options);
}
