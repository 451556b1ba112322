/**
 * The relay's task functions (functions/) as in-process handlers for the local stack, with SDK clients
 * pointed at the stack's endpoint — the same code the Lambdas run in AWS. Each handler signs with a key
 * pair of its own, registered with the stack together with its random secret, so the handlers also work
 * on a stack that verifies signatures (`auth.verifySignatures`, `relay local --strict-auth`).
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { RelayConfig } from '../core/config/schema.ts';
import type { BUILD_WORK_LIST_ROLE } from '../core/permissions/backfill.ts';
import {
  type PipelineActionRole,
  PLANNED_ROLES,
  type PlannedStatement,
  planPermissions,
} from '../core/permissions/plan.ts';
import { policyDocumentOf } from '../core/permissions/policy-document.ts';
import {
  createCodeDeployClientFactory,
  createS3ClientFactory,
  createTaskHandlers,
  type TaskDeps,
} from '../functions/index.ts';
import { createNotifyHandler } from '../functions/notify/index.ts';
import type { TaskRole } from '../state-machine/index.ts';
import { bridgePutEvents } from './eventbridge/put-events.ts';
import type { LocalStack } from './index.ts';
import type { TaskHandler } from './types.ts';

export interface LocalHandlerOptions {
  /** UploadPartCopy requests in flight at once. @default 8 */
  readonly partConcurrency?: number;
  /** The Lambda time the copy may assume it has left, per call (the copy works to this budget). */
  readonly remainingTimeMs?: number;
  readonly log?: TaskDeps['log'];
  /**
   * Run each task as its own role: it signs with its own access key, registered with the stack as
   * `arn:aws:iam::<account>:role/artifact-relay-<task>` holding exactly the identity policy the CDK app
   * synthesizes for it (core/permissions), so the local S3 evaluates its requests as AWS would.
   * @default false — every task acts as the account administrator (with an administrator key pair of
   * its own, registered with the stack)
   */
  readonly asRoles?: boolean;
  /**
   * Names this relay's access keys (`relay-<task>-<tag>`), so its requests can be told apart in the
   * stack's authorization logs (`accessKeyId`) from those of relays deployed beside it with the same
   * role ARNs. Letters, digits and `-` only. @default a random id
   */
  readonly credentialsTag?: string;
  /**
   * With `asRoles`: changes a role's planned statements before they are registered — the seam the
   * least-privilege proof uses to remove one grant at a time. @default the plan as it is
   */
  readonly adjustPolicy?: (
    role: TaskRole,
    statements: readonly PlannedStatement[],
  ) => readonly PlannedStatement[];
}

/** The role ARN a task (or the pipeline action, or the backfill's work-list builder) runs as locally. */
export function localRoleArn(
  accountId: string,
  role: TaskRole | PipelineActionRole | typeof BUILD_WORK_LIST_ROLE,
): string {
  return `arn:aws:iam::${accountId}:role/artifact-relay-${role}`;
}

export function createLocalTaskHandlers(
  stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals'>,
  config: RelayConfig,
  options: LocalHandlerOptions = {},
): Record<TaskRole, TaskHandler> {
  const plan = options.asRoles === true ? planPermissions(config, stack.accountId) : undefined;
  // One key pair per role and per deployment: relays deployed side by side keep their own policies.
  const deployment = options.credentialsTag ?? randomUUID().slice(0, 8);
  if (!/^[A-Za-z0-9-]+$/.test(deployment)) {
    throw new Error(`credentialsTag "${deployment}" may hold only letters, digits and "-"`);
  }
  const remaining = options.remainingTimeMs;
  const handlerOf = (role: TaskRole): TaskHandler => {
    const credentials = {
      accessKeyId: `relay-${role}-${deployment}`,
      secretAccessKey: randomBytes(30).toString('base64'),
    };
    if (plan === undefined) {
      stack.principals.registerAdministrator({ ...credentials, account: stack.accountId });
    } else {
      stack.principals.register({
        ...credentials,
        arn: localRoleArn(stack.accountId, role),
        account: stack.accountId,
        policies: [policyDocumentOf(options.adjustPolicy?.(role, plan[role]) ?? plan[role])],
      });
    }
    const settings = { endpoint: stack.endpoint, forcePathStyle: true, credentials };
    const handler = createTaskHandlers({
      s3ClientFor: createS3ClientFactory(settings),
      codeDeployClientFor: createCodeDeployClientFactory(settings),
      loadConfig: async () => config,
      // The role's ARN lets an AccessDenied name the exact statement to add (core/permissions).
      ...(plan === undefined ? {} : { roleArns: { [role]: localRoleArn(stack.accountId, role) } }),
      ...(options.partConcurrency !== undefined ? { partConcurrency: options.partConcurrency } : {}),
      ...(options.log ? { log: options.log } : {}),
    })[role];
    return (input, { signal }) =>
      handler(input, { signal, ...(remaining !== undefined ? { remainingTimeMs: () => remaining } : {}) });
  };
  return Object.fromEntries(PLANNED_ROLES.map((role) => [role, handlerOf(role)])) as Record<
    TaskRole,
    TaskHandler
  >;
}

/**
 * The notifier (functions/notify) as an in-process handler: it reads executions through the stack's
 * Step Functions API (as the account administrator, with a key pair of its own) and publishes the relay's
 * events onto the stack's bridge. `region` is the relay state machine's.
 */
export function createLocalNotifyHandler(
  stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals' | 'events'>,
  region: string,
): TaskHandler {
  const credentials = {
    accessKeyId: `relay-notify-${randomUUID().slice(0, 8)}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  stack.principals.registerAdministrator({ ...credentials, account: stack.accountId });
  const sfn = new SFNClient({ region, endpoint: stack.endpoint, credentials });
  const notify = createNotifyHandler({
    sfn,
    putEvents: bridgePutEvents(stack.events, stack.accountId, region),
  });
  return (input, { signal }) => notify(input, { signal });
}
