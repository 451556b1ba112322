import { createHash, randomBytes } from 'node:crypto';
import { crc32 as awsCrc32 } from '@aws-crypto/crc32';
import { crc32c as awsCrc32c } from '@aws-crypto/crc32c';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { describe, expect, it } from 'vitest';
import {
  CHECKSUM_ALGORITHMS,
  type ChecksumAlgorithm,
  ChecksumInputError,
  type CrcAlgorithm,
  checksumBase64,
  checksumHeaderName,
  checksumOf,
  checksumXmlName,
  combineCrc,
  compositeChecksum,
  createEtagSalt,
  createHasher,
  decodeChecksum,
  digestLength,
  fullObjectChecksum,
  isChecksumAlgorithm,
  isCrcAlgorithm,
  kmsEtag,
  md5Etag,
  multipartEtag,
  supportedChecksumTypes,
} from '../../../../local/s3/checksums.ts';

const CRC_ALGS: readonly CrcAlgorithm[] = ['CRC64NVME', 'CRC32C', 'CRC32'];
const ASCII_123456789 = Buffer.from('123456789', 'ascii');

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
}

/** The digest computed by a library independent of the module under test. */
async function reference(alg: ChecksumAlgorithm, data: Uint8Array): Promise<Buffer> {
  switch (alg) {
    case 'CRC64NVME': {
      const h = new Crc64Nvme();
      h.update(data);
      return Buffer.from(await h.digest());
    }
    case 'CRC32C':
      return u32(awsCrc32c(data));
    case 'CRC32':
      return u32(awsCrc32(data));
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
  }
}

/** `data` as a view at a given misalignment inside a larger buffer, as pooled stream chunks are. */
function atOffset(data: Buffer, offset: number): Buffer {
  const backing = Buffer.alloc(data.length + offset + 8);
  data.copy(backing, offset);
  return backing.subarray(offset, offset + data.length);
}

describe('algorithm names', () => {
  it('lists the five algorithms, strongest first', () => {
    // Arrange / Act
    const algs = [...CHECKSUM_ALGORITHMS];

    // Assert
    expect(algs).toEqual(['CRC64NVME', 'CRC32C', 'CRC32', 'SHA256', 'SHA1']);
  });

  it('recognises exactly the names S3 uses', () => {
    // Arrange
    const candidates = ['CRC64NVME', 'CRC32C', 'CRC32', 'SHA1', 'SHA256', 'crc32', 'MD5', '', 42];

    // Act
    const accepted = candidates.filter((c) => isChecksumAlgorithm(c));

    // Assert
    expect(accepted).toEqual(['CRC64NVME', 'CRC32C', 'CRC32', 'SHA1', 'SHA256']);
  });

  it('names the header and the XML element of each algorithm', () => {
    // Arrange / Act
    const names = CHECKSUM_ALGORITHMS.map((a) => [checksumHeaderName(a), checksumXmlName(a)]);

    // Assert
    expect(names).toEqual([
      ['x-amz-checksum-crc64nvme', 'ChecksumCRC64NVME'],
      ['x-amz-checksum-crc32c', 'ChecksumCRC32C'],
      ['x-amz-checksum-crc32', 'ChecksumCRC32'],
      ['x-amz-checksum-sha256', 'ChecksumSHA256'],
      ['x-amz-checksum-sha1', 'ChecksumSHA1'],
    ]);
  });

  it('tells the CRC algorithms apart from the SHA ones', () => {
    // Arrange / Act
    const crcs = CHECKSUM_ALGORITHMS.filter((a) => isCrcAlgorithm(a));

    // Assert
    expect(crcs).toEqual(['CRC64NVME', 'CRC32C', 'CRC32']);
  });

  it('follows the S3 rules for multipart checksum types', () => {
    // Arrange / Act
    const types = Object.fromEntries(CHECKSUM_ALGORITHMS.map((a) => [a, supportedChecksumTypes(a)]));

    // Assert
    expect(types).toEqual({
      CRC64NVME: ['FULL_OBJECT'],
      CRC32C: ['FULL_OBJECT', 'COMPOSITE'],
      CRC32: ['FULL_OBJECT', 'COMPOSITE'],
      SHA256: ['COMPOSITE'],
      SHA1: ['COMPOSITE'],
    });
  });
});

