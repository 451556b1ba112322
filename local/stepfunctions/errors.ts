/**
 * Errors of the local Step Functions. The API errors build an {@link AwsJsonError} whose code is the
 * exception shape of the Step Functions API, so SDK clients raise their modelled classes. The runtime
 * errors are thrown into aws-local-stepfunctions, which matches `Retry`/`Catch` on `error.name`.
 */
import { AwsJsonError } from '../protocol/json.ts';

const error = (code: string, message: string): AwsJsonError => new AwsJsonError(code, message);

export const invalidArn = (arn: string): AwsJsonError => error('InvalidArn', `Invalid Arn: '${arn}'`);
export const invalidName = (name: string): AwsJsonError =>
  error(
    'InvalidName',
    `Invalid Name: '${name}' (1 to 80 characters; no white space, brackets, wildcards, control characters or any of " # % \\ ^ | ~ \` $ & , ; : /)`,
  );
export const invalidDefinition = (reason: string): AwsJsonError =>
  error('InvalidDefinition', `Invalid State Machine Definition: '${reason}'`);
export const stateMachineAlreadyExists = (arn: string): AwsJsonError =>
  error('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
export const stateMachineDoesNotExist = (arn: string): AwsJsonError =>
  error('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
export const stateMachineTypeNotSupported = (type: string): AwsJsonError =>
  error(
    'StateMachineTypeNotSupported',
    `The local stack runs STANDARD state machines only; '${type}' is not supported`,
  );
export const executionDoesNotExist = (arn: string): AwsJsonError =>
  error('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const executionAlreadyExists = (arn: string): AwsJsonError =>
  error('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
export const invalidExecutionInput = (reason: string): AwsJsonError =>
  error('InvalidExecutionInput', `Invalid State Machine Execution Input: '${reason}'`);
export const executionNotRedrivable = (arn: string, reason: string): AwsJsonError =>
  error('ExecutionNotRedrivable', `Execution '${arn}' cannot be redriven: ${reason}`);
export const invalidToken = (token: string): AwsJsonError =>
  error('InvalidToken', `Invalid Token: '${token}'`);
export const validation = (message: string): AwsJsonError => error('ValidationException', message);
export const unknownOperation = (operation: string): AwsJsonError =>
  error('UnknownOperationException', `The local Step Functions does not implement ${operation}`);

/**
 * A state's failure as the state machine sees it: `name` is the ASL error name (`ErrorEquals`), `message`
 * the cause. `retryable`/`catchable` follow the library's contract for `Retry` and `Catch`.
 */
export class StateFailure extends Error {
  constructor(
    errorName: string,
    cause: string,
    private readonly retryable = true,
    private readonly catchable = true,
  ) {
    super(cause);
    this.name = errorName;
  }

  get isRetryable(): boolean {
    return this.retryable;
  }

  get isCatchable(): boolean {
    return this.catchable;
  }
}

/** A Task whose resource has no handler registered; never retried, so a `Catch` sees it at once. */
export class NoTaskHandlerError extends StateFailure {
  constructor(cause: string) {
    super('Local.NoTaskHandler', cause, false, true);
  }
}

/** `States.Runtime`: a problem in the definition or data that neither `Retry` nor `Catch` may handle. */
export class StatesRuntimeError extends StateFailure {
  constructor(cause: string) {
    super('States.Runtime', cause, false, false);
  }
}

/** A value crossing a state boundary exceeded Step Functions' 256 KiB payload limit. */
export class DataLimitExceededError extends StateFailure {
  constructor(cause: string) {
    super('States.DataLimitExceeded', cause, false, false);
  }
}

/** Thrown into a state whose branch or execution is being stopped. */
export class BranchAbortedError extends StateFailure {
  constructor() {
    super('Local.Aborted', 'The execution or branch was stopped', false, false);
  }
}
