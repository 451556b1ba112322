/**
 * Step Functions reports a failed Lambda task as `error` (the error's name) and `cause` — for a
 * Lambda, a JSON document `{ errorType, errorMessage, trace }`. People want the message.
 */

/** The human message inside a `cause`: its `errorMessage` when it is Lambda's JSON, else the text. */
export function causeMessage(cause: string | undefined): string | undefined {
  if (cause === undefined || cause.trim() === '') return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null) {
      const message = (parsed as { errorMessage?: unknown }).errorMessage;
      if (typeof message === 'string' && message !== '') return message;
    }
  } catch {
    // Not JSON: the cause is the message.
  }
  return cause;
}

/** `NoSuchTargetBucket: s3:CopyObject (…) failed …` */
export function describeFailure(error: string | undefined, cause: string | undefined): string {
  const message = causeMessage(cause);
  if (error === undefined || error === '') return message ?? 'unknown error';
  return message === undefined || message === error ? error : `${error}: ${message}`;
}
