import {
  type CodePipelineClient,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
} from '@aws-sdk/client-codepipeline';
import type { FailureType } from '../../core/pipeline/limits.ts';
import { sendOptions } from '../shared/aws-call.ts';

/**
 * The pipeline action's two CodePipeline calls, PutJobSuccessResult and PutJobFailureResult, through
 * the SDK's CodePipeline client (the JSON 1.1 protocol and Signature Version 4 are the client's). Their
 * inputs are the API's members (CodePipeline API Reference), typed a little tighter: the failure type is
 * core/pipeline's {@link FailureType}.
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

/** PutJobSuccessResult: the job succeeded, or (with a continuation token) goes on. */
export async function putJobSuccess(
  codePipeline: CodePipelineClient,
  input: JobSuccessInput,
  signal?: AbortSignal,
): Promise<void> {
  await codePipeline.send(
    new PutJobSuccessResultCommand({
      jobId: input.jobId,
      ...(input.continuationToken === undefined ? {} : { continuationToken: input.continuationToken }),
      ...(input.executionDetails === undefined ? {} : { executionDetails: { ...input.executionDetails } }),
      ...(input.outputVariables === undefined ? {} : { outputVariables: { ...input.outputVariables } }),
    }),
    sendOptions(signal),
  );
}

/** PutJobFailureResult: the job failed, with what to fix. */
export async function putJobFailure(
  codePipeline: CodePipelineClient,
  input: JobFailureInput,
  signal?: AbortSignal,
): Promise<void> {
  await codePipeline.send(
    new PutJobFailureResultCommand({ jobId: input.jobId, failureDetails: { ...input.failureDetails } }),
    sendOptions(signal),
  );
}