describe('hashers', () => {
  it.each([
    ['CRC64NVME', 'ae8b14860a799888'],
    ['CRC32', 'cbf43926'],
    ['CRC32C', 'e3069283'],
  ] as const)('computes the check value of %s over ASCII "123456789"', (alg, hex) => {
    // Arrange / Act
    const digest = checksumOf(alg, ASCII_123456789);

    // Assert
    expect(digest.toString('hex')).toBe(hex);
    expect(digest).toHaveLength(digestLength(alg));
  });

  it.each(CHECKSUM_ALGORITHMS)(
    'matches an independent %s implementation on random data in random splits',
    async (alg) => {
      // Arrange
      const data = randomBytes(200_003);
      const expected = await reference(alg, data);
      const hasher = createHasher(alg);

      // Act
      for (let pos = 0; pos < data.length; ) {
        const n = Math.min(1 + Math.floor(Math.random() * 9000), data.length - pos);
        hasher.update(atOffset(data.subarray(pos, pos + n), pos % 8));
        pos += n;
      }

      // Assert
      expect(hasher.digest().equals(expected)).toBe(true);
    },
  );

  it.each(CRC_ALGS)('gives the same %s for every alignment and short length', async (alg) => {
    // Arrange
    const data = randomBytes(40);
    const cases: [number, number][] = [];
    for (let length = 0; length <= 40; length++)
      for (let offset = 0; offset < 8; offset++) cases.push([length, offset]);

    // Act
    const mismatches: [number, number][] = [];
    for (const [length, offset] of cases) {
      const slice = data.subarray(0, length);
      if (!checksumOf(alg, atOffset(slice, offset)).equals(await reference(alg, slice))) {
        mismatches.push([length, offset]);
      }
    }

    // Assert
    expect(mismatches).toEqual([]);
  });

  it('gives the digests of the empty string', () => {
    // Arrange / Act
    const digests = CHECKSUM_ALGORITHMS.map((a) => checksumOf(a, Buffer.alloc(0)).toString('hex'));

    // Assert
    expect(digests).toEqual([
      '0000000000000000',
      '00000000',
      '00000000',
      createHash('sha256').digest('hex'),
      createHash('sha1').digest('hex'),
    ]);
  });

  it('base64-encodes the raw big-endian digest', () => {
    // Arrange / Act
    const value = checksumBase64('CRC32', ASCII_123456789);

    // Assert
    expect(value).toBe(Buffer.from('cbf43926', 'hex').toString('base64'));
  });
});

describe('decodeChecksum', () => {
  it('decodes a canonical base64 digest of the right length', () => {
    // Arrange
    const value = checksumBase64('CRC64NVME', ASCII_123456789);

    // Act
    const raw = decodeChecksum('CRC64NVME', value);

    // Assert
    expect(raw?.toString('hex')).toBe('ae8b14860a799888');
  });

  it.each([
    ['a CRC32 value given as CRC64NVME', 'CRC64NVME', 'y/Q5Jg=='],
    ['text that is not base64', 'CRC32', 'not base64!'],
    ['base64 without its padding', 'CRC32', 'y/Q5Jg'],
    ['an empty value', 'SHA256', ''],
  ] as const)('rejects %s', (_what, alg, value) => {
    // Arrange / Act
    const raw = decodeChecksum(alg, value);

    // Assert
    expect(raw).toBeUndefined();
  });
});

describe('combineCrc', () => {
  const sizes = [0, 1, 3, 8, 255, 4096, 65_537, 1 + Math.floor(Math.random() * 300_000)];

  it.each(CRC_ALGS)('combines %s(a) and %s(b) into the CRC of a‖b for every size pair', (alg) => {
    // Arrange
    const pairs = sizes.flatMap((x) => sizes.map((y) => [randomBytes(x), randomBytes(y)] as const));

    // Act
    const wrong = pairs.filter(([a, b]) => {
      const combined = combineCrc(alg, checksumOf(alg, a), checksumOf(alg, b), b.length);
      return !combined.equals(checksumOf(alg, Buffer.concat([a, b])));
    });

    // Assert
    expect(wrong.map(([a, b]) => [a.length, b.length])).toEqual([]);
  });

  it('rejects a checksum of the wrong width', () => {
    // Arrange
    const crc32 = checksumOf('CRC32', ASCII_123456789);

    // Act
    const act = () => combineCrc('CRC64NVME', crc32, crc32, 9);

    // Assert
    expect(act).toThrow(ChecksumInputError);
  });

  it('rejects a negative or fractional length', () => {
    // Arrange
    const crc = checksumOf('CRC32C', ASCII_123456789);

    // Act / Assert
    expect(() => combineCrc('CRC32C', crc, crc, -1)).toThrow(ChecksumInputError);
    expect(() => combineCrc('CRC32C', crc, crc, 1.5)).toThrow(ChecksumInputError);
  });
});

