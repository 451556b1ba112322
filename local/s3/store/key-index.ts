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

/**
 * A key's versions: the version itself when it has one (most keys), else an array of exactly their number,
 * newest first — no spare capacity per key, as the index holds every key of the bucket.
 */
type Versions = ObjectVersion | readonly ObjectVersion[];

function listOf(entry: Versions | undefined): readonly ObjectVersion[] {
  if (entry === undefined) return [];
  return Array.isArray(entry) ? entry : [entry as ObjectVersion];
}

export class KeyIndex {
  readonly #versions = new Map<string, Versions>();
  #sorted: string[] | undefined;

  /** How many keys have at least one version (object or delete marker). */
  get keyCount(): number {
    return this.#versions.size;
  }

  /** Every version of `key`, newest first. */
  versions(key: string): readonly ObjectVersion[] {
    return listOf(this.#versions.get(key));
  }

  /** The newest version of `key` (possibly a delete marker). */
  latest(key: string): ObjectVersion | undefined {
    const entry = this.#versions.get(key);
    return Array.isArray(entry) ? entry[0] : (entry as ObjectVersion | undefined);
  }

  find(key: string, versionId: string): ObjectVersion | undefined {
    return this.versions(key).find((v) => v.versionId === versionId);
  }

  /**
   * Adds a version in sequencer order (newest first). A null version replaces the key's previous null
   * version, which is returned so its files can be removed.
   */
  add(version: ObjectVersion): ObjectVersion[] {
    const entry = this.#versions.get(version.key);
    let kept = listOf(entry);
    const replaced: ObjectVersion[] = [];
    if (version.versionId === 'null') {
      const at = kept.findIndex((v) => v.versionId === 'null');
      const older = kept[at];
      if (older) {
        if (older.sequencer > version.sequencer) return [version];
        kept = kept.toSpliced(at, 1);
        replaced.push(older);
      }
    }
    const index = kept.findIndex((v) => v.sequencer < version.sequencer);
    if (entry === undefined) this.#sorted = undefined;
    const list = kept.toSpliced(index < 0 ? kept.length : index, 0, version);
    this.#versions.set(version.key, list.length > 1 ? list : version);
    return replaced;
  }

  /** Swaps a version's record for an updated one (same key and version id). */
  update(version: ObjectVersion): void {
    const entry = this.#versions.get(version.key);
    if (entry === undefined) return;
    const list = listOf(entry).map((v) => (v.versionId === version.versionId ? version : v));
    this.#versions.set(version.key, list.length > 1 ? list : version);
  }

  /** Removes one version; returns it, or `undefined` when there was none. */
  remove(key: string, versionId: string): ObjectVersion | undefined {
    const list = this.versions(key);
    const at = list.findIndex((v) => v.versionId === versionId);
    const found = list[at];
    if (!found) return undefined;
    const rest = list.toSpliced(at, 1);
    const [only] = rest;
    if (only === undefined) {
      this.#versions.delete(key);
      this.#sorted = undefined;
    } else {
      this.#versions.set(key, rest.length > 1 ? rest : only);
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
    for (const entry of this.#versions.values()) yield* listOf(entry);
  }
}
