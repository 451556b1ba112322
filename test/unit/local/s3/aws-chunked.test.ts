import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import {
  AwsChunkedError,
  contentEncodingWithoutAwsChunked,
  createAwsChunkedDecoder,
  declaredTrailers,
  decodedContentLength,
  isAwsChunked,
} from '../../../../local/s3/aws-chunked.ts';
import { checksumBase64 } from '../../../../local/s3/checksums.ts';

interface Decoded {
  payload: Buffer;
  trailers: Record<string, string>;
}

/** Feeds `body` to a fresh decoder in pieces of `pieceSize` bytes and collects the payload. */
async function decode(body: Buffer, pieceSize: number, expectedLength?: number): Promise<Decoded> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += pieceSize) pieces.push(body.subarray(i, i + pieceSize));
  const decoder = createAwsChunkedDecoder(expectedLength === undefined ? {} : { expectedLength });
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk);
      cb();
    },
  });
  await pipeline(Readable.from(pieces), decoder, sink);
  return { payload: Buffer.concat(out), trailers: decoder.trailers() };
}

/** The error `decode` fails with (or a failure when it succeeds). */
async function decodeError(
  body: Buffer,
  pieceSize: number,
  expectedLength?: number,
): Promise<AwsChunkedError> {
  try {
    await decode(body, pieceSize, expectedLength);
  } catch (err) {
    if (err instanceof AwsChunkedError) return err;
    throw err;
  }
  throw new Error('the body decoded without an error');
}

const SIG = 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648';

