/**
 * The local S3's index of object versions, on disk (LevelDB, through classic-level): every version record
 * of every bucket, found by key and listed in S3's order without holding any of them in memory — so
 * `relay local` does not grow with the number of objects it stores (bench/lib/s3-index-memory.ts measures
 * it). LevelDB orders keys by their bytes, which for UTF-8 is S3's listing order.
 *
 * Entries (all keys are bytes; values UTF-8):
 *
 * ```
 * v <bucket> 00 <key, escaped> 00 <inverted sequencer>  → the version record (JSON), a key's newest first
 * g <bucket> 00 <id>                                     → a version directory to remove at start (below)
 * s <bucket>                                             → the bucket's last sequencer (hex)
 * format                                                 → the layout's version
 * ```
 *
 * A change is one atomic batch. Directories that a crash could strand are named by a `g` entry first: a new
 * version's before its data directory is moved into place (the batch that records the version drops the
 * entry), a replaced or deleted version's in the batch that drops its record (removed once its files are
 * gone). Opening the store removes the directories still named, so a crash leaves no version without its
 * files and no files without their version.
 */
import { ClassicLevel } from 'classic-level';
import { readSmallRange } from '../../leveldb.ts';
import type { ObjectVersion } from './records.ts';

const FORMAT_KEY = Buffer.from('format');
const FORMAT = '1';

const VERSION = 0x76; // v
const GARBAGE = 0x67; // g
const SEQUENCER = 0x73; // s
const SEP = 0x00;
const ESCAPE = 0x01;
/** Every byte of a UTF-8 key is below it, so `<prefix> ff` bounds all keys that start with the prefix. */
const AFTER_ALL = 0xff;
const MAX_SEQUENCER = (1n << 64n) - 1n;

/** Thrown when another process holds the data directory's index open. */
export class IndexLockedError extends Error {
  override readonly name = 'IndexLockedError';
}

/**
 * A key's bytes with 00 and 01 escaped (00 → 01 01, 01 → 01 02), so that 00 can end it and the order of
 * keys is kept: S3 keys are UTF-8, and the escape sorts where the bytes it stands for did.
 */
function escapeKey(key: string): Buffer {
  const raw = Buffer.from(key, 'utf8');
  if (!raw.includes(SEP) && !raw.includes(ESCAPE)) return raw;
  const out: number[] = [];
  for (const byte of raw) {
    if (byte === SEP || byte === ESCAPE) out.push(ESCAPE, byte + 1);
    else out.push(byte);
  }
  return Buffer.from(out);
}

function bucketPrefix(tag: number, bucket: string): Buffer {
  return Buffer.concat([Buffer.of(tag), Buffer.from(bucket, 'utf8'), Buffer.of(SEP)]);
}

/** Sequencers are fixed-width hex; inverted, a key's newest version sorts first. */
function invertedSequencer(sequencer: string): string {
  return (MAX_SEQUENCER - BigInt(`0x${sequencer}`)).toString(16).padStart(16, '0');
}

/** One key with its versions, newest first — or a common prefix that a listing rolled its keys up into. */
export type ScanEntry =
  | { readonly key: string; readonly versions: readonly ObjectVersion[]; readonly rolledUp?: undefined }
  | { readonly key: string; readonly versions?: undefined; readonly rolledUp: true };

export interface ScanOptions {
  /** Only keys that start with it. */
  readonly prefix: string;
  /** Keys after it (not it). */
  readonly after?: string;
  /** Keys from it on (it included); with `after`, the later of the two. */
  readonly from?: string;
  /** Keys with it after the prefix come as one rolled-up entry per common prefix (its keys are skipped). */
  readonly delimiter?: string;
  /**
   * A common prefix only when a key under it has an object as its newest version (ListObjects: a prefix
   * whose keys all end in delete markers is not listed); otherwise when it holds any version.
   */
  readonly live?: boolean;
}

type Db = ClassicLevel<Buffer, string>;

/** The versions of one bucket. Reads may run at any time; writes come from the store, under the key's lock. */
export class BucketIndex {
  readonly #db: Db;
  readonly #bucket: string;
  readonly #versions: Buffer;

  constructor(db: Db, bucket: string) {
    this.#db = db;
    this.#bucket = bucket;
    this.#versions = bucketPrefix(VERSION, bucket);
  }

