/**
 * A bounded, in-memory record of authorization decisions, oldest first: what the local S3 and CodeDeploy
 * keep for tests and the least-privilege proof (a denied HEAD has no body, so the record is where the
 * denied action can be read). Past its size the oldest records go first.
 */

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
