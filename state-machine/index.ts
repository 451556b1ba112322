/**
 * The relay state machine, built by code into the Amazon States Language (JSONPath) with
 * `${…}Arn` placeholders for the task Lambdas.
 */

export * from '../core/state-names.ts';
export type * from './asl.ts';
export {
  type BuildOptions,
  buildDefinition,
  DEFAULT_BUILD_OPTIONS,
  MAX_INLINE_MAP_CONCURRENCY,
} from './build.ts';
export { buildTargetChain, TASK_TIMEOUT_SECONDS, type TargetChainOptions } from './chain.ts';
export {
  placeholder,
  placeholderOf,
  renderDefinition,
  TASK_PLACEHOLDERS,
  type TaskPlaceholder,
  type TaskRole,
} from './placeholders.ts';
export * from './retry-policies.ts';
export { listStateNames, listTaskStates, type TaskStateRef, taskStateNamesByRole } from './task-states.ts';
