import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { sameDigest, sha256OfStream, UnstreamableBody } from '../../../core/stream-digest.ts';

describe('sha256OfStream', () => {
  it('hashes the bytes of a stream as they arrive, counting them', async () => {
    // Arrange
    const body = Readable.from([Buffer.from('hello '), Buffer.from('world')]);

    // Act
    const digest = await sha256OfStream(body);

    // Assert
    expect(digest).toEqual({ sha256: createHash('sha256').update('hello world').digest('hex'), bytes: 11 });
  });

  it('reads an absent body as the empty object', async () => {
    // Act
    const digest = await sha256OfStream(undefined);

    // Assert
    expect(digest).toEqual({ sha256: createHash('sha256').digest('hex'), bytes: 0 });
  });

  it('refuses a body that is not a stream of bytes', async () => {
    // Act / Assert
    await expect(sha256OfStream('not a stream')).rejects.toBeInstanceOf(UnstreamableBody);
  });

  it('tells digests apart by hash and by length', () => {
    // Arrange
    const a = { sha256: 'x', bytes: 1 };

    // Act / Assert
    expect(sameDigest(a, { sha256: 'x', bytes: 1 })).toBe(true);
    expect(sameDigest(a, { sha256: 'x', bytes: 2 })).toBe(false);
    expect(sameDigest(a, { sha256: 'y', bytes: 1 })).toBe(false);
  });
});