/** Hand-built signed framing: one chunk per payload piece, then the final chunk and trailers. */
function signedBody(pieces: Buffer[], trailerLines: string[] = []): Buffer {
  const parts: Buffer[] = [];
  for (const p of pieces) {
    parts.push(Buffer.from(`${p.length.toString(16)};chunk-signature=${SIG}\r\n`), p, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0;chunk-signature=${SIG}\r\n`));
  for (const line of trailerLines) parts.push(Buffer.from(`${line}\r\n`));
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** The headers and raw body bytes of one PutObject the real SDK sends with a stream body. */
async function captureSdkPutObject(
  pieces: Buffer[],
): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  let captured: { headers: IncomingHttpHeaders; body: Buffer } | undefined;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured = { headers: req.headers, body: Buffer.concat(chunks) };
      res.writeHead(200, { etag: '"00000000000000000000000000000000"' });
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const s3 = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const size = pieces.reduce((n, p) => n + p.length, 0);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'bucket',
        Key: 'a/key.zip',
        Body: Readable.from(pieces),
        ContentLength: size,
      }),
    );
    s3.destroy();
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  if (!captured) throw new Error('the server saw no request');
  return captured;
}

describe('a PutObject body sent by the AWS SDK with a stream Body', () => {
  it('decodes to the uploaded bytes with the trailing CRC32 the SDK announced', async () => {
    // Arrange
    const pieces = [randomBytes(70_000), randomBytes(3), randomBytes(65_536), randomBytes(12_345)];
    const payload = Buffer.concat(pieces);
    const { headers, body } = await captureSdkPutObject(pieces);
    const expectedLength = decodedContentLength(headers);

    // Act
    const decoded = await decode(body, 16_384, expectedLength);

    // Assert
    expect(isAwsChunked(headers)).toBe(true);
    expect(expectedLength).toBe(payload.length);
    expect(declaredTrailers(headers)).toEqual(['x-amz-checksum-crc32']);
    expect(decoded.payload.equals(payload)).toBe(true);
    expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32': checksumBase64('CRC32', payload) });
  });

  it('decodes the same body when it arrives one byte at a time', async () => {
    // Arrange
    const pieces = [randomBytes(3000), randomBytes(1), randomBytes(2500)];
    const payload = Buffer.concat(pieces);
    const { headers, body } = await captureSdkPutObject(pieces);

    // Act
    const decoded = await decode(body, 1, decodedContentLength(headers));

    // Assert
    expect(decoded.payload.equals(payload)).toBe(true);
    expect(decoded.trailers['x-amz-checksum-crc32']).toBe(checksumBase64('CRC32', payload));
  });
});

describe('signed aws-chunked framing', () => {
  it('decodes STREAMING-AWS4-HMAC-SHA256-PAYLOAD chunks, whatever the read boundaries', async () => {
    // Arrange
    const pieces = [randomBytes(65_536), randomBytes(1000)];
    const body = signedBody(pieces);

    // Act
    const whole = await decode(body, body.length, 66_536);
    const split = await decode(body, 7);
    const bytewise = await decode(body, 1);

    // Assert
    for (const d of [whole, split, bytewise]) {
      expect(d.payload.equals(Buffer.concat(pieces))).toBe(true);
      expect(d.trailers).toEqual({});
    }
  });

  it('collects the trailing checksum and trailer signature of a signed trailer body', async () => {
    // Arrange
    const payload = randomBytes(5000);
    const crc = checksumBase64('CRC32C', payload);
    const body = signedBody([payload], [`x-amz-checksum-crc32c:${crc}`, `x-amz-trailer-signature:${SIG}`]);

    // Act
    const decoded = await decode(body, 1, 5000);

    // Assert
    expect(decoded.payload.equals(payload)).toBe(true);
    expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc32c': crc, 'x-amz-trailer-signature': SIG });
  });

  it('accepts the longer ECDSA chunk signatures of SigV4a', async () => {
    // Arrange
    const ecdsa = randomBytes(71).toString('hex');
    const payload = randomBytes(100);
    const body = Buffer.concat([
      Buffer.from(`64;chunk-signature=${ecdsa}\r\n`),
      payload,
      Buffer.from(`\r\n0;chunk-signature=${ecdsa}\r\n\r\n`),
    ]);

    // Act
    const decoded = await decode(body, 3, 100);

    // Assert
    expect(decoded.payload.equals(payload)).toBe(true);
  });

  it('decodes an empty payload', async () => {
    // Arrange
    const body = Buffer.from('0\r\nx-amz-checksum-crc64nvme:AAAAAAAAAAA=\r\n\r\n');

    // Act
    const decoded = await decode(body, 2, 0);

    // Assert
    expect(decoded.payload).toHaveLength(0);
    expect(decoded.trailers).toEqual({ 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' });
  });
});

describe('malformed aws-chunked bodies', () => {
  const payload = Buffer.from('hello world');
  const good = signedBody([payload], ['x-amz-checksum-crc32:DUoRhQ==']);

  it.each([
    ['ends inside chunk data', good.subarray(0, 90), 'IncompleteBody', /short of the end of a chunk/],
    [
      'ends before the final chunk',
      signedBody([payload]).subarray(0, 100),
      'IncompleteBody',
      /final zero-length/,
    ],
    [
      'ends without the final empty line',
      good.subarray(0, good.length - 2),
      'IncompleteBody',
      /trailing headers/,
    ],
    ['has a size that is not hex', Buffer.from('zz\r\nhello\r\n0\r\n\r\n'), 'InvalidRequest', /chunk header/],
    [
      'has fewer data bytes than its size says',
      Buffer.from('5\r\nhell\r\n0\r\n\r\n'),
      'InvalidRequest',
      /CRLF/,
    ],
    [
      'has more data bytes than its size says',
      Buffer.from('3\r\nhello\r\n0\r\n\r\n'),
      'InvalidRequest',
      /CRLF/,
    ],
    ['ends a header line with a bare LF', Buffer.from('5\nhello\r\n0\r\n\r\n'), 'InvalidRequest', /CRLF/],
    ['carries bytes after its end', Buffer.from('0\r\n\r\nextra'), 'InvalidRequest', /follows the end/],
    [
      'has a trailer without a colon',
      Buffer.from('0\r\nx-amz-checksum-crc32\r\n\r\n'),
      'InvalidRequest',
      /trailer/,
    ],
    ['repeats a trailer', Buffer.from('0\r\na:1\r\nA:2\r\n\r\n'), 'InvalidRequest', /twice/],
    ['has an endless header line', Buffer.alloc(10_000, 0x31), 'InvalidRequest', /exceeds/],
  ] as const)('is rejected when it %s', async (_what, body, code, message) => {
    // Arrange / Act
    const err = await decodeError(Buffer.from(body), 1);

    // Assert
    expect(err.code).toBe(code);
    expect(err.message).toMatch(message);
    expect(err.statusCode).toBe(400);
  });

  it('is rejected as incomplete when it carries fewer bytes than declared', async () => {
    // Arrange / Act
    const err = await decodeError(good, 5, payload.length + 1);

    // Assert
    expect(err.code).toBe('IncompleteBody');
    expect(err.message).toMatch(/carry 11 bytes but x-amz-decoded-content-length declares 12/);
  });

  it('is rejected as invalid when it carries more bytes than declared', async () => {
    // Arrange / Act
    const err = await decodeError(good, 5, payload.length - 1);

    // Assert
    expect(err.code).toBe('InvalidRequest');
    expect(err.message).toMatch(/more than the 10 bytes/);
  });

  it('has no trailers to give before it has been decoded', () => {
    // Arrange
    const decoder = createAwsChunkedDecoder();

    // Act
    const act = () => decoder.trailers();

    // Assert
    expect(act).toThrow(/before the body was decoded/);
  });
});

describe('aws-chunked request headers', () => {
  it.each([
    [{ 'content-encoding': 'aws-chunked' }, true],
    [{ 'content-encoding': 'gzip, AWS-CHUNKED' }, true],
    [{ 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }, true],
    [{ 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }, true],
    [{ 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, false],
    [{ 'content-encoding': 'gzip' }, false],
    [{}, false],
  ] as const)('recognise %j as aws-chunked: %s', (headers, expected) => {
    // Arrange / Act
    const chunked = isAwsChunked(headers);

    // Assert
    expect(chunked).toBe(expected);
  });

  it('reads the decoded length and rejects a malformed one', () => {
    // Arrange
    const good = { 'x-amz-decoded-content-length': '1073741824' };
    const bad = { 'x-amz-decoded-content-length': '12abc' };

    // Act / Assert
    expect(decodedContentLength(good)).toBe(1_073_741_824);
    expect(decodedContentLength({})).toBeUndefined();
    expect(() => decodedContentLength(bad)).toThrow(AwsChunkedError);
  });

  it('lists the announced trailers in lower case', () => {
    // Arrange
    const headers = { 'x-amz-trailer': 'X-Amz-Checksum-CRC32C, x-amz-checksum-sha256' };

    // Act
    const names = declaredTrailers(headers);

    // Assert
    expect(names).toEqual(['x-amz-checksum-crc32c', 'x-amz-checksum-sha256']);
  });

  it('drops aws-chunked from the content encoding to store', () => {
    // Arrange / Act / Assert
    expect(contentEncodingWithoutAwsChunked('aws-chunked')).toBeUndefined();
    expect(contentEncodingWithoutAwsChunked('aws-chunked,gzip')).toBe('gzip');
    expect(contentEncodingWithoutAwsChunked('gzip, aws-chunked, br')).toBe('gzip,br');
    expect(contentEncodingWithoutAwsChunked(undefined)).toBeUndefined();
  });
});
