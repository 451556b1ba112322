/**
 * The hashing thread's work, as a plain synchronous function: read byte ranges of data files in order,
 * digest them (MD5, the chosen checksums, the size) and, when given a target, write them to it. It is the
 * same digest {@link DigestStream} computes, over the same bytes, so ETags and checksums do not depend on
 * which path computed them. Synchronous file calls are right here: it runs on a worker thread
 * (./worker.ts), where blocking holds up nothing but that thread.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { type ChecksumAlgorithm, createHasher, createMd5Hasher, type Hasher } from '../checksums.ts';
import type { DigestResult } from '../digest-stream.ts';
import { type FileSlice, READ_CHUNK } from '../store/files.ts';

/** What to digest (and copy). */
export interface DigestFilesJob {
  /** The bytes, in order: ranges of existing files. */
  readonly slices: readonly FileSlice[];
  /** Checksums to compute besides MD5 and the size (duplicates ignored). */
  readonly algorithms: readonly ChecksumAlgorithm[];
  /** A file to create (or truncate) with the bytes; absent to digest only. */
  readonly target?: string;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}

/**
 * Digests (and copies) the bytes of `job.slices`. A slice whose file ends before the slice does ends
 * there, as a read stream over the same range would.
 * @throws the file system's error (ENOENT, EACCES …) as raised.
 */
export function digestFilesSync(job: DigestFilesJob): DigestResult {
  const md5 = createMd5Hasher();
  const hashers: Array<[ChecksumAlgorithm, Hasher]> = [...new Set(job.algorithms)].map((alg) => [
    alg,
    createHasher(alg),
  ]);
  const buffer = Buffer.allocUnsafe(READ_CHUNK);
  const out = job.target !== undefined ? openSync(job.target, 'w') : undefined;
  let size = 0;
  try {
    for (const slice of job.slices) {
      const fd = openSync(slice.path, 'r');
      try {
        for (let position = slice.start; ; ) {
          const want = slice.end === undefined ? READ_CHUNK : Math.min(READ_CHUNK, slice.end - position + 1);
          if (want <= 0) break;
          const read = readSync(fd, buffer, 0, want, position);
          if (read === 0) break;
          const bytes = buffer.subarray(0, read);
          md5.update(bytes);
          for (const [, hasher] of hashers) hasher.update(bytes);
          if (out !== undefined) writeAll(out, bytes);
          position += read;
          size += read;
        }
      } finally {
        closeSync(fd);
      }
    }
  } finally {
    if (out !== undefined) closeSync(out);
  }
  const checksums: Partial<Record<ChecksumAlgorithm, Buffer>> = {};
  for (const [alg, hasher] of hashers) checksums[alg] = hasher.digest();
  return { md5: md5.digest(), size, checksums };
}
