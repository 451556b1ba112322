/**
 * A bounded, in-memory record of authorization decisions, oldest first: what the local S3 and CodeDeploy
 * keep for tests and the least-privilege proof (a denied HEAD has no body, so the record is where the
 * denied action can be read). Past its size the oldest records go first.
 */

import type { DecisionKind } from './evaluate.ts';

/** One evaluated action of one request, as a service's authorizer records it. */
export interface DecisionRecord<Operation extends string, Purpose extends string> {
  /** The request id the service answered with (`x-amz-request-id`, `x-amzn-RequestId`). */
  readonly requestId: string;
  /** The access key id the request was signed with (tells apart principals sharing one role ARN). */
  readonly accessKeyId?: string;
  /** The operation, such as `PutObject` or `CreateDeployment`. */
  readonly operation: Operation;
  /** The principal's ARN. */
  readonly principal: string;
  readonly action: string;
  readonly resource: string;
  readonly decision: DecisionKind;
  /** The evaluator's reason, in the words of AWS's AccessDenied messages. */
  readonly reason: string;
  /** Why the action was evaluated (each service names its purposes). */
  readonly purpose: Purpose;
}

/** The record of one decision on a request (its id and access key from the request context). */
export function decisionRecord<Operation extends string, Purpose extends string>(
  ctx: { readonly requestId: string; readonly accessKeyId?: string },
  fields: Omit<DecisionRecord<Operation, Purpose>, 'requestId' | 'accessKeyId'>,
): DecisionRecord<Operation, Purpose> {
  return {
    requestId: ctx.requestId,
    ...(ctx.accessKeyId === undefined ? {} : { accessKeyId: ctx.accessKeyId }),
    ...fields,
  };
}

/** How many records a log keeps unless told otherwise. */
export const DEFAULT_DECISION_LOG_SIZE = 1000;

export class DecisionLog<T> {
  readonly #limit: number;
  #records: T[] = [];

  constructor(size: number = DEFAULT_DECISION_LOG_SIZE) {
    this.#limit = Math.max(1, size);
  }

  add(record: T): void {
    this.#records.push(record);
    if (this.#records.length > this.#limit) this.#records.splice(0, this.#records.length - this.#limit);
  }

  /** The records so far, oldest first. */
  all(): readonly T[] {
    return [...this.#records];
  }

  clear(): void {
    this.#records = [];
  }
}
