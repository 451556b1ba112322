import type { FailureType } from '../../core/pipeline/limits.ts';

/**
 * What the pipeline action needs of CodePipeline: the two job result calls, with the members of the
 * CodePipeline API (PutJobSuccessResult, PutJobFailureResult) — so an SDK client's commands take
 * these inputs as they are.
 */

/** ExecutionDetails of a job result. */
export interface JobExecutionDetails {
  readonly summary?: string;
  readonly externalExecutionId?: string;
  readonly percentComplete?: number;
}

/** PutJobSuccessResult's input. */
export interface JobSuccessInput {
  readonly jobId: string;
  /** Set while the work goes on: CodePipeline invokes the action again with it. */
  readonly continuationToken?: string;
  readonly executionDetails?: JobExecutionDetails;
  /** Only on the final result (never with a continuation token). */
  readonly outputVariables?: Readonly<Record<string, string>>;
}

/** PutJobFailureResult's input. */
export interface JobFailureInput {
  readonly jobId: string;
  readonly failureDetails: {
    readonly type: FailureType;
    readonly message: string;
    readonly externalExecutionId?: string;
  };
}

/** Reports a job's result to CodePipeline. */
export interface JobResultReporter {
  putJobSuccessResult(input: JobSuccessInput, signal?: AbortSignal): Promise<void>;
  putJobFailureResult(input: JobFailureInput, signal?: AbortSignal): Promise<void>;
}
