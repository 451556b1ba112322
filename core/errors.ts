/**
 * The relay's errors — the one module that defines them.
 *
 * Every class carries an explicit, literal `name`: a task Lambda that throws reports it as its
 * `errorType`, and the state machine's `Retry`/`Catch` match `ErrorEquals` on that string, so a
 * name must never be derived from the constructor (minifiers rename classes). `retryable` says
 * whether the state machine retries the step (with backoff and jitter); handlers never loop.
 */

/** Context an error may carry about the AWS call that caused it. */
export interface RelayErrorOptions {
  /** The underlying error, kept as `Error.cause`. */
  readonly cause?: unknown;
  /** The AWS error code (SDK `name` / S3 `Code`), when the error came from AWS. */
  readonly awsCode?: string;
  /** The HTTP status of the failed AWS response. */
  readonly httpStatus?: number;
  /** The operation that failed, such as `s3:CopyObject`. */
  readonly operation?: string;
}

/** The JSON form of a relay error, as written into a target's result. */
export interface RelayErrorJson {
  readonly name: string;
  readonly message: string;
  readonly retryable: boolean;
  readonly awsCode?: string;
  readonly httpStatus?: number;
  readonly operation?: string;
}

/** Base class of every error the relay raises on purpose. */
export class RelayError extends Error {
  override readonly name: string = 'RelayError';
  /** Whether the state machine should retry the step that raised it. */
  readonly retryable: boolean = false;
  declare readonly awsCode?: string;
  declare readonly httpStatus?: number;
  declare readonly operation?: string;

  constructor(message: string, options: RelayErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    if (options.awsCode !== undefined) this.awsCode = options.awsCode;
    if (options.httpStatus !== undefined) this.httpStatus = options.httpStatus;
    if (options.operation !== undefined) this.operation = options.operation;
  }

  /** A plain-object form that survives JSON (Step Functions state, results, logs). */
  toJSON(): RelayErrorJson {
    return {
      name: this.name,
      message: this.message,
      retryable: this.retryable,
      ...(this.awsCode === undefined ? {} : { awsCode: this.awsCode }),
      ...(this.httpStatus === undefined ? {} : { httpStatus: this.httpStatus }),
      ...(this.operation === undefined ? {} : { operation: this.operation }),
    };
  }
}

/** The configuration is invalid; `problems` lists every problem, one line each. */
export class ConfigInvalid extends RelayError {
  override readonly name = 'ConfigInvalid';
  override readonly retryable = false;
  /** One line per problem: `path: what is wrong (got X; allowed: …)`. */
  readonly problems: readonly string[];
  /** Where the configuration came from (a file path or a label). */
  readonly sourceName: string;

