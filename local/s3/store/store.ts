/**
 * The local S3's persistent state. Layout under the data directory:
 *
 * ```
 * tmp/<id>/                             staging: bodies are written here first, then renamed into place
 * buckets/<bucket>/bucket.json          the bucket record
 * buckets/<bucket>/objects/<id>/        one object version's data files: seg-1…seg-N
 * buckets/<bucket>/uploads/<uploadId>/  a multipart upload: upload.json, part-<n>.json, part data files
 * buckets/<bucket>/completed/<uploadId>.json  a completed upload's answer (for a repeated Complete)
 * index/                                the version records of every bucket (version-index.ts, LevelDB)
 * ```
 *
 * A version's data files are made visible by a rename and its record by one atomic batch of the index, so a
 * crash leaves either the old or the new state; `init()` sweeps what a crash left behind. No version is
 * kept in memory: the index is read on demand (bench/lib/s3-index-memory.ts measures what a version costs).
 * Data directories of earlier versions of this store, which kept each record in a `meta.json` beside the
 * data files, are moved into the index the first time they are opened.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { s3Timestamp } from '../clock.ts';
import { newId, readJson, readSegments, remove, writeJsonAtomic } from './files.ts';
import { KeyedLock } from './keyed-lock.ts';
import {
  type BucketRecord,
  type CompletedUploadRecord,
  type ObjectAttributes,
  type ObjectVersion,
  type PartRecord,
  type Segment,
  segmentsOf,
  type UploadRecord,
} from './records.ts';
import { type BucketIndex, VersionIndex } from './version-index.ts';

/** A bucket as the service sees it: its record, its keys and its multipart uploads. */
export interface BucketState {
  readonly record: BucketRecord;
  readonly index: BucketIndex;
  readonly uploads: Map<string, UploadState>;
  /** Uploads that completed, by upload id, oldest first (bounded, see {@link S3StoreOptions}). */
  readonly completed: ReadonlyMap<string, CompletedUploadRecord>;
}

/** The store's own view of a bucket: its record is replaced in place, so holders see updates. */
interface MutableBucketState extends BucketState {
  record: BucketRecord;
  lastSequencer: bigint;
  readonly completed: Map<string, CompletedUploadRecord>;
}

export interface S3StoreOptions {
  /**
   * How many completed uploads a bucket remembers for repeated CompleteMultipartUpload requests; the oldest
   * are forgotten first. @default 1000
   */
  readonly completedUploadsKept?: number;
}

/** How many completed uploads a bucket remembers by default. */
export const COMPLETED_UPLOADS_KEPT = 1000;

/** A multipart upload with its parts by number. */
export interface UploadState {
  readonly record: UploadRecord;
  readonly parts: Map<number, PartRecord>;
}

/** A private directory to write new data files into before they are committed. */
export interface Staging {
  readonly id: string;
  readonly dir: string;
}

/** What deleting without a version id did. */
export interface DeleteOutcome {
  /** The delete marker created, when the bucket is versioned. */
  readonly marker?: ObjectVersion;
  /** The version removed for good (unversioned bucket, or the null version under Suspended). */
  readonly removed?: ObjectVersion;
  /**
   * The deletion's event sequencer, taken under the key's lock (so it orders against the key's
   * writes): the marker's own, or a fresh one when a version was removed; absent when nothing changed.
   */
  readonly sequencer?: string;
}

/** Thrown by the store when a bucket it is asked about does not exist (a race with DeleteBucket). */
export class BucketGoneError extends Error {
  override readonly name = 'BucketGoneError';
}

const SEQUENCER_DIGITS = 16;
/** Where earlier versions of the store kept a version's record, beside its data files. */
const LEGACY_META = 'meta.json';

/** A new S3-style version id: 32 URL-safe characters. */
export function newVersionId(): string {
  return randomBytes(24).toString('base64url');
}

async function listDir(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch {
    return [];
  }
}

export class S3Store {
  readonly #root: string;
  readonly #buckets = new Map<string, MutableBucketState>();
  readonly #lock = new KeyedLock();
  readonly #completedKept: number;
  readonly #index: VersionIndex;

  constructor(dataDir: string, options: S3StoreOptions = {}) {
    this.#root = dataDir;
    this.#completedKept = options.completedUploadsKept ?? COMPLETED_UPLOADS_KEPT;
    this.#index = new VersionIndex(join(dataDir, 'index'));
  }

  get #tmp(): string {
    return join(this.#root, 'tmp');
  }

