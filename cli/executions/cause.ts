/**
 * Step Functions reports a failed Lambda task as `error` (the error's name) and `cause` — for a
 * Lambda, a JSON document `{ errorType, errorMessage, trace }`. People want the message.
 */
import { causeMessageOf } from '../../core/relay-events.ts';

/** The message of a failure's cause: a Lambda error's `errorMessage`, else the cause as it is (core/relay-events.ts). */
export const causeMessage = causeMessageOf;

/** `NoSuchTargetBucket: s3:CopyObject (…) failed …` */
export function describeFailure(error: string | undefined, cause: string | undefined): string {
  const message = causeMessage(cause);
  if (error === undefined || error === '') return message ?? 'unknown error';
  return message === undefined || message === error ? error : `${error}: ${message}`;
}
