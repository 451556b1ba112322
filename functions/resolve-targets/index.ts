import type { ResolveTargetsOutput } from '../../core/workflow.ts';
import type { ResolveDeleteOutput } from '../../core/workflow-delete.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type ResolveTargetsDeps, resolveRequest, resolveSourceTargets } from './resolve.ts';

export type { ResolveTargetsDeps } from './resolve.ts';

/**
 * The ResolveTargets task for relay inputs, with injected clients and configuration, callable
 * in-process or in tests. Its input is the workflow input itself (an EventBridge S3 event, a
 * classic `Records[]` notification or a `{ bucket, key, … }` request); a deletion event is refused
 * — the Lambda (`handler.ts`) and the local stack use {@link createResolveRequestHandler}.
 */
export function createResolveTargetsHandler(deps: ResolveTargetsDeps): TaskHandler<ResolveTargetsOutput> {
  return (input, options = {}) => resolveSourceTargets(input, deps, options.signal);
}

/**
 * The ResolveTargets task as the state machine runs it: relay inputs as
 * {@link createResolveTargetsHandler}, and deletion events resolved to a delete request
 * (`operation: 'delete'`, core/workflow-delete.ts).
 */
export function createResolveRequestHandler(
  deps: ResolveTargetsDeps,
): TaskHandler<ResolveTargetsOutput | ResolveDeleteOutput> {
  return (input, options = {}) => resolveRequest(input, deps, options.signal);
}
