import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseHost, resolveAddress } from '../../../../local/s3/addressing.ts';
import { S3Error } from '../../../../local/s3/errors.ts';

function request(url: string, host = '127.0.0.1:4566'): IncomingMessage {
  return { url, headers: { host } } as unknown as IncomingMessage;
}

describe('parseHost', () => {
  it.each([
    ['localhost', {}],
    ['127.0.0.1', {}],
    ['[::1]', {}],
    ['s3.localhost', {}],
    ['s3.eu-west-1.localhost', { region: 'eu-west-1' }],
    ['my-bucket.localhost', { bucket: 'my-bucket' }],
    ['my-bucket.s3.localhost', { bucket: 'my-bucket' }],
    ['my-bucket.s3.us-gov-west-1.localhost', { bucket: 'my-bucket', region: 'us-gov-west-1' }],
    ['my.s3.bucket.s3.amazonaws.com', { bucket: 'my.s3.bucket' }],
    ['my-bucket.s3.ap-northeast-2.amazonaws.com', { bucket: 'my-bucket', region: 'ap-northeast-2' }],
    ['host.docker.internal', {}],
  ])('reads %s as %j', (host, expected) => {
    // Arrange
    const input = host;

    // Act
    const parsed = parseHost(input);

    // Assert
    expect(parsed).toEqual(expected);
  });
});

describe('resolveAddress', () => {
  it('decodes a path-style key without normalising its slashes or dots', () => {
    // Arrange
    const req = request('/bucket/a//b/../c%20d%2Be?x-id=GetObject');

    // Act
    const address = resolveAddress(req);

    // Assert
    expect(address).toMatchObject({
      bucket: 'bucket',
      key: 'a//b/../c d+e',
      rawQuery: 'x-id=GetObject',
      virtualHost: false,
    });
  });

  it('takes the bucket from a virtual host and the whole path as key', () => {
    // Arrange
    const req = request('/dir/file.txt', 'my-bucket.s3.eu-west-1.localhost:4566');

    // Act
    const address = resolveAddress(req);

    // Assert
    expect(address).toMatchObject({
      bucket: 'my-bucket',
      key: 'dir/file.txt',
      hostRegion: 'eu-west-1',
      resource: '/my-bucket/dir/file.txt',
      virtualHost: true,
    });
  });

  it('treats a trailing slash after the bucket as a bucket request', () => {
    // Arrange
    const req = request('/bucket/?list-type=2');

    // Act
    const address = resolveAddress(req);

    // Assert
    expect(address.bucket).toBe('bucket');
    expect(address.key).toBeUndefined();
  });

  it('rejects a malformed percent escape with InvalidURI', () => {
    // Arrange
    const req = request('/bucket/%E0%A4%A');

    // Act
    let error: unknown;
    try {
      resolveAddress(req);
    } catch (err) {
      error = err;
    }

    // Assert
    expect(error).toBeInstanceOf(S3Error);
    expect((error as S3Error).code).toBe('InvalidURI');
  });
});