  #keyPrefix(key: string): Buffer {
    return Buffer.concat([this.#versions, escapeKey(key), Buffer.of(SEP)]);
  }

  #entryKey(version: ObjectVersion): Buffer {
    return Buffer.concat([this.#keyPrefix(version.key), Buffer.from(invertedSequencer(version.sequencer))]);
  }

  #garbageKey(id: string): Buffer {
    return Buffer.concat([bucketPrefix(GARBAGE, this.#bucket), Buffer.from(id)]);
  }

  #sequencerKey(): Buffer {
    return Buffer.concat([Buffer.of(SEQUENCER), Buffer.from(this.#bucket, 'utf8')]);
  }

  /** Every version of `key`, newest first. */
  async versions(key: string): Promise<ObjectVersion[]> {
    const prefix = this.#keyPrefix(key);
    const values = await readSmallRange(
      this.#db.values({ gte: prefix, lt: Buffer.concat([prefix, Buffer.of(AFTER_ALL)]) }),
    );
    return values.map((value) => JSON.parse(value) as ObjectVersion);
  }

  /** The newest version of `key` (possibly a delete marker). */
  async latest(key: string): Promise<ObjectVersion | undefined> {
    const prefix = this.#keyPrefix(key);
    const [value] = await this.#db
      .values({ gte: prefix, lt: Buffer.concat([prefix, Buffer.of(AFTER_ALL)]), limit: 1 })
      .all();
    return value === undefined ? undefined : (JSON.parse(value) as ObjectVersion);
  }

  async find(key: string, versionId: string): Promise<ObjectVersion | undefined> {
    return (await this.versions(key)).find((v) => v.versionId === versionId);
  }

  /** Whether the bucket holds no version at all (objects or delete markers). */
  async isEmpty(): Promise<boolean> {
    const keys = await this.#db
      .keys({ gte: this.#versions, lt: Buffer.concat([this.#versions, Buffer.of(AFTER_ALL)]), limit: 1 })
      .all();
    return keys.length === 0;
  }

  /** The last sequencer handed out for this bucket, as recorded with its versions (0 when none). */
  async lastSequencer(): Promise<bigint> {
    const value = await this.#db.get(this.#sequencerKey());
    return value === undefined ? 0n : BigInt(`0x${value}`);
  }

  /**
   * The keys in listing order with their versions, from `after`/`from` on, only those under `prefix`; with a
   * delimiter, each common prefix once (as `rolledUp`) and none of the keys under it.
   */
  async *scan(options: ScanOptions): AsyncGenerator<ScanEntry> {
    const { prefix, delimiter } = options;
    const end = Buffer.concat([this.#versions, escapeKey(prefix), Buffer.of(AFTER_ALL)]);
    const starts: Buffer[] = [Buffer.concat([this.#versions, escapeKey(prefix)])];
    if (options.after !== undefined)
      starts.push(Buffer.concat([this.#keyPrefix(options.after), Buffer.of(AFTER_ALL)]));
    if (options.from !== undefined) starts.push(this.#keyPrefix(options.from));
    const start = starts.reduce((a, b) => (Buffer.compare(a, b) >= 0 ? a : b));
    const iterator = this.#db.iterator({ gte: start, lt: end });
    try {
      let current: { key: string; versions: ObjectVersion[] } | undefined;
      let skipped: string | undefined;
      for (;;) {
        const next = await iterator.next();
        const version = next === undefined ? undefined : (JSON.parse(next[1]) as ObjectVersion);
        if (current !== undefined && version?.key === current.key) {
          current.versions.push(version);
          continue;
        }
        if (version !== undefined && version.key === skipped) continue;
        if (current !== undefined) yield current;
        current = undefined;
        skipped = undefined;
        if (version === undefined) return;
        const cut = delimiter ? version.key.indexOf(delimiter, prefix.length) : -1;
        if (delimiter && cut >= 0) {
          // The first entry of a key is its newest version.
          if (options.live && version.deleteMarker) {
            skipped = version.key;
            continue;
          }
          const common = version.key.slice(0, cut + delimiter.length);
          yield { key: common, rolledUp: true };
          iterator.seek(Buffer.concat([this.#versions, escapeKey(common), Buffer.of(AFTER_ALL)]));
          continue;
        }
        current = { key: version.key, versions: [version] };
      }
    } finally {
      await iterator.close();
    }
  }

  /**
   * Names a version directory to remove when the store opens — before the directory is moved into place, so
   * a crash before {@link add} records the version leaves nothing behind.
   */
  async markPending(id: string): Promise<void> {
    await this.#db.put(this.#garbageKey(id), '');
  }

  /** Forgets a directory named by {@link markPending} or {@link add}/{@link remove} once it is gone. */
  async forget(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.batch(ids.map((id) => ({ type: 'del' as const, key: this.#garbageKey(id) })));
  }

  /**
   * Records a version (its directory, if {@link markPending} named it, is no longer to be removed). A null
   * version replaces the key's previous null version, which is returned — its directory is then named for
   * removal, so call {@link forget} once its files are gone.
   */
  async add(version: ObjectVersion): Promise<ObjectVersion[]> {
    const current = version.versionId === 'null' ? await this.versions(version.key) : [];
    const replaced = current.filter((v) => v.versionId === 'null');
    await this.#db.batch([
      { type: 'put', key: this.#entryKey(version), value: JSON.stringify(version) },
      { type: 'del', key: this.#garbageKey(version.id) },
      { type: 'put', key: this.#sequencerKey(), value: version.sequencer },
      ...replaced.flatMap((old) => [
        { type: 'del' as const, key: this.#entryKey(old) },
        { type: 'put' as const, key: this.#garbageKey(old.id), value: '' },
      ]),
    ]);
    return replaced;
  }

  /** Swaps a version's record for an updated one (same key, version id and sequencer). */
  async update(version: ObjectVersion): Promise<void> {
    await this.#db.put(this.#entryKey(version), JSON.stringify(version));
  }

  /**
   * Removes one version; returns it, or `undefined` when there was none. Its directory is named for removal:
   * call {@link forget} once its files are gone. `sequencer` is recorded as the bucket's last.
   */
  async remove(key: string, versionId: string, sequencer?: string): Promise<ObjectVersion | undefined> {
    const found = await this.find(key, versionId);
    if (found) await this.drop(found, sequencer);
    return found;
  }

  /** {@link remove} of a version already read. */
  async drop(version: ObjectVersion, sequencer?: string): Promise<void> {
    await this.#db.batch([
      { type: 'del', key: this.#entryKey(version) },
      { type: 'put', key: this.#garbageKey(version.id), value: '' },
      ...(sequencer === undefined
        ? []
        : [{ type: 'put' as const, key: this.#sequencerKey(), value: sequencer }]),
    ]);
  }

  /** Every directory named for removal. */
  async pending(): Promise<string[]> {
    const prefix = bucketPrefix(GARBAGE, this.#bucket);
    const keys = await this.#db
      .keys({ gte: prefix, lt: Buffer.concat([prefix, Buffer.of(AFTER_ALL)]) })
      .all();
    return keys.map((key) => key.subarray(prefix.length).toString());
  }

  /** Forgets everything of the bucket (DeleteBucket, once its directory is gone). */
  async clear(): Promise<void> {
    for (const tag of [VERSION, GARBAGE]) {
      const prefix = bucketPrefix(tag, this.#bucket);
      await this.#db.clear({ gte: prefix, lt: Buffer.concat([prefix, Buffer.of(AFTER_ALL)]) });
    }
    await this.#db.del(this.#sequencerKey());
  }
}

/** The index of all buckets: one LevelDB under the store's data directory. */
export class VersionIndex {
  readonly #db: Db;

  constructor(location: string) {
    this.#db = new ClassicLevel<Buffer, string>(location, { keyEncoding: 'buffer', valueEncoding: 'utf8' });
  }

  /** @throws IndexLockedError when another process has the same data directory open. */
  async open(): Promise<void> {
    try {
      await this.#db.open();
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      if (cause?.code === 'LEVEL_LOCKED') {
        throw new IndexLockedError(
          `another process has the local S3 data in ${this.#db.location} open — stop the other relay local, or give this one its own --data-dir`,
          { cause: err },
        );
      }
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  bucket(name: string): BucketIndex {
    return new BucketIndex(this.#db, name);
  }

  /** Whether the index was made by this layout (false for a new one, or one older data lacks). */
  async isCurrent(): Promise<boolean> {
    return (await this.#db.get(FORMAT_KEY)) === FORMAT;
  }

  async markCurrent(): Promise<void> {
    await this.#db.put(FORMAT_KEY, FORMAT);
  }
}
