import { PassThrough, Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { contentLength, PrematureCloseError, readCappedBody } from '../../../../local/protocol/body.ts';

class TooLarge extends Error {}

describe('contentLength', () => {
  it.each([
    [{ 'content-length': '42' }, 42],
    [{ 'content-length': ' 0 ' }, 0],
    [{}, undefined],
    [{ 'content-length': '-1' }, undefined],
    [{ 'content-length': '99999999999999999999' }, undefined],
  ])('reads %j as %j', (headers, expected) => {
    // Act
    const length = contentLength(headers);

    // Assert
    expect(length).toBe(expected);
  });
});

describe('readCappedBody', () => {
  it('returns a body up to the limit whole', async () => {
    // Arrange
    const source = Readable.from([Buffer.from('abc'), Buffer.from('def')]);

    // Act
    const body = await readCappedBody(source, 6, () => new TooLarge());

    // Assert
    expect(body.toString()).toBe('abcdef');
  });

  it('refuses as soon as the bytes read pass the limit, without waiting for the end or destroying the source', async () => {
    // Arrange
    const source = new PassThrough();
    source.write(Buffer.alloc(4));

    // Act
    const reading = readCappedBody(source, 6, () => new TooLarge('too large'));
    source.write(Buffer.alloc(4)); // 8 bytes: past the limit; the stream never ends
    const error = await reading.catch((err: unknown) => err);

    // Assert
    expect(error).toBeInstanceOf(TooLarge);
    expect(source.destroyed).toBe(false);
    expect(source.isPaused()).toBe(true);
    expect(source.listenerCount('data')).toBe(0);
  });

  it('rejects with PrematureCloseError when the source closes before its end', async () => {
    // Arrange
    const source = new PassThrough();
    source.write('partial');

    // Act
    const reading = readCappedBody(source, 100, () => new TooLarge());
    source.destroy();
    const error = await reading.catch((err: unknown) => err);

    // Assert
    expect(error).toBeInstanceOf(PrematureCloseError);
  });

  it("rejects with the source's own error", async () => {
    // Arrange
    const source = new PassThrough();
    const failure = new Error('socket hang up');

    // Act
    const reading = readCappedBody(source, 100, () => new TooLarge());
    source.destroy(failure);
    const error = await reading.catch((err: unknown) => err);

    // Assert
    expect(error).toBe(failure);
  });
});
