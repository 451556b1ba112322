import { type CopyResult, taskInputSchema } from '../../core/workflow.ts';
import { withGrantAdvice } from '../shared/grant-advice.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type CopyObjectDeps, copyObject } from './copy.ts';

export { type CopyObjectDeps, DEFAULT_PART_CONCURRENCY } from './copy.ts';

/**
 * The Copy task with injected clients, callable in-process (the local stack) or wrapped for
 * Lambda (`handler.ts`). Its input is the per-target state (core/workflow.ts `TaskInput`).
 */
export function createCopyObjectHandler(deps: CopyObjectDeps): TaskHandler<CopyResult> {
  return async (input, options = {}) => {
    const parsed = parseTaskInput(taskInputSchema, input, 'Copy');
    return withGrantAdvice('copy-object', parsed, deps, () => copyObject(parsed, deps, options));
  };
}
