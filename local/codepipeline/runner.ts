/**
 * A small local CodePipeline: runs a pipeline's stages in order on the local stack — a source action that
 * puts the source object into the pipeline's artifact store, a "build" callback that writes its output
 * artifact there (SSE-KMS with the store's key), and Lambda invoke actions (the relay's pipeline action)
 * — creating each invoke action's job in the documented shape, invoking the handler, invoking it again
 * with a new job carrying the continuation token while it answers with one, and recording stage and action
 * states in the local CodePipeline (GetPipelineState / GetPipelineExecution read them). A failed stage can
 * be retried (a new job for each of its actions, in the same pipeline execution), as RetryStageExecution
 * does. `runLocalPipeline` is what `relay demo --pipeline` is meant to call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { LocalStack } from '../index.ts';
import type { LocalPipelineActionHandler } from './action-handler.ts';
import { type JobArtifact, jobEvent } from './event.ts';
import type { ActionExecutionState } from './model.ts';
import { CODEPIPELINE_NAMESPACE, resolveVariables, UnresolvedVariable } from './variables.ts';

/** Where the pipeline keeps its artifacts: a bucket of the local S3, optionally with a KMS key. */
export interface LocalArtifactStore {
  readonly bucket: string;
  /** The bucket's region, which is the pipeline's. */
  readonly region: string;
  /** The key artifacts are written with (SSE-KMS); SSE-S3 without it. */
  readonly kmsKeyArn?: string;
}

/** A source action: produces the source bytes, stored as its output artifact. */
export interface LocalSourceAction {
  readonly kind: 'source';
  readonly name: string;
  readonly outputArtifact: string;
  readonly produce: () => Promise<Buffer | string>;
}

/** A build action: turns its input artifacts' bytes into its output artifact. */
export interface LocalBuildAction {
  readonly kind: 'build';
  readonly name: string;
  readonly inputArtifacts: readonly string[];
  readonly outputArtifact: string;
  readonly build: (inputs: Readonly<Record<string, Buffer>>) => Promise<Buffer | string>;
}

/** A Lambda invoke action. */
export interface LocalInvokeAction {
  readonly kind: 'invoke';
  readonly name: string;
  readonly inputArtifacts: readonly string[];
  /** The function's name, as the job's `FunctionName`. */
  readonly functionName: string;
  /** `UserParameters`; `#{…}` variable references are resolved first. */
  readonly userParameters?: string;
  /** Its output variables become `#{namespace.key}` for later actions. */
  readonly namespace?: string;
  readonly handler: LocalPipelineActionHandler;
}

/** An action of a stage; actions of a stage run one after the other. */
export type LocalPipelineAction = LocalSourceAction | LocalBuildAction | LocalInvokeAction;

/** A pipeline. */
export interface LocalPipelineDefinition {
  /** 1-100 of `A-Za-z0-9.@_-`. */
  readonly name: string;
  readonly artifactStore: LocalArtifactStore;
  readonly stages: ReadonlyArray<{ readonly name: string; readonly actions: readonly LocalPipelineAction[] }>;
}

/** How an action ended in a run. */
export interface LocalActionOutcome {
  readonly stage: string;
  readonly action: string;
  readonly status: 'Succeeded' | 'Failed';
  readonly summary?: string;
  readonly errorDetails?: { readonly code: string; readonly message: string };
  readonly outputVariables?: Readonly<Record<string, string>>;
  readonly externalExecutionId?: string;
  /** Jobs created for it (invoke actions): the first, and one per continuation. */
  readonly jobs: number;
}

/** What a run (or a retry) ended with. */
export interface LocalPipelineRun {
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  readonly status: 'Succeeded' | 'Failed';
  /** The stage that failed, when one did. */
  readonly failedStage?: string;
  readonly actions: readonly LocalActionOutcome[];
  /** The artifacts the run produced, by name. */
  readonly artifacts: Readonly<Record<string, JobArtifact>>;
}

