/**
 * A SHA-256 of an object's bytes as they arrive (Node's `crypto.createHash`), so a streamed
 * comparison keeps memory flat in the object's size. The read itself (S3 GetObject) belongs to
 * the caller: the Verify task and `relay status` each make theirs.
 */
import { createHash } from 'node:crypto';

/** A streamed digest of an object's bytes. */
export interface StreamDigest {
  /** SHA-256, hex. */
  readonly sha256: string;
  readonly bytes: number;
}

/** Raised when a GetObject body is not a stream of bytes. */
export class UnstreamableBody extends TypeError {
  override readonly name = 'UnstreamableBody';
  constructor() {
    super('GetObject returned a body that cannot be streamed');
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/**
 * Hashes a body chunk by chunk; an absent body is the empty object.
 *
 * @throws UnstreamableBody when the body is neither absent nor an async iterable of bytes
 */
export async function sha256OfStream(body: unknown): Promise<StreamDigest> {
  const hash = createHash('sha256');
  let bytes = 0;
  if (body !== undefined) {
    if (!isAsyncIterable(body)) throw new UnstreamableBody();
    for await (const chunk of body) {
      hash.update(chunk);
      bytes += chunk.byteLength;
    }
  }
  return { sha256: hash.digest('hex'), bytes };
}

/** Whether two digests name the same bytes. */
export function sameDigest(a: StreamDigest, b: StreamDigest): boolean {
  return a.sha256 === b.sha256 && a.bytes === b.bytes;
}