describe('fullObjectChecksum', () => {
  it.each(CRC_ALGS)('equals the %s of the whole object assembled from its parts', async (alg) => {
    // Arrange
    const parts = [randomBytes(5 * 1024), randomBytes(5 * 1024), randomBytes(1), randomBytes(777)];
    const expected = await reference(alg, Buffer.concat(parts));

    // Act
    const actual = fullObjectChecksum(
      alg,
      parts.map((p) => ({ checksum: checksumOf(alg, p), size: p.length })),
    );

    // Assert
    expect(actual.equals(expected)).toBe(true);
  });

  it('is the CRC of the empty string when there are no parts', () => {
    // Arrange / Act
    const value = fullObjectChecksum('CRC32', []);

    // Assert
    expect(value.equals(checksumOf('CRC32', Buffer.alloc(0)))).toBe(true);
  });
});

describe('compositeChecksum', () => {
  it('hashes the concatenated raw part checksums and appends the part count', () => {
    // Arrange
    const parts = [randomBytes(1000), randomBytes(2000), randomBytes(3)];
    const partSha = parts.map((p) => createHash('sha256').update(p).digest());
    const expected = `${createHash('sha256').update(Buffer.concat(partSha)).digest('base64')}-3`;

    // Act
    const value = compositeChecksum('SHA256', partSha);

    // Assert
    expect(value).toBe(expected);
  });

  it('forms a CRC32 composite from the 4-byte part CRCs', () => {
    // Arrange
    const partCrcs = [u32(0xcbf43926), u32(0x12345678)];
    const expected = `${u32(awsCrc32(Buffer.concat(partCrcs))).toString('base64')}-2`;

    // Act
    const value = compositeChecksum('CRC32', partCrcs);

    // Assert
    expect(value).toBe(expected);
  });

  it('rejects part checksums of the wrong length and an empty part list', () => {
    // Arrange
    const sha1 = createHash('sha1').digest();

    // Act / Assert
    expect(() => compositeChecksum('SHA256', [sha1])).toThrow(ChecksumInputError);
    expect(() => compositeChecksum('SHA256', [])).toThrow(ChecksumInputError);
  });
});

describe('ETags', () => {
  it('quotes the hex MD5 of a single-part object', () => {
    // Arrange
    const md5 = createHash('md5').update('hello').digest();

    // Act
    const etag = md5Etag(md5);

    // Assert
    expect(etag).toBe('"5d41402abc4b2a76b9719d911017c592"');
  });

  it('forms the multipart ETag from the raw part MD5s', () => {
    // Arrange: the value for parts "hello" and "world" was computed with Python's hashlib.
    const partMd5s = ['hello', 'world'].map((p) => createHash('md5').update(p).digest());

    // Act
    const etag = multipartEtag(partMd5s);

    // Assert
    expect(etag).toBe('"065947336a2f2a95ba8899f3675c3be6-2"');
  });

  it('agrees with an md5 of the concatenated part digests for many parts', () => {
    // Arrange
    const partMd5s = Array.from({ length: 12 }, () => createHash('md5').update(randomBytes(64)).digest());
    const expected = `"${createHash('md5').update(Buffer.concat(partMd5s)).digest('hex')}-12"`;

    // Act
    const etag = multipartEtag(partMd5s);

    // Assert
    expect(etag).toBe(expected);
  });

  it('rejects an MD5 that is not 16 bytes', () => {
    // Arrange
    const notMd5 = Buffer.alloc(20);

    // Act / Assert
    expect(() => md5Etag(notMd5)).toThrow(ChecksumInputError);
    expect(() => multipartEtag([notMd5])).toThrow(ChecksumInputError);
    expect(() => multipartEtag([])).toThrow(ChecksumInputError);
  });

  it('gives an SSE-KMS object a stable 32-hex ETag that is not its MD5', () => {
    // Arrange
    const md5 = createHash('md5').update('artifact bytes').digest();
    const salt = createEtagSalt();

    // Act
    const first = kmsEtag(md5, salt);
    const again = kmsEtag(md5, Buffer.from(salt));
    const otherObject = kmsEtag(md5, createEtagSalt());

    // Assert
    expect(first).toMatch(/^"[0-9a-f]{32}"$/);
    expect(first).toBe(again);
    expect(first).not.toBe(md5Etag(md5));
    expect(otherObject).not.toBe(first);
  });

  it('keeps the -N suffix for a multipart SSE-KMS object', () => {
    // Arrange
    const md5OfMd5s = createHash('md5').update('parts').digest();

    // Act
    const etag = kmsEtag(md5OfMd5s, Buffer.from('salt'), 3);

    // Assert
    expect(etag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(etag).not.toBe(`"${md5OfMd5s.toString('hex')}-3"`);
  });

  it('refuses an empty KMS ETag salt', () => {
    // Arrange
    const md5 = createHash('md5').digest();

    // Act / Assert
    expect(() => kmsEtag(md5, Buffer.alloc(0))).toThrow(ChecksumInputError);
  });
});
