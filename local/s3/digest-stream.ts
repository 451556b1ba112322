/**
 * A pass-through stream that hashes what flows through it — the MD5 (for the ETag), any flexible
 * checksums and the byte count — so an object is hashed in the same pass that writes it to disk.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { type ChecksumAlgorithm, createHasher, createMd5Hasher, type Hasher } from './checksums.ts';

/** What a {@link DigestStream} measured. */
export interface DigestResult {
  readonly md5: Buffer;
  readonly size: number;
  /** The raw digest of every algorithm the stream was created with. */
  readonly checksums: Partial<Record<ChecksumAlgorithm, Buffer>>;
}

/** Thrown by {@link DigestStream.result} before the stream has seen the end of its input. */
export class DigestNotReadyError extends Error {
  override readonly name = 'DigestNotReadyError';
}

/** A pass-through Transform computing MD5, the chosen checksums and the size of its data. */
export class DigestStream extends Transform {
  private readonly md5: Hasher = createMd5Hasher();
  private readonly hashers: [ChecksumAlgorithm, Hasher][];
  private size = 0;
  private outcome: DigestResult | undefined;

  constructor(algs: readonly ChecksumAlgorithm[]) {
    super();
    this.hashers = [...new Set(algs)].map((alg) => [alg, createHasher(alg)]);
  }

  /** Bytes seen so far. */
  get bytesSeen(): number {
    return this.size;
  }

  /** The digests, once the input has ended (after `'finish'`, `'end'` or a completed pipeline). */
  result(): DigestResult {
    if (!this.outcome) throw new DigestNotReadyError('DigestStream.result() called before the input ended');
    return this.outcome;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.md5.update(chunk);
    for (const [, h] of this.hashers) h.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    const checksums: Partial<Record<ChecksumAlgorithm, Buffer>> = {};
    for (const [alg, h] of this.hashers) checksums[alg] = h.digest();
    this.outcome = { md5: this.md5.digest(), size: this.size, checksums };
    callback();
  }
}

/** A {@link DigestStream} computing MD5, size and the checksums of `algs` (duplicates ignored). */
export function createDigestStream(algs: readonly ChecksumAlgorithm[]): DigestStream {
  return new DigestStream(algs);
}
