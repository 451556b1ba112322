/**
 * The relay's pipeline action (functions/pipeline-action/) as an in-process handler for the local stack,
 * with its clients pointed at the stack's endpoint — the code the Lambda runs in AWS. Like the task
 * functions (local/relay-handlers.ts) it signs with a key pair of its own, and with `asRoles` runs as
 * its own role holding exactly its planned policy (core/permissions/plan.ts `planPipelineActionPermissions`).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  executionsArnOf,
  PIPELINE_ACTION_ROLE,
  type PlannedStatement,
  planPipelineActionPermissions,
} from '../../core/permissions/plan.ts';
import { policyDocumentOf } from '../../core/permissions/policy-document.ts';
import {
  createPipelineActionHandler,
  type PipelineActionDeps,
  type PipelineActionLog,
  type PipelineActionOutcome,
  type Sleep,
} from '../../functions/pipeline-action/index.ts';
import type { Clock } from '../../functions/shared/task.ts';
import type { LocalStack } from '../index.ts';
import { localRoleArn } from '../relay-handlers.ts';

/** The action handler as the local pipeline runner invokes it. */
export type LocalPipelineActionHandler = (event: unknown) => Promise<PipelineActionOutcome>;

/** Options of {@link createLocalPipelineActionHandler}. */
export interface LocalPipelineActionOptions {
  /** The relay state machine the action starts. */
  readonly stateMachineArn: string;
  /** The action function's region (the pipeline's): CodePipeline is called there. */
  readonly region: string;
  /** Run as the role `artifact-relay-pipeline-action` with its planned policy. @default false (administrator) */
  readonly asRoles?: boolean;
  /** Names the access key (`relay-pipeline-action-<tag>`). @default a random id */
  readonly credentialsTag?: string;
  /**
   * With `asRoles`: changes the role's planned statements before they are registered — the seam the
   * least-privilege proof uses to remove one grant at a time. @default the plan as it is
   */
  readonly adjustPolicy?: (statements: readonly PlannedStatement[]) => readonly PlannedStatement[];
  /**
   * How long one invocation watches a running relay before answering with a continuation token.
   * @default 5,000 ms — 0 answers "still running" at once
   */
  readonly waitBudgetMs?: number;
  /** @default 100 ms */
  readonly pollIntervalMs?: number;
  readonly clock?: Clock;
  readonly sleep?: Sleep;
  readonly log?: PipelineActionLog;
}

/** The local pipeline action handler. */
export function createLocalPipelineActionHandler(
  stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals'>,
  options: LocalPipelineActionOptions,
): LocalPipelineActionHandler {
  const tag = options.credentialsTag ?? randomUUID().slice(0, 8);
  if (!/^[A-Za-z0-9-]+$/.test(tag)) {
    throw new Error(`credentialsTag "${tag}" may hold only letters, digits and "-"`);
  }
  const credentials = {
    accessKeyId: `relay-${PIPELINE_ACTION_ROLE}-${tag}`,
    secretAccessKey: randomBytes(30).toString('base64'),
  };
  if (options.asRoles === true) {
    const planned = planPipelineActionPermissions({
      stateMachineArn: options.stateMachineArn,
      executionsArn: executionsArnOf(options.stateMachineArn),
    });
    stack.principals.register({
      ...credentials,
      arn: localRoleArn(stack.accountId, PIPELINE_ACTION_ROLE),
      account: stack.accountId,
      policies: [policyDocumentOf(options.adjustPolicy?.(planned) ?? planned)],
    });
  } else {
    stack.principals.registerAdministrator({ ...credentials, account: stack.accountId });
  }
  const stateMachineRegion = options.stateMachineArn.split(':')[3] ?? options.region;
  const deps: PipelineActionDeps = {
    sfn: new SFNClient({ endpoint: stack.endpoint, region: stateMachineRegion, credentials }),
    codePipeline: new CodePipelineClient({ endpoint: stack.endpoint, region: options.region, credentials }),
    stateMachineArn: options.stateMachineArn,
    region: options.region,
    waitBudgetMs: options.waitBudgetMs ?? 5_000,
    pollIntervalMs: options.pollIntervalMs ?? 100,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
    ...(options.log === undefined ? {} : { log: options.log }),
  };
  const handler = createPipelineActionHandler(deps);
  return (event) => handler(event);
}
