import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { S3Request } from '../../../../local/s3/context.ts';
import type { S3Operation } from '../../../../local/s3/router.ts';
import { readSmallBody, smallBodyLimit } from '../../../../local/s3/small-body.ts';

const MIB = 1024 * 1024;

/** A request whose body stream stays open: only what the test writes arrives. */
function request(
  operation: S3Operation,
  headers: Record<string, string>,
): { req: PassThrough; s3: S3Request } {
  const req = Object.assign(new PassThrough(), { headers, complete: false });
  const s3 = { req: req as unknown as IncomingMessage, operation } as unknown as S3Request;
  return { req, s3 };
}

describe('smallBodyLimit', () => {
  it.each([
    ['CompleteMultipartUpload', 8 * MIB],
    ['DeleteObjects', 8 * MIB],
    ['PutBucketTagging', 256 * 1024],
    ['PutObjectTagging', 256 * 1024],
    ['CreateBucket', 256 * 1024],
  ] as const)('caps %s bodies at %i bytes', (operation, expected) => {
    // Act
    const limit = smallBodyLimit(operation);

    // Assert
    expect(limit).toBe(expected);
  });
});

describe('readSmallBody', () => {
  it('refuses a body whose Content-Length is over the limit before reading a byte', async () => {
    // Arrange
    const { req, s3 } = request('PutBucketTagging', { 'content-length': String(40 * MIB) });

    // Act
    const error = await readSmallBody(s3).catch((err: unknown) => err);

    // Assert
    expect(error).toMatchObject({ code: 'MaxMessageLengthExceeded', status: 400 });
    expect(req.listenerCount('data')).toBe(0);
    expect(req.readableFlowing).toBeNull();
  });

  it('refuses an aws-chunked body whose decoded length is over the limit before reading a byte', async () => {
    // Arrange
    const { s3 } = request('DeleteObjects', {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(9 * MIB),
      'content-length': String(9 * MIB + 100),
    });

    // Act
    const error = await readSmallBody(s3).catch((err: unknown) => err);

    // Assert
    expect(error).toMatchObject({ code: 'MaxMessageLengthExceeded' });
  });

  it('refuses a chunked body as soon as the bytes read pass the limit, leaving the stream open', async () => {
    // Arrange
    const { req, s3 } = request('PutBucketTagging', {});

    // Act
    const reading = readSmallBody(s3);
    req.write(Buffer.alloc(200 * 1024));
    req.write(Buffer.alloc(200 * 1024)); // 400 KiB > 256 KiB; the body never ends
    const error = await reading.catch((err: unknown) => err);

    // Assert
    expect(error).toMatchObject({ code: 'MaxMessageLengthExceeded' });
    expect(req.destroyed).toBe(false);
  });

  it('returns a body within the limit', async () => {
    // Arrange
    const { req, s3 } = request('PutBucketTagging', { 'content-length': '11' });

    // Act
    const reading = readSmallBody(s3);
    req.end('<Tagging/>\n');
    const body = await reading;

    // Assert
    expect(body.toString()).toBe('<Tagging/>\n');
  });
});
