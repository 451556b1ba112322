/**
 * The CodePipeline errors the local service answers with: each an {@link AwsJsonError} whose code is the
 * exception shape name of the CodePipeline API, so SDK clients raise their modelled exceptions.
 */
import { AwsJsonError } from '../protocol/json.ts';

function error(code: string, message: string): AwsJsonError {
  return new AwsJsonError(code, message);
}

/** A request member breaks the API's constraints (the JSON protocol's `ValidationException`). */
export const validation = (message: string): AwsJsonError => error('ValidationException', message);

export const jobNotFound = (jobId: string): AwsJsonError =>
  error('JobNotFoundException', `The job was specified in an invalid format or cannot be found: ${jobId}`);

export const invalidJobState = (jobId: string, status: string): AwsJsonError =>
  error(
    'InvalidJobStateException',
    `The job ${jobId} is ${status}; only a job in progress can report a result`,
  );

export const outputVariablesSizeExceeded = (bytes: number, max: number): AwsJsonError =>
  error(
    'OutputVariablesSizeExceededException',
    `The output variables are ${bytes} bytes; the total size limit for all variables is ${max} bytes`,
  );

export const pipelineNotFound = (name: string): AwsJsonError =>
  error('PipelineNotFoundException', `Account does not have a pipeline with name '${name}'`);

export const pipelineExecutionNotFound = (id: string, pipeline: string): AwsJsonError =>
  error(
    'PipelineExecutionNotFoundException',
    `Pipeline execution '${id}' of pipeline '${pipeline}' does not exist`,
  );

export const unknownOperation = (operation: string): AwsJsonError =>
  error('UnknownOperationException', `The local CodePipeline does not serve ${operation}`);