/** Options of a run. */
export interface LocalPipelineRunOptions {
  /** The pause before the job that continues an invoke action. @default 20 ms */
  readonly continuationDelayMs?: number;
  /** Jobs one invoke action may take before the run fails it (CodePipeline's 24-hour cap). @default 10,000 */
  readonly maxJobsPerAction?: number;
  /** Waits between jobs. @default a timer */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Raised for a definition the runner cannot run. */
export class InvalidLocalPipeline extends Error {
  override readonly name = 'InvalidLocalPipeline';
}

interface RunState {
  readonly pipelineExecutionId: string;
  readonly artifacts: Record<string, JobArtifact>;
  readonly namespaces: Map<string, Readonly<Record<string, string>>>;
  readonly actions: LocalActionOutcome[];
}

const NAME = /^[A-Za-z0-9.@_-]{1,100}$/;

function check(definition: LocalPipelineDefinition): void {
  const problems: string[] = [];
  if (!NAME.test(definition.name)) problems.push(`pipeline name ${JSON.stringify(definition.name)}`);
  const stages = new Set<string>();
  for (const stage of definition.stages) {
    if (!NAME.test(stage.name) || stages.has(stage.name))
      problems.push(`stage name ${JSON.stringify(stage.name)}`);
    stages.add(stage.name);
    const actions = new Set<string>();
    for (const action of stage.actions) {
      if (!NAME.test(action.name) || actions.has(action.name)) {
        problems.push(`action name ${JSON.stringify(action.name)} in stage ${stage.name}`);
      }
      actions.add(action.name);
    }
  }
  if (definition.stages.length < 2) problems.push('a pipeline has at least two stages');
  if (problems.length > 0) {
    throw new InvalidLocalPipeline(
      `The pipeline cannot run: ${problems.join('; ')} (names are 1-100 of A-Za-z0-9.@_-, unique in their scope)`,
    );
  }
}

/** Runs pipelines on a local stack. */
export class LocalPipelineRunner {
  readonly #stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals' | 'codePipeline'>;
  readonly #definition: LocalPipelineDefinition;
  readonly #options: LocalPipelineRunOptions;
  readonly #s3: S3Client;
  readonly #runs = new Map<string, RunState>();

