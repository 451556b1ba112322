/**
 * The in-memory index of one bucket: every key's versions, newest first, and the keys in S3's listing
 * order (UTF-8 binary order), sorted lazily when a listing needs them.
 */
import type { ObjectVersion } from './records.ts';

/** Orders strings by Unicode code point, which is the order of their UTF-8 bytes (S3's listing order). */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

export class KeyIndex {
  readonly #versions = new Map<string, ObjectVersion[]>();
  #sorted: string[] | undefined;

  /** How many keys have at least one version (object or delete marker). */
  get keyCount(): number {
    return this.#versions.size;
  }

  /** Every version of `key`, newest first. */
  versions(key: string): readonly ObjectVersion[] {
    return this.#versions.get(key) ?? [];
  }

  /** The newest version of `key` (possibly a delete marker). */
  latest(key: string): ObjectVersion | undefined {
    return this.#versions.get(key)?.[0];
  }

  find(key: string, versionId: string): ObjectVersion | undefined {
    return this.#versions.get(key)?.find((v) => v.versionId === versionId);
  }

  /**
   * Adds a version in sequencer order (newest first). A null version replaces the key's previous null
   * version, which is returned so its files can be removed.
   */
  add(version: ObjectVersion): ObjectVersion[] {
    const list = this.#versions.get(version.key) ?? [];
    const replaced: ObjectVersion[] = [];
    let kept = list;
    if (version.versionId === 'null') {
      const older = list.find((v) => v.versionId === 'null');
      if (older && older.sequencer > version.sequencer) return [version];
      kept = list.filter((v) => v.versionId !== 'null');
      if (older) replaced.push(older);
    }
    const index = kept.findIndex((v) => v.sequencer < version.sequencer);
    const next = [...kept];
    next.splice(index < 0 ? next.length : index, 0, version);
    if (!this.#versions.has(version.key)) this.#sorted = undefined;
    this.#versions.set(version.key, next);
    return replaced;
  }

  /** Swaps a version's record for an updated one (same key and version id). */
  update(version: ObjectVersion): void {
    const list = this.#versions.get(version.key);
    if (!list) return;
    this.#versions.set(
      version.key,
      list.map((v) => (v.versionId === version.versionId ? version : v)),
    );
  }

  /** Removes one version; returns it, or `undefined` when there was none. */
  remove(key: string, versionId: string): ObjectVersion | undefined {
    const list = this.#versions.get(key);
    const found = list?.find((v) => v.versionId === versionId);
    if (!list || !found) return undefined;
    const rest = list.filter((v) => v !== found);
    if (rest.length === 0) {
      this.#versions.delete(key);
      this.#sorted = undefined;
    } else {
      this.#versions.set(key, rest);
    }
    return found;
  }

  /** Every key that has a version, in listing order. */
  sortedKeys(): readonly string[] {
    this.#sorted ??= [...this.#versions.keys()].sort(compareKeys);
    return this.#sorted;
  }

  /** Every version of every key. */
  *all(): Generator<ObjectVersion> {
    for (const list of this.#versions.values()) yield* list;
  }
}
