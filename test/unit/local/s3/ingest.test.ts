import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { digestFile, OFF_THREAD_MIN_BYTES, writeDigested } from '../../../../local/s3/ingest.ts';
import { readSegments } from '../../../../local/s3/store/files.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ingest-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function storedBody(): Promise<{ segments: { file: string; size: number }[]; bytes: Buffer }> {
  // Together above the size that goes to a hashing thread, with a data-file boundary inside.
  const first = randomBytes(OFF_THREAD_MIN_BYTES / 2 + 11);
  const second = randomBytes(OFF_THREAD_MIN_BYTES / 2 + 777_777);
  await writeFile(join(dir, 'seg-1'), first);
  await writeFile(join(dir, 'seg-2'), second);
  return {
    segments: [
      { file: 'seg-1', size: first.length },
      { file: 'seg-2', size: second.length },
    ],
    bytes: Buffer.concat([first, second]),
  };
}

describe('writeDigested', () => {
  it('copies a range of stored data on a hashing thread with the digests the streaming path gives', async () => {
    // Arrange
    const { segments, bytes } = await storedBody();
    const [start, end] = [1000, bytes.length - 5];
    const offThreadSource = readSegments(dir, segments, start, end);
    const streamedSource = readSegments(dir, segments, start, end);

    // Act: the second copy goes through a transform, which keeps it on the streaming path.
    const offThread = await writeDigested(offThreadSource, join(dir, 'copy-1'), ['CRC64NVME', 'CRC32']);
    const streamed = await writeDigested(
      streamedSource,
      join(dir, 'copy-2'),
      ['CRC64NVME', 'CRC32'],
      [new PassThrough()],
    );

    // Assert
    expect(offThreadSource.readableDidRead).toBe(false);
    expect(streamedSource.readableDidRead).toBe(true);
    expect(offThread).toEqual(streamed);
    expect((await readFile(join(dir, 'copy-1'))).equals(bytes.subarray(start, end + 1))).toBe(true);
    expect((await readFile(join(dir, 'copy-2'))).equals(bytes.subarray(start, end + 1))).toBe(true);
  });

  it('digests a small copy on this thread, as it streams', async () => {
    // Arrange
    const { segments, bytes } = await storedBody();
    const source = readSegments(dir, segments, 0, OFF_THREAD_MIN_BYTES - 2);

    // Act
    const result = await writeDigested(source, join(dir, 'copy'), ['CRC32']);

    // Assert
    expect(source.readableDidRead).toBe(true);
    expect(result.size).toBe(OFF_THREAD_MIN_BYTES - 1);
    expect((await readFile(join(dir, 'copy'))).equals(bytes.subarray(0, OFF_THREAD_MIN_BYTES - 1))).toBe(
      true,
    );
  });

  it('fails a copy whose stored data has gone with the file system error', async () => {
    // Arrange
    const source = readSegments(
      dir,
      [{ file: 'gone', size: OFF_THREAD_MIN_BYTES }],
      0,
      OFF_THREAD_MIN_BYTES - 1,
    );

    // Act
    const copy = writeDigested(source, join(dir, 'copy'), []);

    // Assert
    await expect(copy).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('digestFile', () => {
  it("digests a file's bytes", async () => {
    // Arrange
    const { bytes } = await storedBody();
    await writeFile(join(dir, 'whole'), bytes);
    const viaStream = await writeDigested(
      readSegments(dir, [{ file: 'whole', size: bytes.length }], 0, bytes.length - 1),
      join(dir, 'copy'),
      ['SHA256'],
      [new PassThrough()],
    );

    // Act
    const result = await digestFile(join(dir, 'whole'), ['SHA256']);

    // Assert
    expect(result).toEqual(viaStream);
  });
});
