/**
 * The local CodePipeline API (AWS JSON 1.1, `CodePipeline_20150709.*`): the part a Lambda invoke action
 * touches — PutJobSuccessResult (with continuation token, output variables and execution details) and
 * PutJobFailureResult, validated as CodePipeline validates them (validation.ts) — and GetPipelineState /
 * GetPipelineExecution for a local pipeline run. Pipelines, executions and jobs are created in-process by
 * the local pipeline runner (runner.ts); they live in memory, per region, for as long as the stack runs.
 * Requests signed by a registered principal are evaluated against its identity policies first (the job
 * result calls on `*`, as they have no resource-level permissions; the reads on the pipeline's ARN);
 * every evaluation is kept in a bounded record (`authorizationLog()`, in the shape of the local S3's and
 * CodeDeploy's), so a test can read which action was denied.
 */
import { randomUUID } from 'node:crypto';
import { DecisionLog, type DecisionRecord, decisionRecord } from '../iam/decision-log.ts';
import { evaluate } from '../iam/evaluate.ts';
import type { PrincipalRegistry } from '../iam/principals.ts';
import { UnsupportedPolicy } from '../iam/unsupported-policy.ts';
import { AwsJsonError, requireString } from '../protocol/json.ts';
import type { JsonService, RequestContext } from '../types.ts';
import {
  invalidJobState,
  jobNotFound,
  pipelineExecutionNotFound,
  pipelineNotFound,
  unknownOperation,
  validation,
} from './errors.ts';
import type {
  ActionExecutionState,
  JobRecord,
  JobResult,
  PipelineExecutionRecord,
  PipelineExecutionStatus,
  PipelineRecord,
  StageStateRecord,
} from './model.ts';
import { failureResultOf, jobIdOf, successResultOf } from './validation.ts';

/** Options of {@link CodePipelineService}. */
export interface CodePipelineServiceOptions {
  readonly accountId: string;
  /** Registered principals are evaluated against their identity policies. @default none */
  readonly principals?: PrincipalRegistry;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A pipeline as the runner declares it: stage names with their action names, in order. */
export interface PipelineDeclaration {
  readonly name: string;
  readonly region: string;
  readonly stages: ReadonlyArray<{ readonly name: string; readonly actions: readonly string[] }>;
}

/** Where a job runs. */
export interface JobPlacement {
  readonly region: string;
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  readonly stageName: string;
  readonly actionName: string;
}

type RegionalJob = JobRecord & { readonly region: string };

/** One evaluated action of one request (the purpose is always the request's own action). */
export type CodePipelineAuthorizationRecord = DecisionRecord<string, 'request'>;

/** The local CodePipeline. */
export class CodePipelineService implements JsonService {
  readonly #accountId: string;
  readonly #principals: PrincipalRegistry | undefined;
  readonly #now: () => number;
  readonly #pipelines = new Map<string, PipelineRecord>();
  readonly #jobs = new Map<string, RegionalJob>();
  readonly #decisions = new DecisionLog<CodePipelineAuthorizationRecord>();

  constructor(options: CodePipelineServiceOptions) {
    this.#accountId = options.accountId;
    this.#principals = options.principals;
    this.#now = options.now ?? Date.now;
  }

  #key(region: string, name: string): string {
    return `${region}/${name}`;
  }

  #date(): Date {
    return new Date(this.#now());
  }

