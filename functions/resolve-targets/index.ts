import type { ResolveTargetsOutput } from '../../core/workflow.ts';
import type { TaskHandler } from '../shared/task.ts';
import { type ResolveTargetsDeps, resolveSourceTargets } from './resolve.ts';

export type { ResolveTargetsDeps } from './resolve.ts';

/**
 * The ResolveTargets task with injected clients and configuration, callable in-process (the
 * local stack) or wrapped for Lambda (`handler.ts`). Its input is the workflow input itself (an
 * EventBridge S3 event, a classic `Records[]` notification or a `{ bucket, key, … }` request).
 */
export function createResolveTargetsHandler(deps: ResolveTargetsDeps): TaskHandler<ResolveTargetsOutput> {
  return (input, options = {}) => resolveSourceTargets(input, deps, options.signal);
}
