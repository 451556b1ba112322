import { type AwsErrorContext, classifyAwsError } from '../../core/classify-aws-error.ts';

/**
 * Helpers around AWS SDK calls: the abort signal every call carries, reading an error's code and
 * HTTP status (HEAD responses have no body, so their errors are known by status alone), and
 * turning a failure into the relay error that says what it means.
 */

/** The SDK `send` options carrying `signal` (none when there is no signal). */
export function sendOptions(signal: AbortSignal | undefined): { abortSignal?: AbortSignal } {
  return signal === undefined ? {} : { abortSignal: signal };
}

function record(err: unknown): Record<string, unknown> | undefined {
  return typeof err === 'object' && err !== null ? (err as Record<string, unknown>) : undefined;
}

/** The HTTP status of a failed AWS response, if the error came from one. */
export function httpStatusOf(err: unknown): number | undefined {
  const metadata = record(record(err)?.$metadata);
  return typeof metadata?.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

/** The AWS error code (`Code`, else the SDK error's `name`). */
export function errorCodeOf(err: unknown): string | undefined {
  const value = record(err);
  if (typeof value?.Code === 'string') return value.Code;
  return typeof value?.name === 'string' ? value.name : undefined;
}

const MISSING_CODES: ReadonlySet<string> = new Set(['NoSuchKey', 'NoSuchVersion', 'NotFound']);

/** 404 answers about something other than the object: its bucket, or a multipart upload. */
const NOT_OBJECT_CODES: ReadonlySet<string> = new Set(['NoSuchBucket', 'NoSuchUpload']);

/**
 * Whether the object (or the version) asked for does not exist: 404, or 405 — S3's answer when
 * the version asked for is a delete marker.
 */
export function isMissingObject(err: unknown): boolean {
  const status = httpStatusOf(err);
  if (status === 404 || status === 405) return !NOT_OBJECT_CODES.has(errorCodeOf(err) ?? '');
  const code = errorCodeOf(err);
  return code !== undefined && MISSING_CODES.has(code);
}

/** Whether a conditional request failed (`If-Match` / `x-amz-copy-source-if-match`): 412. */
export function isPreconditionFailed(err: unknown): boolean {
  return httpStatusOf(err) === 412 || errorCodeOf(err) === 'PreconditionFailed';
}

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
