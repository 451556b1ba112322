import { type DeploymentState, taskInputSchema } from '../../core/workflow.ts';
import { withGrantAdvice } from '../shared/grant-advice.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type StartDeploymentDeps, startDeployment } from './start.ts';

export type { StartDeploymentDeps } from './start.ts';

/**
 * The StartDeployment task with injected clients, callable in-process (the local stack) or
 * wrapped for Lambda (`handler.ts`). Its input is the per-target state with the finished `copy`.
 */
export function createStartDeploymentHandler(deps: StartDeploymentDeps): TaskHandler<DeploymentState> {
  return async (input, options = {}) => {
    const parsed = parseTaskInput(taskInputSchema, input, 'StartDeployment');
    return withGrantAdvice('start-deployment', parsed, deps, () => startDeployment(parsed, deps, options));
  };
}
