/**
 * A bounded table of shared values: equal values handed to it come back as one instance, so that the
 * thousands of version records the store keeps in memory hold one copy of a timestamp, a content type or
 * an encryption setting instead of one each. Sharing is only ever an economy — a value not found (or
 * forgotten) is kept as it was given — so the table forgets everything when it is full rather than grow:
 * values already shared stay shared, and new ones start a new generation.
 */
export class InternTable<K, V> {
  readonly #values = new Map<K, V>();
  readonly #limit: number;

  /** @param limit how many values the table holds before it starts over. */
  constructor(limit: number) {
    if (!(limit >= 1)) throw new RangeError(`an intern table holds at least one value, not ${limit}`);
    this.#limit = limit;
  }

  /** How many values the table holds now. */
  get size(): number {
    return this.#values.size;
  }

  /** The value kept for `key`; when there is none, the value `make` returns, kept from now on. */
  share(key: K, make: () => V): V {
    const kept = this.#values.get(key);
    if (kept !== undefined) return kept;
    const value = make();
    if (this.#values.size >= this.#limit) this.#values.clear();
    this.#values.set(key, value);
    return value;
  }
}

/** A table of shared strings: {@link InternTable} keyed by the string itself. */
export class StringTable {
  readonly #table: InternTable<string, string>;

  constructor(limit: number) {
    this.#table = new InternTable(limit);
  }

  get size(): number {
    return this.#table.size;
  }

  /** One shared instance of `value`. */
  intern(value: string): string {
    return this.#table.share(value, () => value);
  }
}
