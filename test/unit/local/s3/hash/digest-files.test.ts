import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CHECKSUM_ALGORITHMS } from '../../../../../local/s3/checksums.ts';
import { createDigestStream, type DigestResult } from '../../../../../local/s3/digest-stream.ts';
import { digestFilesSync } from '../../../../../local/s3/hash/digest-files.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'digest-files-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The digest the streaming path computes over `data`: what every ETag and checksum is made from today. */
async function streamedDigest(data: Buffer): Promise<DigestResult> {
  const digest = createDigestStream(CHECKSUM_ALGORITHMS);
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  await pipeline(Readable.from([data]), digest, sink);
  return digest.result();
}

describe('digestFilesSync', () => {
  it('copies ranges of several files in order and digests them exactly as the streaming digest does', async () => {
    // Arrange: three files, the body taken across them from the middle of the first to the middle of the last,
    // with sizes that are not multiples of the read chunk.
    const files = [randomBytes(1024 * 1024 + 5), randomBytes(2 * 1024 * 1024 + 333), randomBytes(70_001)];
    await Promise.all(files.map((data, i) => writeFile(join(dir, `seg-${i}`), data)));
    const slices = [
      { path: join(dir, 'seg-0'), start: 17 },
      { path: join(dir, 'seg-1'), start: 0, end: files[1]!.length - 1 },
      { path: join(dir, 'seg-2'), start: 0, end: 40_000 },
    ];
    const expected = Buffer.concat([files[0]!.subarray(17), files[1]!, files[2]!.subarray(0, 40_001)]);
    const target = join(dir, 'copy');

    // Act
    const result = digestFilesSync({ slices, algorithms: CHECKSUM_ALGORITHMS, target });

    // Assert
    expect((await readFile(target)).equals(expected)).toBe(true);
    expect(result).toEqual(await streamedDigest(expected));
  });

  it('digests without writing anything when given no target, computing only what was asked', async () => {
    // Arrange
    const data = randomBytes(300_000);
    await writeFile(join(dir, 'seg'), data);

    // Act
    const result = digestFilesSync({
      slices: [{ path: join(dir, 'seg'), start: 0 }],
      algorithms: ['CRC32', 'CRC32'],
    });

    // Assert
    const streamed = await streamedDigest(data);
    expect(result).toEqual({
      md5: streamed.md5,
      size: data.length,
      checksums: { CRC32: streamed.checksums.CRC32 },
    });
    expect(existsSync(join(dir, 'copy'))).toBe(false);
  });

  it('ends a range at the end of its file, as a read stream over the same range does', async () => {
    // Arrange
    const data = randomBytes(1000);
    await writeFile(join(dir, 'seg'), data);

    // Act
    const result = digestFilesSync({
      slices: [{ path: join(dir, 'seg'), start: 900, end: 5000 }],
      algorithms: [],
    });

    // Assert
    expect(result.size).toBe(100);
    expect(result.md5).toEqual((await streamedDigest(data.subarray(900))).md5);
  });

  it('gives the digests of no bytes at all for no slices', async () => {
    // Act
    const result = digestFilesSync({ slices: [], algorithms: ['CRC64NVME'], target: join(dir, 'empty') });

    // Assert
    const streamed = await streamedDigest(Buffer.alloc(0));
    expect(result).toEqual({
      md5: streamed.md5,
      size: 0,
      checksums: { CRC64NVME: streamed.checksums.CRC64NVME },
    });
    expect(await readFile(join(dir, 'empty'))).toHaveLength(0);
  });

  it('raises the file system error of a missing file', () => {
    // Act
    const act = () => digestFilesSync({ slices: [{ path: join(dir, 'gone'), start: 0 }], algorithms: [] });

    // Assert
    expect(act).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
