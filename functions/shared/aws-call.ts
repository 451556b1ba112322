import {
  type AwsErrorContext,
  classifyAwsError,
  errorCodeOf,
  httpStatusOf,
  isMissingObject,
  isPreconditionFailed,
} from '../../core/classify-aws-error.ts';

/**
 * Helpers around AWS SDK calls: the abort signal every call carries, and turning a failure into the
 * relay error that says what it means. What an error *is* (its code, status, a missing object, a failed
 * condition) is read in one place, core/classify-aws-error.ts; the readers are re-exported here.
 */

/** The SDK `send` options carrying `signal` (none when there is no signal). */
export function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

export { errorCodeOf, httpStatusOf, isMissingObject, isPreconditionFailed };

/**
 * Runs one AWS call; a failure is rethrown as the relay error that says what it means
 * (`TransientAwsError` for throttling, 5xx and timeouts, which the state machine retries).
 */
export async function awsCall<T>(call: () => Promise<T>, context: AwsErrorContext): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw classifyAwsError(err, context);
  }
}
