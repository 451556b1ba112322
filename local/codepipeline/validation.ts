/**
 * The request checks CodePipeline makes on PutJobSuccessResult and PutJobFailureResult (CodePipeline
 * API Reference: the members' length constraints and patterns; "outputVariables can be included only
 * when there is no continuation token"; the output variables' size quota), answering with the error
 * names CodePipeline uses.
 */
import {
  FAILURE_TYPES,
  JOB_ID_PATTERN,
  MAX_CONTINUATION_TOKEN_LENGTH,
  MAX_EXECUTION_SUMMARY_LENGTH,
  MAX_EXTERNAL_EXECUTION_ID_LENGTH,
  MAX_FAILURE_MESSAGE_LENGTH,
  MAX_OUTPUT_VARIABLES_BYTES,
  OUTPUT_VARIABLE_KEY_PATTERN,
} from '../../core/pipeline/limits.ts';
import { outputVariablesSizeExceeded, validation } from './errors.ts';
import type { JobResult } from './model.ts';

function constraint(member: string, value: unknown, rule: string): never {
  throw validation(
    `1 validation error detected: Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${member}' failed to satisfy constraint: ${rule}`,
  );
}

function record(value: unknown, member: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value))
    constraint(member, value, 'Member must be a structure');
  return value as Record<string, unknown>;
}

function optionalText(
  input: Record<string, unknown>,
  member: string,
  path: string,
  min: number,
  max: number,
): string | undefined {
  const value = input[member];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') constraint(path, value, 'Member must be a string');
  if (value.length < min || value.length > max) {
    constraint(
      path,
      value,
      `Member must have length less than or equal to ${max}, Member must have length greater than or equal to ${min}`,
    );
  }
  return value;
}

/** The job id of a request: present and a UUID. */
export function jobIdOf(input: Record<string, unknown>): string {
  const value = input.jobId;
  if (typeof value !== 'string' || value === '') {
    throw validation(
      "1 validation error detected: Value null at 'jobId' failed to satisfy constraint: Member must not be null",
    );
  }
  if (!JOB_ID_PATTERN.test(value)) {
    constraint('jobId', value, `Member must satisfy regular expression pattern: ${JOB_ID_PATTERN.source}`);
  }
  return value;
}

function executionDetailsOf(
  input: Record<string, unknown>,
): Omit<Extract<JobResult, { kind: 'success' }>, 'kind'> {
  const details = record(input.executionDetails, 'executionDetails');
  if (details === undefined) return {};
  const summary = optionalText(
    details,
    'summary',
    'executionDetails.summary',
    0,
    MAX_EXECUTION_SUMMARY_LENGTH,
  );
  const externalExecutionId = optionalText(
    details,
    'externalExecutionId',
    'executionDetails.externalExecutionId',
    1,
    MAX_EXTERNAL_EXECUTION_ID_LENGTH,
  );
  const percent = details.percentComplete;
  if (percent !== undefined && percent !== null) {
    if (typeof percent !== 'number' || !Number.isInteger(percent) || percent < 0 || percent > 100) {
      constraint(
        'executionDetails.percentComplete',
        percent,
        'Member must have value less than or equal to 100, Member must have value greater than or equal to 0',
      );
    }
  }
  return {
    ...(summary === undefined ? {} : { summary }),
    ...(externalExecutionId === undefined ? {} : { externalExecutionId }),
    ...(typeof percent === 'number' ? { percentComplete: percent } : {}),
  };
}

function outputVariablesOf(input: Record<string, unknown>): Record<string, string> | undefined {
  const variables = record(input.outputVariables, 'outputVariables');
  if (variables === undefined) return undefined;
  let bytes = 0;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(variables)) {
    if (!OUTPUT_VARIABLE_KEY_PATTERN.test(key)) {
      constraint(
        'outputVariables',
        key,
        `Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${OUTPUT_VARIABLE_KEY_PATTERN.source.slice(1, -1)}]`,
      );
    }
    if (typeof value !== 'string') constraint(`outputVariables.${key}`, value, 'Member must be a string');
    bytes += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(value, 'utf8');
    out[key] = value;
  }
  if (bytes > MAX_OUTPUT_VARIABLES_BYTES)
    throw outputVariablesSizeExceeded(bytes, MAX_OUTPUT_VARIABLES_BYTES);
  return out;
}

/**
 * A PutJobSuccessResult request as the result it reports.
 *
 * @throws AwsJsonError ValidationException / OutputVariablesSizeExceededException
 */
export function successResultOf(input: Record<string, unknown>): Extract<JobResult, { kind: 'success' }> {
  const continuationToken = optionalText(
    input,
    'continuationToken',
    'continuationToken',
    1,
    MAX_CONTINUATION_TOKEN_LENGTH,
  );
  const outputVariables = outputVariablesOf(input);
  if (continuationToken !== undefined && outputVariables !== undefined) {
    throw validation(
      'outputVariables can be included only when there is no continuation token on the request',
    );
  }
  return {
    kind: 'success',
    ...(continuationToken === undefined ? {} : { continuationToken }),
    ...(outputVariables === undefined ? {} : { outputVariables }),
    ...executionDetailsOf(input),
  };
}

/**
 * A PutJobFailureResult request as the result it reports.
 *
 * @throws AwsJsonError ValidationException
 */
export function failureResultOf(input: Record<string, unknown>): Extract<JobResult, { kind: 'failure' }> {
  const details = record(input.failureDetails, 'failureDetails');
  if (details === undefined) {
    throw validation(
      "1 validation error detected: Value null at 'failureDetails' failed to satisfy constraint: Member must not be null",
    );
  }
  const type = details.type;
  if (typeof type !== 'string' || !(FAILURE_TYPES as readonly string[]).includes(type)) {
    constraint(
      'failureDetails.type',
      type ?? null,
      `Member must satisfy enum value set: [${FAILURE_TYPES.join(', ')}]`,
    );
  }
  const message = optionalText(details, 'message', 'failureDetails.message', 1, MAX_FAILURE_MESSAGE_LENGTH);
  if (message === undefined) {
    throw validation(
      "1 validation error detected: Value null at 'failureDetails.message' failed to satisfy constraint: Member must not be null",
    );
  }
  const externalExecutionId = optionalText(
    details,
    'externalExecutionId',
    'failureDetails.externalExecutionId',
    1,
    MAX_EXTERNAL_EXECUTION_ID_LENGTH,
  );
  return {
    kind: 'failure',
    type,
    message,
    ...(externalExecutionId === undefined ? {} : { externalExecutionId }),
  };
}
