/**
 * The fault plan's "corrupt the next copy" hook: flips the bits of the first byte of what is written, so
 * the stored object genuinely differs from its source (its ETag and checksums are computed from the
 * corrupted bytes, as a faulty copy would leave them).
 */
import { open } from 'node:fs/promises';
import { Transform, type TransformCallback } from 'node:stream';

/** A pass-through that inverts the first byte going through it. */
export function createCorruptor(): Transform {
  let done = false;
  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
      if (done || chunk.length === 0) {
        callback(null, chunk);
        return;
      }
      done = true;
      const copy = Buffer.from(chunk);
      copy[0] = (copy[0] ?? 0) ^ 0xff;
      callback(null, copy);
    },
  });
}

/** Inverts the first byte of a file in place; `false` when the file is empty. */
export async function corruptFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r+');
  try {
    const one = Buffer.alloc(1);
    const { bytesRead } = await handle.read(one, 0, 1, 0);
    if (bytesRead === 0) return false;
    one[0] = (one[0] ?? 0) ^ 0xff;
    await handle.write(one, 0, 1, 0);
    return true;
  } finally {
    await handle.close();
  }
}
