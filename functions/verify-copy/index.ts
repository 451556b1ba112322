import { InvalidInput } from '../../core/errors.ts';
import {
  type TaskInput,
  taskInputSchema,
  type VerifiedTarget,
  type VerifyResult,
} from '../../core/workflow.ts';
import { withGrantAdvice } from '../shared/grant-advice.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type VerifyCopyDeps, verifyCopy } from './verify.ts';

export type { VerifyCopyDeps } from './verify.ts';

/**
 * The target's result around Verify's proof: what the chain's `Verify` state ends the target with
 * (and what `Verify before deploy` keeps under `verify`).
 *
 * @throws InvalidInput when the input holds no finished copy (verifyCopy refuses it first)
 */
export function verifiedTarget(input: TaskInput, proof: VerifyResult): VerifiedTarget {
  const copy = input.copy;
  if (copy === undefined || (copy.status !== 'copied' && copy.status !== 'in-sync')) {
    throw new InvalidInput('Verify needs a finished copy (copy.status "copied" or "in-sync")');
  }
  return {
    target: input.target,
    ...(input.index === undefined ? {} : { index: input.index }),
    status: copy.status,
    bytes: proof.bytes,
    verifiedBy: proof.verifiedBy,
    destination: copy.destination,
  };
}

/**
 * The Verify task with injected clients, callable in-process (the local stack) or wrapped for
 * Lambda (`handler.ts`). Its input is the per-target state with the finished `copy`; its result is
 * the target's result (which still carries `verifiedBy` and `bytes` where executions started on the
 * former definition read them).
 */
export function createVerifyCopyHandler(deps: VerifyCopyDeps): TaskHandler<VerifiedTarget> {
  return async (input, options = {}) => {
    const parsed = parseTaskInput(taskInputSchema, input, 'Verify');
    const proof = await withGrantAdvice('verify-copy', parsed, deps, () => verifyCopy(parsed, deps, options));
    return verifiedTarget(parsed, proof);
  };
}
