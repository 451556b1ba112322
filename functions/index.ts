import type { RelayConfig } from '../core/config/schema.ts';
import { createCheckDeploymentHandler } from './check-deployment/index.ts';
import { createCopyObjectHandler } from './copy-object/index.ts';
import { createDeleteReplicaHandler } from './delete-replica/index.ts';
import { createResolveRequestHandler } from './resolve-targets/index.ts';
import type { CodeDeployClientFor, S3ClientFor } from './shared/clients.ts';
import type { TaskLog } from './shared/log.ts';
import type { Clock, TaskHandler } from './shared/task.ts';
import { createStartDeploymentHandler } from './start-deployment/index.ts';
import { createVerifyCopyHandler } from './verify-copy/index.ts';

/**
 * The relay's task functions, for running them in-process (the local stack registers them
 * as the state machine's task handlers). Each folder's `handler.ts` is the Lambda entry point.
 */

export { createCheckDeploymentHandler } from './check-deployment/index.ts';
export { createCopyObjectHandler } from './copy-object/index.ts';
export { createDeleteReplicaHandler } from './delete-replica/index.ts';
export { createResolveRequestHandler, createResolveTargetsHandler } from './resolve-targets/index.ts';
export {
  type ClientSettings,
  type CodeDeployClientFor,
  clientSettingsFromEnv,
  createCodeDeployClientFactory,
  createS3ClientFactory,
  ENDPOINT_ENV,
  FORCE_PATH_STYLE_ENV,
  type S3ClientFor,
} from './shared/clients.ts';
export { CONFIG_ENV, CONFIG_FILE_ENV, cachedConfigLoader, loadRelayConfig } from './shared/config.ts';
export { ROLE_ARN_ENV } from './shared/grant-advice.ts';
export type { TaskLog } from './shared/log.ts';
export type { Clock, TaskHandler, TaskOptions } from './shared/task.ts';
export { createStartDeploymentHandler } from './start-deployment/index.ts';
export { createVerifyCopyHandler } from './verify-copy/index.ts';

/** The task functions by name (the folder names, as `state-machine/placeholders.ts` maps them). */
export const TASK_NAMES = [
  'resolve-targets',
  'copy-object',
  'verify-copy',
  'start-deployment',
  'check-deployment',
  'delete-replica',
] as const;

/** A task function's name. */
export type TaskName = (typeof TASK_NAMES)[number];

/** What the tasks need between them. */
export interface TaskDeps {
  readonly s3ClientFor: S3ClientFor;
  readonly codeDeployClientFor: CodeDeployClientFor;
  /** The validated relay configuration. */
  readonly loadConfig: () => Promise<RelayConfig>;
  readonly clock?: Clock;
  readonly log?: TaskLog;
  /** UploadPartCopy requests in flight at once. @default 8 */
  readonly partConcurrency?: number;
  /**
   * Each task's own role ARN (the local stack's per-task roles): a denial on a target in another
   * account then names the grant that account must add. @default each Lambda's `RELAY_ROLE_ARN`
   */
  readonly roleArns?: Readonly<Partial<Record<TaskName, string>>>;
}

/** The task functions with the given clients and configuration. */
export function createTaskHandlers(deps: TaskDeps): Record<TaskName, TaskHandler<unknown>> {
  const common = {
    ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    ...(deps.log === undefined ? {} : { log: deps.log }),
  };
  const advice = (task: TaskName) => ({
    loadConfig: deps.loadConfig,
    ...(deps.roleArns?.[task] === undefined ? {} : { roleArn: deps.roleArns[task] }),
  });
  return {
    'resolve-targets': createResolveRequestHandler({
      s3ClientFor: deps.s3ClientFor,
      loadConfig: deps.loadConfig,
      ...(deps.log === undefined ? {} : { log: deps.log }),
    }),
    'copy-object': createCopyObjectHandler({
      s3ClientFor: deps.s3ClientFor,
      ...common,
      ...advice('copy-object'),
      ...(deps.partConcurrency === undefined ? {} : { partConcurrency: deps.partConcurrency }),
    }),
    'verify-copy': createVerifyCopyHandler({
      s3ClientFor: deps.s3ClientFor,
      ...advice('verify-copy'),
      ...(deps.log === undefined ? {} : { log: deps.log }),
    }),
    'start-deployment': createStartDeploymentHandler({
      codeDeployClientFor: deps.codeDeployClientFor,
      s3ClientFor: deps.s3ClientFor,
      ...common,
      ...advice('start-deployment'),
    }),
    'check-deployment': createCheckDeploymentHandler({
      codeDeployClientFor: deps.codeDeployClientFor,
      ...(deps.clock === undefined ? {} : { clock: deps.clock }),
    }),
    'delete-replica': createDeleteReplicaHandler({
      s3ClientFor: deps.s3ClientFor,
      ...advice('delete-replica'),
    }),
  };
}