  /** Creates (or replaces) a pipeline with its stages and actions, none run yet. */
  declarePipeline(declaration: PipelineDeclaration): void {
    const existing = this.#pipelines.get(this.#key(declaration.region, declaration.name));
    const now = this.#date();
    this.#pipelines.set(this.#key(declaration.region, declaration.name), {
      name: declaration.name,
      version: (existing?.version ?? 0) + 1,
      created: existing?.created ?? now,
      updated: now,
      stages: declaration.stages.map((stage) => ({
        stageName: stage.name,
        actionStates: stage.actions.map((actionName) => ({ actionName })),
      })),
      executions: existing?.executions ?? new Map(),
    });
  }

  #pipeline(region: string, name: string): PipelineRecord {
    const pipeline = this.#pipelines.get(this.#key(region, name));
    if (pipeline === undefined) throw pipelineNotFound(name);
    return pipeline;
  }

  /** Starts an execution of a declared pipeline; its id. */
  startPipelineExecution(region: string, name: string): string {
    const pipeline = this.#pipeline(region, name);
    const id = randomUUID();
    const now = this.#date();
    pipeline.executions.set(id, {
      pipelineExecutionId: id,
      status: 'InProgress',
      startTime: now,
      lastUpdateTime: now,
    });
    return id;
  }

  /** Ends a pipeline execution. */
  endPipelineExecution(
    region: string,
    name: string,
    id: string,
    status: PipelineExecutionStatus,
    statusSummary?: string,
  ): void {
    const execution = this.#execution(region, name, id);
    execution.status = status;
    execution.lastUpdateTime = this.#date();
    if (statusSummary === undefined) delete execution.statusSummary;
    else execution.statusSummary = statusSummary;
  }

  #execution(region: string, name: string, id: string): PipelineExecutionRecord {
    const execution = this.#pipeline(region, name).executions.get(id);
    if (execution === undefined) throw pipelineExecutionNotFound(id, name);
    return execution;
  }

  #stage(region: string, name: string, stageName: string): StageStateRecord {
    const stage = this.#pipeline(region, name).stages.find((s) => s.stageName === stageName);
    if (stage === undefined) throw new Error(`pipeline ${name} has no stage ${stageName}`);
    return stage;
  }

  /** Records a stage's state in a pipeline execution. */
  setStageState(
    placement: Omit<JobPlacement, 'actionName'>,
    status: NonNullable<StageStateRecord['latestExecution']>['status'],
  ): void {
    const stage = this.#stage(placement.region, placement.pipelineName, placement.stageName);
    stage.latestExecution = { pipelineExecutionId: placement.pipelineExecutionId, status };
  }

  /** Records an action's latest execution. */
  setActionState(placement: JobPlacement, state: Omit<ActionExecutionState, 'lastStatusChange'>): void {
    const stage = this.#stage(placement.region, placement.pipelineName, placement.stageName);
    const action = stage.actionStates.find((a) => a.actionName === placement.actionName);
    if (action === undefined)
      throw new Error(`stage ${placement.stageName} has no action ${placement.actionName}`);
    action.latestExecution = { ...state, lastStatusChange: this.#date() };
  }

  /** The latest execution of an action, as recorded. */
  actionState(placement: Omit<JobPlacement, 'pipelineExecutionId'>): ActionExecutionState | undefined {
    const stage = this.#stage(placement.region, placement.pipelineName, placement.stageName);
    return stage.actionStates.find((a) => a.actionName === placement.actionName)?.latestExecution;
  }

  /** Creates a job in progress for an action (a Lambda invoke action's invocation); its id. */
  createJob(placement: JobPlacement): string {
    this.#execution(placement.region, placement.pipelineName, placement.pipelineExecutionId);
    const id = randomUUID();
    this.#jobs.set(id, {
      id,
      region: placement.region,
      pipelineName: placement.pipelineName,
      pipelineExecutionId: placement.pipelineExecutionId,
      stageName: placement.stageName,
      actionName: placement.actionName,
      status: 'InProgress',
    });
    return id;
  }

  /** The authorization decisions on registered principals' requests so far, oldest first (bounded). */
  authorizationLog(): readonly CodePipelineAuthorizationRecord[] {
    return this.#decisions.all();
  }

  /** Forgets the authorization decisions so far. */
  clearAuthorizationLog(): void {
    this.#decisions.clear();
  }

  /** A job's status and reported result. */
  job(jobId: string): Readonly<JobRecord> | undefined {
    return this.#jobs.get(jobId);
  }

  #authorize(ctx: RequestContext, operation: string, action: string, resource: string): void {
    const principal = this.#principals?.principalFor(ctx.accessKeyId);
    if (principal === undefined) return;
    let decision: ReturnType<typeof evaluate>;
    try {
      decision = evaluate({
        principal: { account: principal.account, arn: principal.arn },
        action,
        resource,
        resourceAccount: this.#accountId,
        identityPolicies: principal.identityPolicies,
      });
    } catch (cause) {
      if (cause instanceof UnsupportedPolicy) throw new AwsJsonError('NotImplemented', cause.message, 501);
      throw cause;
    }
    this.#decisions.add(
      decisionRecord(ctx, {
        operation,
        principal: principal.arn,
        action,
        resource,
        decision: decision.decision,
        reason: decision.reason,
        purpose: 'request',
      }),
    );
    if (decision.decision !== 'Allow') {
      throw new AwsJsonError(
        'AccessDeniedException',
        `User: ${principal.arn} is not authorized to perform: ${action} on resource: ${resource} ${decision.reason}`,
        400,
      );
    }
  }

  #report(
    input: Record<string, unknown>,
    ctx: RequestContext,
    result: (input: Record<string, unknown>) => JobResult,
  ): void {
    const jobId = jobIdOf(input);
    const parsed = result(input);
    const job = this.#jobs.get(jobId);
    if (job === undefined || job.region !== ctx.region) throw jobNotFound(jobId);
    if (job.status !== 'InProgress') throw invalidJobState(jobId, job.status);
    job.status = parsed.kind === 'success' ? 'Succeeded' : 'Failed';
    job.result = parsed;
  }

  #pipelineArn(region: string, name: string): string {
    return `arn:aws:codepipeline:${region}:${this.#accountId}:${name}`;
  }

  async handle(operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    switch (operation) {
      case 'PutJobSuccessResult':
        this.#authorize(ctx, operation, 'codepipeline:PutJobSuccessResult', '*');
        this.#report(input, ctx, successResultOf);
        return {};
      case 'PutJobFailureResult':
        this.#authorize(ctx, operation, 'codepipeline:PutJobFailureResult', '*');
        this.#report(input, ctx, failureResultOf);
        return {};
      case 'GetPipelineState': {
        const name = requireString(input, 'name');
        this.#authorize(ctx, operation, 'codepipeline:GetPipelineState', this.#pipelineArn(ctx.region, name));
        return this.#state(ctx.region, name);
      }
      case 'GetPipelineExecution': {
        const name = requireString(input, 'pipelineName');
        const id = requireString(input, 'pipelineExecutionId');
        this.#authorize(
          ctx,
          operation,
          'codepipeline:GetPipelineExecution',
          this.#pipelineArn(ctx.region, name),
        );
        const pipeline = this.#pipeline(ctx.region, name);
        const execution = this.#execution(ctx.region, name, id);
        return {
          pipelineExecution: {
            pipelineName: name,
            pipelineVersion: pipeline.version,
            pipelineExecutionId: id,
            status: execution.status,
            ...(execution.statusSummary === undefined ? {} : { statusSummary: execution.statusSummary }),
            artifactRevisions: [],
          },
        };
      }
      default:
        throw unknownOperation(operation);
    }
  }

  #state(region: string, name: string): unknown {
    if (name.length > 100)
      throw validation(
        `Value '${name}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 100`,
      );
    const pipeline = this.#pipeline(region, name);
    return {
      pipelineName: pipeline.name,
      pipelineVersion: pipeline.version,
      created: pipeline.created,
      updated: pipeline.updated,
      stageStates: pipeline.stages.map((stage) => ({
        stageName: stage.stageName,
        inboundTransitionState: { enabled: true },
        actionStates: stage.actionStates.map((action) => ({
          actionName: action.actionName,
          ...(action.latestExecution === undefined
            ? {}
            : { latestExecution: publicActionExecution(action.latestExecution) }),
        })),
        ...(stage.latestExecution === undefined ? {} : { latestExecution: stage.latestExecution }),
      })),
    };
  }
}

/** An action execution as GetPipelineState shows it (output variables are not part of it). */
function publicActionExecution(state: ActionExecutionState): Record<string, unknown> {
  const { outputVariables: _variables, ...shown } = state;
  return shown;
}
