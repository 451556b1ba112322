import { taskInputSchema, type VerifyResult } from '../../core/workflow.ts';
import { withGrantAdvice } from '../shared/grant-advice.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type VerifyCopyDeps, verifyCopy } from './verify.ts';

export type { VerifyCopyDeps } from './verify.ts';

/**
 * The Verify task with injected clients, callable in-process (the local stack) or wrapped for
 * Lambda (`handler.ts`). Its input is the per-target state with the finished `copy`.
 */
export function createVerifyCopyHandler(deps: VerifyCopyDeps): TaskHandler<VerifyResult> {
  return async (input, options = {}) => {
    const parsed = parseTaskInput(taskInputSchema, input, 'Verify');
    return withGrantAdvice('verify-copy', parsed, deps, () => verifyCopy(parsed, deps, options));
  };
}
