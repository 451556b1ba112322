import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32c as awsCrc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDigestStream, DigestNotReadyError } from '../../../../local/s3/digest-stream.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'digest-stream-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function pieces(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += size) out.push(data.subarray(i, i + size));
  return out;
}

describe('createDigestStream', () => {
  it('writes the bytes through unchanged while computing MD5, size and the chosen checksums', async () => {
    // Arrange
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const file = join(dir, 'object');
    const digest = createDigestStream(['CRC64NVME', 'CRC32C', 'SHA256']);
    const crc64 = new Crc64Nvme();
    crc64.update(data);
    const crc32c = Buffer.alloc(4);
    crc32c.writeUInt32BE(awsCrc32c(data), 0);

    // Act
    await pipeline(Readable.from(pieces(data, 64 * 1024 + 3)), digest, createWriteStream(file));
    const result = digest.result();

    // Assert
    expect((await readFile(file)).equals(data)).toBe(true);
    expect(result.size).toBe(data.length);
    expect(result.md5.equals(createHash('md5').update(data).digest())).toBe(true);
    expect(result.checksums.CRC64NVME?.equals(Buffer.from(await crc64.digest()))).toBe(true);
    expect(result.checksums.CRC32C?.equals(crc32c)).toBe(true);
    expect(result.checksums.SHA256?.equals(createHash('sha256').update(data).digest())).toBe(true);
    expect(Object.keys(result.checksums).sort()).toEqual(['CRC32C', 'CRC64NVME', 'SHA256']);
  });

  it('computes only the MD5 and size when no checksum is asked for', async () => {
    // Arrange
    const data = Buffer.from('build artifact');
    const digest = createDigestStream([]);

    // Act
    await pipeline(Readable.from([data]), digest, createWriteStream(join(dir, 'small')));

    // Assert
    expect(digest.result()).toEqual({
      md5: createHash('md5').update(data).digest(),
      size: data.length,
      checksums: {},
    });
  });

  it('gives the digests of an empty object', async () => {
    // Arrange
    const digest = createDigestStream(['CRC64NVME', 'SHA1', 'CRC64NVME']);

    // Act
    await pipeline(Readable.from([]), digest, createWriteStream(join(dir, 'empty')));
    const result = digest.result();

    // Assert
    expect(result.size).toBe(0);
    expect(result.md5.toString('hex')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(result.checksums.CRC64NVME?.toString('hex')).toBe('0000000000000000');
    expect(result.checksums.SHA1?.toString('hex')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('has no result before its input has ended', () => {
    // Arrange
    const digest = createDigestStream(['CRC32']);
    digest.write(Buffer.from('partial'));

    // Act
    const act = () => digest.result();

    // Assert
    expect(act).toThrow(DigestNotReadyError);
    expect(digest.bytesSeen).toBe(7);
  });
});
