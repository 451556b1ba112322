/**
 * The local CodeDeploy API (AWS JSON 1.1, `CodeDeploy_20141006.*`): applications, deployment groups and
 * deployments, scoped to the region each request is signed for, persisted under the data directory, with
 * a simulated lifecycle driven by an injectable clock and injectable failures. Requests signed by a
 * registered principal are evaluated against its identity policies first (authorizer.ts); CreateDeployment
 * then reads the revision from the local S3 with the service's own access, as CodeDeploy checks a
 * revision as a service, not as the caller.
 */
import { join } from 'node:path';
import type { PrincipalRegistry } from '../iam/principals.ts';
import { AwsJsonError } from '../protocol/json.ts';
import type { JsonService, RequestContext, S3ObjectReader } from '../types.ts';
import { type CodeDeployAuthorizationRecord, CodeDeployAuthorizer } from './authorizer.ts';
import { FailureInjector, type FailureRule, type FailureInjector as Failures } from './failures.ts';
import { DEFAULT_DURATIONS, type LifecycleDurations } from './lifecycle.ts';
import {
  batchGetApplications,
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
} from './operations/applications.ts';
import type { OperationContext } from './operations/context.ts';
import {
  createDeploymentGroup,
  deleteDeploymentGroup,
  getDeploymentGroup,
  listDeploymentGroups,
} from './operations/deployment-groups.ts';
import {
  batchGetDeployments,
  createDeployment,
  getDeployment,
  listDeployments,
  stopDeployment,
} from './operations/deployments.ts';
import { StateStore } from './store.ts';

export type { CodeDeployAuthorizationRecord } from './authorizer.ts';
export type { FailureRule } from './failures.ts';
export type { LifecycleDurations } from './lifecycle.ts';

/** Options of {@link CodeDeployService}. */
export interface CodeDeployServiceOptions {
  /** Where state is kept (`state.json`) and revisions are spooled while checked. */
  readonly dataDir: string;
  /** The account of the local stack (kept for ARNs; CodeDeploy answers rarely show it). */
  readonly accountId: string;
  /** Read access to the local S3, to check revisions. */
  readonly s3: S3ObjectReader;
  /**
   * The registered principals: their requests are evaluated against their identity policies.
   * @default no principals — nothing is evaluated
   */
  readonly principals?: PrincipalRegistry;
  /** Multiplies the lifecycle durations. @default 1 */
  readonly timeScale?: number;
  /** Phase durations before scaling. @default { createdMs: 1000, inProgressMs: 2000 } */
  readonly durations?: Partial<LifecycleDurations>;
  /** The clock, in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Largest page of ListApplications / ListDeploymentGroups / ListDeployments. @default 100 */
  readonly pageSize?: number;
}

/** Raised when the service is constructed with unusable options. */
export class CodeDeployOptionsError extends Error {
  override readonly name = 'CodeDeployOptionsError';
}

type Operation = (
  op: OperationContext,
  input: Record<string, unknown>,
  ctx: RequestContext,
) => Promise<unknown>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateApplication: createApplication,
  GetApplication: getApplication,
  BatchGetApplications: batchGetApplications,
  ListApplications: listApplications,
  DeleteApplication: deleteApplication,
  CreateDeploymentGroup: createDeploymentGroup,
  GetDeploymentGroup: getDeploymentGroup,
  ListDeploymentGroups: listDeploymentGroups,
  DeleteDeploymentGroup: deleteDeploymentGroup,
  CreateDeployment: createDeployment,
  GetDeployment: getDeployment,
  BatchGetDeployments: batchGetDeployments,
  ListDeployments: listDeployments,
  StopDeployment: stopDeployment,
};

/** The operations the local CodeDeploy serves (each mapped to its IAM actions in authorization.ts). */
export const CODEDEPLOY_OPERATIONS: readonly string[] = Object.keys(OPERATIONS);

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value < 0)
    throw new CodeDeployOptionsError(`${what} must be a finite number >= 0`);
  return value;
}

/** The local CodeDeploy; construct, `await init()`, serve through `handle`, `await close()`. */
export class CodeDeployService implements JsonService {
  readonly accountId: string;
  private readonly store: StateStore;
  private readonly failures: Failures = new FailureInjector();
  private readonly context: OperationContext;
  private readonly authorizer: CodeDeployAuthorizer | undefined;

  constructor(options: CodeDeployServiceOptions) {
    this.accountId = options.accountId;
    this.authorizer = options.principals && new CodeDeployAuthorizer(options.principals);
    this.store = new StateStore(options.dataDir);
    const pageSize = options.pageSize ?? 100;
    if (!Number.isInteger(pageSize) || pageSize < 1)
      throw new CodeDeployOptionsError('pageSize must be a positive integer');
    this.context = {
      store: this.store,
      s3: options.s3,
      now: options.now ?? Date.now,
      failures: this.failures,
      durations: {
        createdMs: positive(
          options.durations?.createdMs ?? DEFAULT_DURATIONS.createdMs,
          'durations.createdMs',
        ),
        inProgressMs: positive(
          options.durations?.inProgressMs ?? DEFAULT_DURATIONS.inProgressMs,
          'durations.inProgressMs',
        ),
      },
      timeScale: positive(options.timeScale ?? 1, 'timeScale'),
      pageSize,
      scratchDir: join(options.dataDir, 'tmp'),
    };
  }

  /** Loads the state an earlier process left under the data directory. */
  async init(): Promise<void> {
    await this.store.init();
  }

  /** Waits for pending writes. */
  async close(): Promise<void> {
    await this.store.close();
  }

  /** Serves one CodeDeploy operation (the part of `X-Amz-Target` after the dot). */
  async handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    const run = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (!run) {
      throw new AwsJsonError(
        'UnknownOperationException',
        `The local CodeDeploy does not implement ${operation}`,
      );
    }
    await this.store.refresh();
    this.authorize(operation, input, ctx);
    return run(this.context, input, ctx);
  }

  /** Evaluates a registered principal's request (authorizer.ts); others pass. */
  private authorize(operation: string, input: Record<string, unknown>, ctx: RequestContext): void {
    if (this.authorizer === undefined) return;
    const state = this.store.current;
    this.authorizer.authorize({
      operation,
      input,
      ctx,
      account: this.accountId,
      deploymentOf: (id) => state.deployments.find((d) => d.region === ctx.region && d.deploymentId === id),
      groupConfigOf: (application, group) =>
        state.deploymentGroups.find(
          (g) =>
            g.region === ctx.region && g.applicationName === application && g.deploymentGroupName === group,
        )?.deploymentConfigName,
    });
  }

  /** The authorization decisions on registered principals' requests so far, oldest first (bounded). */
  authorizationLog(): readonly CodeDeployAuthorizationRecord[] {
    return this.authorizer?.log() ?? [];
  }

  /** Forgets the authorization decisions so far. */
  clearAuthorizationLog(): void {
    this.authorizer?.clearLog();
  }

  /**
   * Makes the next matching deployments (by default just the next one) end Failed with
   * `errorInformation.code` (default `HEALTH_CONSTRAINTS`) and `message`.
   */
  injectFailure(rule: FailureRule = {}): void {
    this.failures.add(rule);
  }

  /** Removes every injected failure that has not been used up. */
  clearFailures(): void {
    this.failures.clear();
  }
}
