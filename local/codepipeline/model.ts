/**
 * What the local CodePipeline keeps: the jobs of Lambda invoke actions, pipelines and their executions
 * with the state of each stage and action — in the shapes GetPipelineState and GetPipelineExecution
 * answer.
 */

/** A job's life: in progress until the worker reports, then what it reported. */
export type JobStatus = 'InProgress' | 'Succeeded' | 'Failed';

/** What a job's worker reported. */
export type JobResult =
  | {
      readonly kind: 'success';
      readonly continuationToken?: string;
      readonly outputVariables?: Readonly<Record<string, string>>;
      readonly summary?: string;
      readonly externalExecutionId?: string;
      readonly percentComplete?: number;
    }
  | {
      readonly kind: 'failure';
      readonly type: string;
      readonly message: string;
      readonly externalExecutionId?: string;
    };

/** One job. */
export interface JobRecord {
  readonly id: string;
  readonly pipelineName: string;
  readonly pipelineExecutionId: string;
  readonly stageName: string;
  readonly actionName: string;
  status: JobStatus;
  result?: JobResult;
}

/** An action execution's status (ActionExecution `status`). */
export type ActionExecutionStatus = 'InProgress' | 'Abandoned' | 'Succeeded' | 'Failed';

/** A pipeline execution's status (PipelineExecution `status`). */
export type PipelineExecutionStatus =
  | 'InProgress'
  | 'Stopped'
  | 'Stopping'
  | 'Succeeded'
  | 'Superseded'
  | 'Failed';

/** The latest execution of an action (ActionState `latestExecution`). */
export interface ActionExecutionState {
  actionExecutionId: string;
  status: ActionExecutionStatus;
  summary?: string;
  lastStatusChange: Date;
  externalExecutionId?: string;
  percentComplete?: number;
  errorDetails?: { code: string; message: string };
  /** Not part of GetPipelineState: what the action reported (ListActionExecutions shows them). */
  outputVariables?: Readonly<Record<string, string>>;
}

/** An action of a stage, with its latest execution. */
export interface ActionStateRecord {
  readonly actionName: string;
  latestExecution?: ActionExecutionState;
}

/** A stage, with its actions and the pipeline execution it last ran in. */
export interface StageStateRecord {
  readonly stageName: string;
  readonly actionStates: ActionStateRecord[];
  latestExecution?: {
    pipelineExecutionId: string;
    status: 'InProgress' | 'Failed' | 'Stopped' | 'Succeeded' | 'Cancelled';
  };
}

/** A pipeline execution. */
export interface PipelineExecutionRecord {
  readonly pipelineExecutionId: string;
  status: PipelineExecutionStatus;
  statusSummary?: string;
  readonly startTime: Date;
  lastUpdateTime: Date;
}

/** A pipeline: its stages (in order) and executions. */
export interface PipelineRecord {
  readonly name: string;
  readonly version: number;
  readonly created: Date;
  updated: Date;
  readonly stages: StageStateRecord[];
  readonly executions: Map<string, PipelineExecutionRecord>;
}