  constructor(sourceName: string, problems: readonly string[], options: RelayErrorOptions = {}) {
    const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
    super(
      `Invalid relay configuration in ${sourceName} (${count}):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      options,
    );
    this.sourceName = sourceName;
    this.problems = [...problems];
  }
}

/** The workflow input is not one of the accepted shapes, or names something invalid. */
export class InvalidInput extends RelayError {
  override readonly name = 'InvalidInput';
  override readonly retryable = false;
}

/** The source object (or its bucket, or the pinned version) no longer exists. */
export class SourceGone extends RelayError {
  override readonly name = 'SourceGone';
  override readonly retryable = false;
}

/** The source object changed since the event (the pinned ETag no longer matches). */
export class SourceChanged extends RelayError {
  override readonly name = 'SourceChanged';
  override readonly retryable = false;
}

/** The source object is archived (S3 Glacier Flexible Retrieval / Deep Archive) and must be restored first. */
export class SourceArchived extends RelayError {
  override readonly name = 'SourceArchived';
  override readonly retryable = false;
}

/** Options of {@link AccessDenied}: which request was denied, for advice added where more is known. */
export interface AccessDeniedOptions extends RelayErrorOptions {
  /** Whether the request addressed the source or the target. */
  readonly side?: 'source' | 'target';
  /** The bucket the request addressed. */
  readonly bucket?: string;
  /** The request and its outcome, such as `s3:CopyObject (s3://b/k) failed with AccessDenied (HTTP 403)`. */
  readonly request?: string;
}

/** AWS denied the request: IAM policy, bucket policy, key policy or credentials. */
export class AccessDenied extends RelayError {
  override readonly name = 'AccessDenied';
  override readonly retryable = false;
  declare readonly side?: 'source' | 'target';
  declare readonly bucket?: string;
  declare readonly request?: string;

  constructor(message: string, options: AccessDeniedOptions = {}) {
    super(message, options);
    if (options.side !== undefined) this.side = options.side;
    if (options.bucket !== undefined) this.bucket = options.bucket;
    if (options.request !== undefined) this.request = options.request;
  }
}

/** The target bucket does not exist (or is not visible to the relay's account). */
export class NoSuchTargetBucket extends RelayError {
  override readonly name = 'NoSuchTargetBucket';
  override readonly retryable = false;
}

/** The bucket is not in the region the configuration names. */
export class BucketRegionMismatch extends RelayError {
  override readonly name = 'BucketRegionMismatch';
  override readonly retryable = false;
}

/** The KMS key cannot be used: disabled, pending deletion, missing, wrong usage. */
export class KmsKeyUnusable extends RelayError {
  override readonly name = 'KmsKeyUnusable';
  override readonly retryable = false;
}

/** The target bucket refuses a setting the target asks for (an ACL, a storage class). */
export class UnsupportedTargetSetting extends RelayError {
  override readonly name = 'UnsupportedTargetSetting';
  override readonly retryable = false;
}

/** The replica is not proven identical to the source. */
export class VerificationFailed extends RelayError {
  override readonly name = 'VerificationFailed';
  override readonly retryable = false;
}

/** The object is too large for the copy that was attempted (or for S3 altogether). */
export class CopyTooLarge extends RelayError {
  override readonly name = 'CopyTooLarge';
  override readonly retryable = false;
}

/** The destination key would be empty or longer than S3's 1,024-byte limit. */
export class InvalidDestinationKey extends RelayError {
  override readonly name = 'InvalidDestinationKey';
  override readonly retryable = false;
}

/** The multipart upload being continued no longer exists (aborted, or expired by a lifecycle rule). */
export class MultipartUploadGone extends RelayError {
  override readonly name = 'MultipartUploadGone';
  override readonly retryable = false;
}

/** CodeDeploy refused to create the deployment (unknown application/group/config, invalid revision). */
export class DeploymentRejected extends RelayError {
  override readonly name = 'DeploymentRejected';
  override readonly retryable = false;
}

/** Options of {@link DeploymentFailed}. */
export interface DeploymentFailedOptions extends RelayErrorOptions {
  /** CodeDeploy's `errorInformation.code`, such as `SCRIPT_FAILED`. */
  readonly deploymentErrorCode?: string;
  /** The deployment's final status: `Failed` or `Stopped`. */
  readonly deploymentStatus?: string;
}

/** The deployment ended `Failed` or `Stopped`. */
export class DeploymentFailed extends RelayError {
  override readonly name = 'DeploymentFailed';
  override readonly retryable = false;
  readonly deploymentId: string;
  declare readonly deploymentErrorCode?: string;
  declare readonly deploymentStatus?: string;

  constructor(deploymentId: string, message: string, options: DeploymentFailedOptions = {}) {
    super(message, options);
    this.deploymentId = deploymentId;
    if (options.deploymentErrorCode !== undefined) this.deploymentErrorCode = options.deploymentErrorCode;
    if (options.deploymentStatus !== undefined) this.deploymentStatus = options.deploymentStatus;
  }

  override toJSON(): RelayErrorJson & {
    deploymentId: string;
    deploymentErrorCode?: string;
    deploymentStatus?: string;
  } {
    return {
      ...super.toJSON(),
      deploymentId: this.deploymentId,
      ...(this.deploymentErrorCode === undefined ? {} : { deploymentErrorCode: this.deploymentErrorCode }),
      ...(this.deploymentStatus === undefined ? {} : { deploymentStatus: this.deploymentStatus }),
    };
  }
}

/** The deployment did not reach a terminal status within the target's wait timeout. */
export class DeploymentTimedOut extends RelayError {
  override readonly name = 'DeploymentTimedOut';
  override readonly retryable = false;
}

/** The deployment group already has an active deployment; retried with a long backoff. */
export class DeploymentGroupBusy extends RelayError {
  override readonly name = 'DeploymentGroupBusy';
  override readonly retryable = true;
}

/** Throttling, a 5xx answer, a timeout or a dropped connection; retried with backoff and jitter. */
export class TransientAwsError extends RelayError {
  override readonly name = 'TransientAwsError';
  override readonly retryable = true;
}

/**
 * The destination changed between the Copy task's look at it and its conditional write (a lost race:
 * S3 answered 412 to `If-Match`/`If-None-Match`); nothing was written. Internal to the Copy task, which
 * settles it by looking again (`in-sync`, `superseded`, or a TransientAwsError for the state machine to
 * retry), so it is in neither name list below: it never reaches the state machine.
 */
export class DestinationChanged extends RelayError {
  override readonly name = 'DestinationChanged';
  override readonly retryable = true;

  constructor(operation: string, options: { readonly cause: unknown }) {
    super(`${operation}: the destination changed since the copy looked at it`, {
      operation,
      cause: options.cause,
    });
  }
}

/** An AWS error the relay has no specific meaning for; treated as permanent. */
export class UnexpectedAwsError extends RelayError {
  override readonly name = 'UnexpectedAwsError';
  override readonly retryable = false;
}

/** Names of the errors the state machine retries (each with its own backoff). */
export const RETRYABLE_ERROR_NAMES = ['TransientAwsError', 'DeploymentGroupBusy'] as const;

/** Names of the permanent errors: caught into the target's result, never retried as such. */
export const PERMANENT_ERROR_NAMES = [
  'ConfigInvalid',
  'InvalidInput',
  'SourceGone',
  'SourceChanged',
  'SourceArchived',
  'AccessDenied',
  'NoSuchTargetBucket',
  'BucketRegionMismatch',
  'KmsKeyUnusable',
  'UnsupportedTargetSetting',
  'VerificationFailed',
  'CopyTooLarge',
  'InvalidDestinationKey',
  'MultipartUploadGone',
  'DeploymentRejected',
  'DeploymentFailed',
  'DeploymentTimedOut',
  'UnexpectedAwsError',
] as const;

/** The name of any error this module defines (except the base). */
export type RelayErrorName = (typeof RETRYABLE_ERROR_NAMES)[number] | (typeof PERMANENT_ERROR_NAMES)[number];

/** Whether `value` is one of the relay's errors. */
export function isRelayError(value: unknown): value is RelayError {
  return value instanceof RelayError;
}
