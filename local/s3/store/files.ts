/**
 * File helpers of the local S3's store: atomic JSON writes (temp file + rename), ids, and reading a byte
 * range of a body split over several data files as one stream — without ever holding a body in memory.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Segment } from './records.ts';

/** Read size for object data: large enough that per-chunk overhead does not dominate, small enough to stay flat. */
export const READ_CHUNK = 1024 * 1024;

/** A random, file-name-safe id (lower-case hex). */
export function newId(bytes = 12): string {
  return randomBytes(bytes).toString('hex');
}

/** Writes JSON so that a reader (or a crash) sees either the old or the new file, never half of one. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  const temp = `${path}.${newId(6)}.tmp`;
  try {
    await writeFile(temp, JSON.stringify(value));
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Reads a JSON file; `undefined` when it is missing or not valid JSON (a torn or foreign file). */
export async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Removes a file or directory tree, ignoring a missing one. */
export async function remove(path: string): Promise<void> {
  await rm(path, { recursive: true, force: true });
}

/** A byte range of one data file: bytes `start..end` (inclusive; to the end of the file when `end` is absent). */
export interface FileSlice {
  readonly path: string;
  readonly start: number;
  readonly end?: number;
}

/** The non-empty pieces of the data files of `segments` (in `dir`) that hold bytes `start..end` of the body. */
export function segmentSlices(
  dir: string,
  segments: readonly Segment[],
  start: number,
  end: number,
): FileSlice[] {
  const slices: FileSlice[] = [];
  let offset = 0;
  for (const segment of segments) {
    const segStart = offset;
    const segEnd = offset + segment.size - 1;
    offset += segment.size;
    if (segment.size === 0 || segEnd < start || segStart > end) continue;
    slices.push({
      path: join(dir, segment.file),
      start: Math.max(start, segStart) - segStart,
      end: Math.min(end, segEnd) - segStart,
    });
  }
  return slices;
}

/** The file slices behind the streams {@link readSegments} made (see {@link slicesBehind}). */
const slicesOf = new WeakMap<Readable, readonly FileSlice[]>();

/**
 * The file slices a stream made by {@link readSegments} will read, while nothing has read it yet — so a
 * consumer that only copies and hashes the bytes (local/s3/ingest.ts) can hand the files to a hashing
 * thread instead of pulling the bytes through this one. `undefined` for any other stream.
 */
export function slicesBehind(stream: Readable): readonly FileSlice[] | undefined {
  return stream.readableDidRead || stream.destroyed ? undefined : slicesOf.get(stream);
}

/**
 * Streams bytes `start..end` (inclusive) of the body made of `segments` (files in `dir`), reading each
 * file only as fast as the consumer takes the data.
 */
export function readSegments(
  dir: string,
  segments: readonly Segment[],
  start: number,
  end: number,
): Readable {
  const slices = segmentSlices(dir, segments, start, end);
  async function* chunks(): AsyncGenerator<Buffer> {
    for (const slice of slices) {
      const stream = createReadStream(slice.path, {
        start: slice.start,
        ...(slice.end !== undefined ? { end: slice.end } : {}),
        highWaterMark: READ_CHUNK,
      });
      for await (const chunk of stream) {
        yield chunk as Buffer;
      }
    }
  }
  const stream = Readable.from(chunks(), { objectMode: false });
  slicesOf.set(stream, slices);
  return stream;
}