  #bucketDir(bucket: string): string {
    return join(this.#root, 'buckets', bucket);
  }

  #versionDir(bucket: string, id: string): string {
    return join(this.#bucketDir(bucket), 'objects', id);
  }

  #uploadDir(bucket: string, uploadId: string): string {
    return join(this.#bucketDir(bucket), 'uploads', uploadId);
  }

  #completedDir(bucket: string): string {
    return join(this.#bucketDir(bucket), 'completed');
  }

  /**
   * Opens the index and loads every bucket and upload from disk, removing leftovers of interrupted writes.
   * @throws IndexLockedError when another process has the same data directory open.
   */
  async init(): Promise<void> {
    await mkdir(join(this.#root, 'buckets'), { recursive: true });
    await this.#index.open();
    await remove(this.#tmp);
    await mkdir(this.#tmp, { recursive: true });
    this.#buckets.clear();
    const current = await this.#index.isCurrent();
    for (const name of await listDir(join(this.#root, 'buckets'))) {
      const record = await readJson<BucketRecord>(join(this.#bucketDir(name), 'bucket.json'));
      if (!record || record.name !== name) continue;
      const index = this.#index.bucket(name);
      const state = {
        record,
        index,
        uploads: new Map<string, UploadState>(),
        completed: new Map<string, CompletedUploadRecord>(),
        lastSequencer: 0n,
      };
      if (!current) await this.#importLegacyVersions(state);
      await this.#removePending(state);
      state.lastSequencer = await index.lastSequencer();
      await this.#loadUploads(state);
      await this.#loadCompleted(state);
      this.#buckets.set(name, state);
    }
    await this.#index.markCurrent();
  }

  /** Removes the version directories a crash left named for removal (version-index.ts). */
  async #removePending(state: BucketState): Promise<void> {
    const ids = await state.index.pending();
    for (const id of ids) await remove(this.#versionDir(state.record.name, id));
    await state.index.forget(ids);
  }

  /**
   * Moves the records that earlier versions of the store kept in `meta.json` beside each version's data into
   * the index (oldest first, so a newer null version replaces an older one a crash left behind); a
   * directory without a readable record of its own is removed.
   */
  async #importLegacyVersions(state: BucketState): Promise<void> {
    const dir = join(this.#bucketDir(state.record.name), 'objects');
    const records: ObjectVersion[] = [];
    for (const id of await listDir(dir)) {
      const record = await readJson<ObjectVersion>(join(dir, id, LEGACY_META));
      if (record?.id === id) records.push(record);
      else await remove(join(dir, id));
    }
    records.sort((a, b) => (a.sequencer < b.sequencer ? -1 : a.sequencer > b.sequencer ? 1 : 0));
    for (const record of records) {
      const replaced = await state.index.add(record);
      for (const old of replaced) await remove(join(dir, old.id));
      await state.index.forget(replaced.map((old) => old.id));
      await remove(join(dir, record.id, LEGACY_META));
    }
  }

  async #loadUploads(state: BucketState): Promise<void> {
    const dir = join(this.#bucketDir(state.record.name), 'uploads');
    for (const uploadId of await listDir(dir)) {
      const uploadDir = join(dir, uploadId);
      const record = await readJson<UploadRecord>(join(uploadDir, 'upload.json'));
      if (!record || record.uploadId !== uploadId) {
        await remove(uploadDir);
        continue;
      }
      const parts = new Map<number, PartRecord>();
      const files = await listDir(uploadDir);
      for (const file of files.filter((f) => /^part-\d+\.json$/.test(f))) {
        const part = await readJson<PartRecord>(join(uploadDir, file));
        if (part) parts.set(part.partNumber, part);
      }
      const referenced = new Set([...parts.values()].map((p) => p.file));
      for (const file of files) {
        if (file.endsWith('.bin') && !referenced.has(file)) await remove(join(uploadDir, file));
      }
      state.uploads.set(uploadId, { record, parts });
    }
  }

  async #loadCompleted(state: MutableBucketState): Promise<void> {
    const dir = this.#completedDir(state.record.name);
    const records: CompletedUploadRecord[] = [];
    for (const file of await listDir(dir)) {
      const record = file.endsWith('.json')
        ? await readJson<CompletedUploadRecord>(join(dir, file))
        : undefined;
      if (!record || `${record.uploadId}.json` !== file) {
        await remove(join(dir, file));
        continue;
      }
      records.push(record);
    }
    records.sort((a, b) => (a.sequencer < b.sequencer ? -1 : a.sequencer > b.sequencer ? 1 : 0));
    for (const record of records) state.completed.set(record.uploadId, record);
    await this.#forgetOldCompleted(state);
  }

  /** Drops the oldest completed uploads beyond the bound. */
  async #forgetOldCompleted(state: MutableBucketState): Promise<void> {
    for (const uploadId of state.completed.keys()) {
      if (state.completed.size <= this.#completedKept) break;
      state.completed.delete(uploadId);
      await remove(join(this.#completedDir(state.record.name), `${uploadId}.json`));
    }
  }

  /** Closes the index (another process may then open the data directory). */
  async close(): Promise<void> {
    await this.#index.close();
  }

  bucket(name: string): BucketState | undefined {
    return this.#buckets.get(name);
  }

  /** Every bucket, by name. */
  buckets(): BucketState[] {
    return [...this.#buckets.values()].sort((a, b) => (a.record.name < b.record.name ? -1 : 1));
  }

  #require(name: string): MutableBucketState {
    const state = this.#buckets.get(name);
    if (!state) throw new BucketGoneError(`bucket ${name} no longer exists`);
    return state;
  }

  async createBucket(record: BucketRecord): Promise<BucketState> {
    const dir = this.#bucketDir(record.name);
    await mkdir(join(dir, 'objects'), { recursive: true });
    await mkdir(join(dir, 'uploads'), { recursive: true });
    await writeJsonAtomic(join(dir, 'bucket.json'), record);
    const state = {
      record,
      index: this.#index.bucket(record.name),
      uploads: new Map<string, UploadState>(),
      completed: new Map<string, CompletedUploadRecord>(),
      lastSequencer: 0n,
    };
    this.#buckets.set(record.name, state);
    return state;
  }

  /** Replaces a bucket's record (versioning, tags, encryption). */
  async updateBucket(name: string, update: (record: BucketRecord) => BucketRecord): Promise<BucketRecord> {
    return this.#lock.run(`bucket\u0000${name}`, async () => {
      const state = this.#require(name);
      const record = update(state.record);
      await writeJsonAtomic(join(this.#bucketDir(name), 'bucket.json'), record);
      state.record = record;
      return record;
    });
  }

  /** Removes a bucket with everything under it (the caller has checked it holds no objects). */
  async deleteBucket(name: string): Promise<void> {
    this.#buckets.delete(name);
    await remove(this.#bucketDir(name));
    await this.#index.bucket(name).clear();
  }

  /** The next event sequencer of a bucket: increasing, fixed-width upper-case hex. */
  nextSequencer(bucket: string): string {
    const state = this.#require(bucket);
    const fromClock = BigInt(Date.now()) << 20n;
    const next = fromClock > state.lastSequencer ? fromClock : state.lastSequencer + 1n;
    state.lastSequencer = next;
    return next.toString(16).toUpperCase().padStart(SEQUENCER_DIGITS, '0');
  }

  /** A fresh staging directory. */
  async stage(): Promise<Staging> {
    const id = newId();
    const dir = join(this.#tmp, id);
    await mkdir(dir, { recursive: true });
    return { id, dir };
  }

  /** Drops a staging directory that will not be committed. */
  async discard(staging: Staging): Promise<void> {
    await remove(staging.dir);
  }

  /** The directory holding a version's data files. */
  versionDir(bucket: string, version: ObjectVersion): string {
    return this.#versionDir(bucket, version.id);
  }

  /** Streams bytes `start..end` (inclusive) of a version's body. */
  read(bucket: string, version: ObjectVersion, start: number, end: number): Readable {
    return readSegments(this.versionDir(bucket, version), segmentsOf(version), start, end);
  }

  /**
   * Makes the staged files a new version of `key` — a new version id when versioning is enabled, else the
   * null version (replacing the previous one). `check` runs under the key's lock before anything changes
   * (conditional writes); it may throw.
   */
  async commit(
    bucket: string,
    key: string,
    staging: Staging,
    attributes: ObjectAttributes & { readonly segments: readonly Segment[] },
    check?: (current: ObjectVersion | undefined) => void,
  ): Promise<ObjectVersion> {
    return this.#lock.run(`${bucket}\u0000${key}`, async () => {
      const state = this.#require(bucket);
      if (check) check(await state.index.latest(key));
      const version: ObjectVersion = {
        ...attributes,
        id: staging.id,
        key,
        versionId: state.record.versioning === 'Enabled' ? newVersionId() : 'null',
        sequencer: this.nextSequencer(bucket),
        deleteMarker: false,
        lastModified: s3Timestamp(),
      };
      return this.#install(state, version, staging);
    });
  }

  /**
   * Records `version`, moving its staged data files into place first (a delete marker has none): named for
   * removal until the record is in the index, so a crash in between leaves no stray directory.
   */
  async #install(state: BucketState, version: ObjectVersion, staging?: Staging): Promise<ObjectVersion> {
    if (staging !== undefined) {
      await state.index.markPending(version.id);
      await rename(staging.dir, this.#versionDir(state.record.name, version.id));
    }
    const replaced = await state.index.add(version);
    for (const old of replaced) await remove(this.#versionDir(state.record.name, old.id));
    await state.index.forget(replaced.map((old) => old.id));
    return version;
  }

  /**
   * Removes `versionId` of `key` — its record, then its data files — with a fresh sequencer for the deletion;
   * nothing (no sequencer handed out) when there is no such version.
   */
  async #removeVersion(state: BucketState, key: string, versionId: string): Promise<DeleteOutcome> {
    const removed = await state.index.find(key, versionId);
    if (removed === undefined) return {};
    const sequencer = this.nextSequencer(state.record.name);
    await state.index.drop(removed, sequencer);
    await remove(this.#versionDir(state.record.name, removed.id));
    await state.index.forget([removed.id]);
    return { removed, sequencer };
  }

  /**
   * DeleteObject without a version id: a delete marker in a versioned bucket (the null one under
   * Suspended, replacing the null version), otherwise removes the object. `check` runs under the
   * key's lock with its current version first (conditional deletes); it may throw.
   */
  async deleteCurrent(
    bucket: string,
    key: string,
    check?: (current: ObjectVersion | undefined) => void,
  ): Promise<DeleteOutcome> {
    return this.#lock.run(`${bucket}\u0000${key}`, async () => {
      const state = this.#require(bucket);
      if (check) check(await state.index.latest(key));
      const versioning = state.record.versioning;
      if (versioning === undefined) return this.#removeVersion(state, key, 'null');
      const replacedNull = versioning === 'Suspended' ? await state.index.find(key, 'null') : undefined;
      const marker: ObjectVersion = {
        id: newId(),
        key,
        versionId: versioning === 'Enabled' ? newVersionId() : 'null',
        sequencer: this.nextSequencer(bucket),
        deleteMarker: true,
        lastModified: s3Timestamp(),
        size: 0,
        etag: '',
        headers: {},
        metadata: {},
        tags: [],
        storageClass: 'STANDARD',
        encryption: { algorithm: 'AES256' },
        segments: [],
      };
      const installed = await this.#install(state, marker);
      const sequencer = installed.sequencer;
      return replacedNull && !replacedNull.deleteMarker
        ? { marker: installed, removed: replacedNull, sequencer }
        : { marker: installed, sequencer };
    });
  }

  /**
   * Removes one version (or delete marker) for good. `check` runs under the key's lock with the key's
   * current version first (conditional deletes); it may throw.
   */
  async deleteVersion(
    bucket: string,
    key: string,
    versionId: string,
    check?: (current: ObjectVersion | undefined) => void,
  ): Promise<DeleteOutcome> {
    return this.#lock.run(`${bucket}\u0000${key}`, async () => {
      const state = this.#require(bucket);
      if (check) check(await state.index.latest(key));
      return this.#removeVersion(state, key, versionId);
    });
  }

  /** Rewrites a version's record (its tags), keeping its data. */
  async updateVersion(
    bucket: string,
    key: string,
    versionId: string,
    update: (version: ObjectVersion) => ObjectVersion,
  ): Promise<ObjectVersion | undefined> {
    return this.#lock.run(`${bucket}\u0000${key}`, async () => {
      const state = this.#require(bucket);
      const current = await state.index.find(key, versionId);
      if (!current) return undefined;
      const next = update(current);
      await state.index.update(next);
      return next;
    });
  }

  async createUpload(record: UploadRecord): Promise<UploadState> {
    const state = this.#require(record.bucket);
    const dir = this.#uploadDir(record.bucket, record.uploadId);
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(join(dir, 'upload.json'), record);
    const upload = { record, parts: new Map<number, PartRecord>() };
    state.uploads.set(record.uploadId, upload);
    return upload;
  }

  upload(bucket: string, uploadId: string): UploadState | undefined {
    return this.#buckets.get(bucket)?.uploads.get(uploadId);
  }

  /** The record of an upload of `bucket` that completed (while it is remembered). */
  completedUpload(bucket: string, uploadId: string): CompletedUploadRecord | undefined {
    return this.#buckets.get(bucket)?.completed.get(uploadId);
  }

  /** Stores a part from a staged data file, replacing an earlier upload of the same part number. */
  async putPart(
    bucket: string,
    uploadId: string,
    stagedFile: string,
    part: Omit<PartRecord, 'file'>,
  ): Promise<PartRecord | undefined> {
    return this.#lock.run(`upload\u0000${uploadId}`, async () => {
      const upload = this.upload(bucket, uploadId);
      if (!upload) return undefined;
      const dir = this.#uploadDir(bucket, uploadId);
      const record: PartRecord = { ...part, file: `part-${part.partNumber}-${newId(6)}.bin` };
      await rename(stagedFile, join(dir, record.file));
      await writeJsonAtomic(join(dir, `part-${part.partNumber}.json`), record);
      const previous = upload.parts.get(part.partNumber);
      upload.parts.set(part.partNumber, record);
      if (previous) await remove(join(dir, previous.file));
      return record;
    });
  }

  /** The path of a part's data file. */
  partPath(bucket: string, uploadId: string, part: PartRecord): string {
    return join(this.#uploadDir(bucket, uploadId), part.file);
  }

  /** Forgets an upload and deletes its parts. */
  async abortUpload(bucket: string, uploadId: string): Promise<boolean> {
    return this.#lock.run(`upload\u0000${uploadId}`, async () => {
      const state = this.#buckets.get(bucket);
      if (!state?.uploads.delete(uploadId)) return false;
      await remove(this.#uploadDir(bucket, uploadId));
      return true;
    });
  }

  /**
   * Turns an upload into an object: `select` (run under the upload's lock; it may throw) picks and checks
   * the parts, whose files then become the version's segments (moved, not copied). `prepare` returns the
   * version's attributes once the files are staged (it may rewrite them); `check` runs against the key's
   * current version under the key's lock, as in {@link commit} (conditional writes). The upload disappears
   * on success, leaving a {@link CompletedUploadRecord} (written before the upload is removed, so a crash
   * between the two leaves both rather than neither); on failure (a failed `check` included) the part files
   * are put back and the upload stays. `undefined` when the upload is not in progress.
   */
  async completeUpload(
    bucket: string,
    uploadId: string,
    select: (upload: UploadState) => readonly PartRecord[],
    prepare: (staging: Staging, segments: readonly Segment[]) => Promise<ObjectAttributes>,
    check?: (current: ObjectVersion | undefined) => void,
  ): Promise<ObjectVersion | undefined> {
    return this.#lock.run(`upload\u0000${uploadId}`, async () => {
      const upload = this.upload(bucket, uploadId);
      if (!upload) return undefined;
      const parts = select(upload);
      const staging = await this.stage();
      const moved: Array<{ from: string; to: string }> = [];
      try {
        const segments: Segment[] = [];
        for (const [i, part] of parts.entries()) {
          const file = `seg-${i + 1}`;
          const from = this.partPath(bucket, uploadId, part);
          const to = join(staging.dir, file);
          await rename(from, to);
          moved.push({ from, to });
          segments.push({ file, size: part.size });
        }
        const attributes = await prepare(staging, segments);
        const version = await this.commit(
          bucket,
          upload.record.key,
          staging,
          { ...attributes, segments },
          check,
        );
        await this.#rememberCompleted(bucket, uploadId, parts, version);
        this.#buckets.get(bucket)?.uploads.delete(uploadId);
        await remove(this.#uploadDir(bucket, uploadId));
        return version;
      } catch (err) {
        for (const { from, to } of moved) await rename(to, from).catch(() => undefined);
        await this.discard(staging);
        throw err;
      }
    });
  }

  async #rememberCompleted(
    bucket: string,
    uploadId: string,
    parts: readonly PartRecord[],
    version: ObjectVersion,
  ): Promise<void> {
    const state = this.#buckets.get(bucket);
    if (!state) return;
    const record: CompletedUploadRecord = {
      uploadId,
      key: version.key,
      sequencer: version.sequencer,
      parts: parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
      versionId: version.versionId,
      etag: version.etag,
      encryption: version.encryption,
      ...(version.checksum !== undefined ? { checksum: version.checksum } : {}),
    };
    const dir = this.#completedDir(bucket);
    await mkdir(dir, { recursive: true });
    await writeJsonAtomic(join(dir, `${uploadId}.json`), record);
    state.completed.set(uploadId, record);
    await this.#forgetOldCompleted(state);
  }
}
