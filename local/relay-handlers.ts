/**
 * The relay's task functions (functions/) as in-process handlers for the local stack, with SDK clients
 * pointed at the stack's endpoint — the same code the Lambdas run in AWS.
 */
import type { RelayConfig } from '../core/config/schema.ts';
import {
  createCodeDeployClientFactory,
  createS3ClientFactory,
  createTaskHandlers,
  type TaskDeps,
} from '../functions/index.ts';
import type { TaskRole } from '../state-machine/index.ts';
import type { LocalStack } from './index.ts';
import type { TaskHandler } from './types.ts';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface LocalHandlerOptions {
  /** UploadPartCopy requests in flight at once. @default 8 */
  readonly partConcurrency?: number;
  /** The Lambda time the copy may assume it has left, per call (the copy works to this budget). */
  readonly remainingTimeMs?: number;
  readonly log?: TaskDeps['log'];
}

export function createLocalTaskHandlers(
  stack: Pick<LocalStack, 'endpoint'>,
  config: RelayConfig,
  options: LocalHandlerOptions = {},
): Record<TaskRole, TaskHandler> {
  const settings = { endpoint: stack.endpoint, forcePathStyle: true, credentials: LOCAL_CREDENTIALS };
  const handlers = createTaskHandlers({
    s3ClientFor: createS3ClientFactory(settings),
    codeDeployClientFor: createCodeDeployClientFactory(settings),
    loadConfig: async () => config,
    ...(options.partConcurrency !== undefined ? { partConcurrency: options.partConcurrency } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  const remaining = options.remainingTimeMs;
  const wrap =
    (handler: (typeof handlers)[keyof typeof handlers]): TaskHandler =>
    (input, { signal }) =>
      handler(input, { signal, ...(remaining !== undefined ? { remainingTimeMs: () => remaining } : {}) });
  return {
    'resolve-targets': wrap(handlers['resolve-targets']),
    'copy-object': wrap(handlers['copy-object']),
    'verify-copy': wrap(handlers['verify-copy']),
    'start-deployment': wrap(handlers['start-deployment']),
    'check-deployment': wrap(handlers['check-deployment']),
  };
}
