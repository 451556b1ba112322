import { type DeploymentState, taskInputSchema } from '../../core/workflow.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type CheckDeploymentDeps, checkDeployment } from './check.ts';

export type { CheckDeploymentDeps } from './check.ts';

/**
 * The CheckDeployment task with injected clients, callable in-process (the local stack) or
 * wrapped for Lambda (`handler.ts`). Its input is the per-target state with the `deployment`.
 */
export function createCheckDeploymentHandler(deps: CheckDeploymentDeps): TaskHandler<DeploymentState> {
  return async (input, options = {}) =>
    checkDeployment(parseTaskInput(taskInputSchema, input, 'CheckDeployment'), deps, options);
}
