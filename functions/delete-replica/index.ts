import { type DeleteReplicaTargetResult, deleteTaskInputSchema } from '../../core/workflow-delete.ts';
import { type GrantAdviceDeps, withGrantAdvice } from '../shared/grant-advice.ts';
import { parseTaskInput } from '../shared/parse-input.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type DeleteReplicaDeps, deleteReplica } from './delete.ts';

export type { DeleteReplicaDeps } from './delete.ts';

/**
 * The DeleteReplica task with injected clients, callable in-process (the local stack) or wrapped
 * for Lambda (`handler.ts`). Its input is one target of a delete request (core/workflow-delete.ts
 * `DeleteTaskInput`); its result is the target's result (the target with what was done there), which
 * the state machine's PropagateDelete Map collects as the execution's `results`. A denial on a target in
 * another account names the bucket policy grant it lacks.
 */
export function createDeleteReplicaHandler(
  deps: DeleteReplicaDeps & GrantAdviceDeps,
): TaskHandler<DeleteReplicaTargetResult> {
  return async (input, options = {}) => {
    const parsed = parseTaskInput(deleteTaskInputSchema, input, 'DeleteReplica');
    const result = await withGrantAdvice('delete-replica', parsed, deps, () =>
      deleteReplica(parsed, deps, options),
    );
    return { target: parsed.target, ...result };
  };
}
