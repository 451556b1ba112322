import { RETRYABLE_ERROR_NAMES } from '../core/errors.ts';
import type { Retrier } from './asl.ts';

/**
 * The named retry policies of the relay's Task states. The state machine owns every retry of a
 * transient failure (handlers never loop); permanent errors are never retried here.
 */

/**
 * Transient Lambda service errors, which Step Functions reports as `Lambda.<Exception>`. The error
 * list, interval, attempts and backoff are the ones AWS recommends ("Handle Lambda service
 * exceptions", Step Functions developer guide), plus `Lambda.TooManyRequestsException` (Lambda's
 * concurrency limit) and full jitter so throttled iterations do not retry in lockstep.
 */
export const LAMBDA_SERVICE_RETRY: Retrier = {
  ErrorEquals: [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ],
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 6,
  MaxDelaySeconds: 30,
  JitterStrategy: 'FULL',
};

/** The error that gets its own long backoff on StartDeployment. */
export const DEPLOYMENT_GROUP_BUSY = 'DeploymentGroupBusy';

/** The retryable relay errors (core/errors.ts) other than {@link DEPLOYMENT_GROUP_BUSY}. */
export const TRANSIENT_ERROR_NAMES: readonly string[] = RETRYABLE_ERROR_NAMES.filter(
  (name) => name !== DEPLOYMENT_GROUP_BUSY,
);

/**
 * Throttling, 5xx answers, timeouts and dropped connections reported by a handler as one of the
 * retryable relay errors: exponential backoff from 2 s, capped at 60 s, full jitter; 6 retries
 * span about two minutes at most.
 */
export const TRANSIENT_AWS_RETRY: Retrier = {
  ErrorEquals: TRANSIENT_ERROR_NAMES,
  IntervalSeconds: 2,
  BackoffRate: 2,
  MaxAttempts: 6,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};

/**
 * The deployment group already runs a deployment (CodeDeploy allows one at a time): wait long,
 * from 30 s doubling to a 5-minute cap, 8 retries (up to about half an hour), full jitter.
 */
export const DEPLOYMENT_GROUP_BUSY_RETRY: Retrier = {
  ErrorEquals: [DEPLOYMENT_GROUP_BUSY],
  IntervalSeconds: 30,
  BackoffRate: 2,
  MaxAttempts: 8,
  MaxDelaySeconds: 300,
  JitterStrategy: 'FULL',
};

/** The retriers of every Task state, in order. */
export const TASK_RETRY: readonly Retrier[] = [LAMBDA_SERVICE_RETRY, TRANSIENT_AWS_RETRY];

/** The retriers of StartDeployment, in order. */
export const START_DEPLOYMENT_RETRY: readonly Retrier[] = [...TASK_RETRY, DEPLOYMENT_GROUP_BUSY_RETRY];

/**
 * The first-pass failures the second pass pauses for before it tries them again: the transient ones —
 * the retryable relay errors and Lambda service errors whose retries ran out, task timeouts, and a
 * multipart upload that vanished (a fresh copy cures it). Any other failure — a deployment CodeDeploy
 * reports Failed or Stopped, a revision CodeDeploy rejects, AccessDenied, a verification mismatch after
 * its re-copy — goes through the chain again at once and fails where it failed, without deploying
 * anything again (state-machine/build.ts, second pass).
 */
export const SECOND_PASS_ERROR_NAMES: readonly string[] = [
  ...RETRYABLE_ERROR_NAMES,
  ...LAMBDA_SERVICE_RETRY.ErrorEquals,
  'Lambda.Unknown',
  'Sandbox.Timedout',
  'States.Timeout',
  'MultipartUploadGone',
];