  constructor(
    stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals' | 'codePipeline'>,
    definition: LocalPipelineDefinition,
    options: LocalPipelineRunOptions = {},
  ) {
    check(definition);
    this.#stack = stack;
    this.#definition = definition;
    this.#options = options;
    // CodePipeline's own access to its artifact store (the pipeline's service role): an administrator key.
    const credentials = {
      accessKeyId: `relay-codepipeline-${randomUUID().slice(0, 8)}`,
      secretAccessKey: randomBytes(30).toString('base64'),
    };
    stack.principals.registerAdministrator({ ...credentials, account: stack.accountId });
    this.#s3 = new S3Client({
      endpoint: stack.endpoint,
      region: definition.artifactStore.region,
      forcePathStyle: true,
      credentials,
    });
    stack.codePipeline.declarePipeline({
      name: definition.name,
      region: definition.artifactStore.region,
      stages: definition.stages.map((stage) => ({
        name: stage.name,
        actions: stage.actions.map((a) => a.name),
      })),
    });
  }

  /** Releases the runner's client. */
  dispose(): void {
    this.#s3.destroy();
  }

  /** Starts a pipeline execution and runs it to its end. */
  async run(): Promise<LocalPipelineRun> {
    const region = this.#definition.artifactStore.region;
    const pipelineExecutionId = this.#stack.codePipeline.startPipelineExecution(
      region,
      this.#definition.name,
    );
    const state: RunState = {
      pipelineExecutionId,
      artifacts: {},
      namespaces: new Map([[CODEPIPELINE_NAMESPACE, { PipelineExecutionId: pipelineExecutionId }]]),
      actions: [],
    };
    this.#runs.set(pipelineExecutionId, state);
    return this.#runFrom(state, 0);
  }

  /**
   * Retries the failed stage of a run (RetryStageExecution with ALL_ACTIONS): its actions run again — an
   * invoke action as a new job — in the same pipeline execution, then the later stages.
   *
   * @throws InvalidLocalPipeline when the run did not fail
   */
  async retryFailedStage(run: LocalPipelineRun): Promise<LocalPipelineRun> {
    const state = this.#runs.get(run.pipelineExecutionId);
    const index = this.#definition.stages.findIndex((stage) => stage.name === run.failedStage);
    if (state === undefined || index === -1) {
      throw new InvalidLocalPipeline(
        `Pipeline execution ${run.pipelineExecutionId} has no failed stage to retry`,
      );
    }
    this.#stack.codePipeline.endPipelineExecution(
      this.#definition.artifactStore.region,
      this.#definition.name,
      state.pipelineExecutionId,
      'InProgress',
    );
    return this.#runFrom(state, index);
  }

  async #runFrom(state: RunState, firstStage: number): Promise<LocalPipelineRun> {
    const region = this.#definition.artifactStore.region;
    const service = this.#stack.codePipeline;
    for (const stage of this.#definition.stages.slice(firstStage)) {
      const placement = {
        region,
        pipelineName: this.#definition.name,
        pipelineExecutionId: state.pipelineExecutionId,
        stageName: stage.name,
      };
      service.setStageState(placement, 'InProgress');
      for (const action of stage.actions) {
        const outcome = await this.#runAction(state, stage.name, action);
        state.actions.push(outcome);
        if (outcome.status === 'Failed') {
          service.setStageState(placement, 'Failed');
          service.endPipelineExecution(
            region,
            this.#definition.name,
            state.pipelineExecutionId,
            'Failed',
            `Stage ${stage.name} failed: ${outcome.errorDetails?.message ?? 'the action failed'}`,
          );
          return this.#result(state, 'Failed', stage.name);
        }
      }
      service.setStageState(placement, 'Succeeded');
    }
    service.endPipelineExecution(region, this.#definition.name, state.pipelineExecutionId, 'Succeeded');
    return this.#result(state, 'Succeeded');
  }

  #result(state: RunState, status: 'Succeeded' | 'Failed', failedStage?: string): LocalPipelineRun {
    return {
      pipelineName: this.#definition.name,
      pipelineExecutionId: state.pipelineExecutionId,
      status,
      ...(failedStage === undefined ? {} : { failedStage }),
      actions: [...state.actions],
      artifacts: { ...state.artifacts },
    };
  }

  #placement(state: RunState, stage: string, action: string) {
    return {
      region: this.#definition.artifactStore.region,
      pipelineName: this.#definition.name,
      pipelineExecutionId: state.pipelineExecutionId,
      stageName: stage,
      actionName: action,
    };
  }

  async #runAction(state: RunState, stage: string, action: LocalPipelineAction): Promise<LocalActionOutcome> {
    const placement = this.#placement(state, stage, action.name);
    const actionExecutionId = randomUUID();
    this.#stack.codePipeline.setActionState(placement, { actionExecutionId, status: 'InProgress' });
    let outcome: LocalActionOutcome;
    try {
      outcome =
        action.kind === 'invoke'
          ? await this.#invoke(state, stage, action, actionExecutionId)
          : await this.#produce(state, stage, action);
    } catch (err) {
      outcome = {
        stage,
        action: action.name,
        status: 'Failed',
        errorDetails: {
          code: err instanceof UnresolvedVariable ? 'ConfigurationError' : 'JobFailed',
          message: err instanceof Error ? err.message : String(err),
        },
        jobs: 0,
      };
    }
    const recorded: Omit<ActionExecutionState, 'lastStatusChange'> = {
      actionExecutionId,
      status: outcome.status,
      ...(outcome.summary === undefined ? {} : { summary: outcome.summary }),
      ...(outcome.errorDetails === undefined ? {} : { errorDetails: { ...outcome.errorDetails } }),
      ...(outcome.externalExecutionId === undefined
        ? {}
        : { externalExecutionId: outcome.externalExecutionId }),
      ...(outcome.outputVariables === undefined ? {} : { outputVariables: outcome.outputVariables }),
    };
    this.#stack.codePipeline.setActionState(placement, recorded);
    return outcome;
  }

  async #read(artifact: JobArtifact): Promise<Buffer> {
    const got = await this.#s3.send(new GetObjectCommand({ Bucket: artifact.bucket, Key: artifact.key }));
    return Buffer.from((await got.Body?.transformToByteArray()) ?? new Uint8Array());
  }

  /** A source or build action: its output artifact, written to the store (SSE-KMS with its key). */
  async #produce(
    state: RunState,
    stage: string,
    action: LocalSourceAction | LocalBuildAction,
  ): Promise<LocalActionOutcome> {
    let body: Buffer | string;
    if (action.kind === 'source') body = await action.produce();
    else {
      const inputs: Record<string, Buffer> = {};
      for (const name of action.inputArtifacts) inputs[name] = await this.#read(this.#artifact(state, name));
      body = await action.build(inputs);
    }
    const store = this.#definition.artifactStore;
    // CodePipeline's artifact keys: <pipeline name, cut>/<artifact name, cut>/<random id>.
    const key = `${this.#definition.name.slice(0, 20)}/${action.outputArtifact.slice(0, 20)}/${randomBytes(4).toString('hex')}`;
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: store.bucket,
        Key: key,
        Body: body,
        ...(store.kmsKeyArn === undefined
          ? {}
          : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: store.kmsKeyArn }),
      }),
    );
    state.artifacts[action.outputArtifact] = { name: action.outputArtifact, bucket: store.bucket, key };
    return {
      stage,
      action: action.name,
      status: 'Succeeded',
      summary: `Wrote ${action.outputArtifact}`,
      jobs: 0,
    };
  }

  #artifact(state: RunState, name: string): JobArtifact {
    const artifact = state.artifacts[name];
    if (artifact === undefined)
      throw new InvalidLocalPipeline(`No earlier action produced the artifact ${name}`);
    return artifact;
  }

  /** An invoke action: jobs until the handler reports a final result. */
  async #invoke(
    state: RunState,
    stage: string,
    action: LocalInvokeAction,
    actionExecutionId: string,
  ): Promise<LocalActionOutcome> {
    const service = this.#stack.codePipeline;
    const placement = this.#placement(state, stage, action.name);
    const inputArtifacts = action.inputArtifacts.map((name) => this.#artifact(state, name));
    const userParameters =
      action.userParameters === undefined
        ? undefined
        : resolveVariables(action.userParameters, state.namespaces);
    const delay = this.#options.continuationDelayMs ?? 20;
    const sleep =
      this.#options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    const maxJobs = this.#options.maxJobsPerAction ?? 10_000;
    let continuationToken: string | undefined;
    for (let jobs = 1; jobs <= maxJobs; jobs++) {
      const jobId = service.createJob(placement);
      const event = jobEvent({
        jobId,
        accountId: this.#stack.accountId,
        functionName: action.functionName,
        ...(userParameters === undefined ? {} : { userParameters }),
        inputArtifacts,
        ...(continuationToken === undefined ? {} : { continuationToken }),
        ...(this.#definition.artifactStore.kmsKeyArn === undefined
          ? {}
          : { encryptionKeyId: this.#definition.artifactStore.kmsKeyArn }),
      });
      try {
        await action.handler(event);
      } catch (err) {
        // A function error: CodePipeline hears nothing and the action times out; here it fails at once.
        return this.#failed(
          stage,
          action,
          'JobFailed',
          `The function failed without reporting a result: ${err instanceof Error ? err.message : String(err)}`,
          jobs,
        );
      }
      const result = service.job(jobId)?.result;
      if (result === undefined) {
        return this.#failed(
          stage,
          action,
          'JobFailed',
          'The function returned without calling PutJobSuccessResult or PutJobFailureResult',
          jobs,
        );
      }
      if (result.kind === 'failure') {
        return {
          ...this.#failed(stage, action, result.type, result.message, jobs),
          ...(result.externalExecutionId === undefined
            ? {}
            : { externalExecutionId: result.externalExecutionId }),
        };
      }
      const details = {
        ...(result.summary === undefined ? {} : { summary: result.summary }),
        ...(result.externalExecutionId === undefined
          ? {}
          : { externalExecutionId: result.externalExecutionId }),
      };
      if (result.continuationToken === undefined) {
        const variables = result.outputVariables ?? {};
        if (action.namespace !== undefined) state.namespaces.set(action.namespace, variables);
        return {
          stage,
          action: action.name,
          status: 'Succeeded',
          ...details,
          outputVariables: variables,
          jobs,
        };
      }
      continuationToken = result.continuationToken;
      service.setActionState(placement, { actionExecutionId, status: 'InProgress', ...details });
      await sleep(delay);
    }
    return this.#failed(
      stage,
      action,
      'JobFailed',
      `The action did not finish within ${maxJobs} jobs`,
      maxJobs,
    );
  }

  #failed(
    stage: string,
    action: LocalPipelineAction,
    code: string,
    message: string,
    jobs: number,
  ): LocalActionOutcome {
    return { stage, action: action.name, status: 'Failed', errorDetails: { code, message }, jobs };
  }
}

/** Runs one execution of `definition` on the stack and returns how it ended. */
export async function runLocalPipeline(
  stack: Pick<LocalStack, 'endpoint' | 'accountId' | 'principals' | 'codePipeline'>,
  definition: LocalPipelineDefinition,
  options: LocalPipelineRunOptions = {},
): Promise<LocalPipelineRun> {
  const runner = new LocalPipelineRunner(stack, definition, options);
  try {
    return await runner.run();
  } finally {
    runner.dispose();
  }
}
