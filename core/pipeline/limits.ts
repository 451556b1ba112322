/**
 * CodePipeline's documented limits the relay's pipeline action must respect, each in one place. The
 * sources are the CodePipeline API Reference (PutJobSuccessResult, PutJobFailureResult, FailureDetails,
 * ExecutionDetails) and the CodePipeline User Guide ("Quotas in AWS CodePipeline", "Variables
 * reference").
 */

/** PutJobSuccessResult `continuationToken`: 1 to 2,048 characters. */
export const MAX_CONTINUATION_TOKEN_LENGTH = 2048;

/** FailureDetails `message`: 1 to 5,000 characters. */
export const MAX_FAILURE_MESSAGE_LENGTH = 5000;

/** ExecutionDetails `summary`: at most 2,048 characters. */
export const MAX_EXECUTION_SUMMARY_LENGTH = 2048;

/** ExecutionDetails / FailureDetails `externalExecutionId`: 1 to 1,500 characters. */
export const MAX_EXTERNAL_EXECUTION_ID_LENGTH = 1500;

/** Output variable keys (PutJobSuccessResult `outputVariables`): `[A-Za-z0-9@\-_]+`. */
export const OUTPUT_VARIABLE_KEY_PATTERN = /^[A-Za-z0-9@\-_]+$/;

/**
 * The size cap of all output variables of one action together ("Quotas in AWS CodePipeline"),
 * counted here as the UTF-8 bytes of every key and value. Past it CodePipeline refuses the result
 * with OutputVariablesSizeExceededException.
 */
export const MAX_OUTPUT_VARIABLES_BYTES = 122_880;

/** An action configuration field (such as `UserParameters`) holds at most 1,000 characters. */
export const MAX_CONFIGURATION_FIELD_LENGTH = 1000;

/**
 * How long CodePipeline waits for the Lambda invoke action's next answer: an action that has not
 * answered for 20 minutes times out ("Quotas in AWS CodePipeline"); each answer with a continuation
 * token restarts that timer. The action answers far inside it (one Lambda invocation).
 */
export const ACTION_REPLY_TIMEOUT_MS = 20 * 60 * 1000;

/** The whole Lambda invoke action ends after 24 hours, continuation tokens or not. */
export const ACTION_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** CodePipeline job ids are UUIDs (the API's `JobId` pattern). */
export const JOB_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The failure types PutJobFailureResult accepts (FailureDetails `type`). */
export const FAILURE_TYPES = [
  'JobFailed',
  'ConfigurationError',
  'PermissionError',
  'RevisionOutOfSync',
  'RevisionUnavailable',
  'SystemUnavailable',
] as const;

/** A PutJobFailureResult failure type. */
export type FailureType = (typeof FAILURE_TYPES)[number];

/** Cuts `text` to `max` characters, ending in `…` when it was longer. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
