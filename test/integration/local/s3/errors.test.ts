import { CreateBucketCommand, GetBucketCorsCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Harness, startS3 } from './harness.ts';
import { crc32Raw, raw, rejection, statusOf } from './support.ts';

const BUCKET = 'errors-bucket';

function awsChunked(payload: Buffer, trailer: string): Buffer {
  return Buffer.concat([
    Buffer.from(`${payload.length.toString(16)}\r\n`),
    payload,
    Buffer.from(`\r\n0\r\n${trailer}\r\n\r\n`),
  ]);
}

function chunkedHeaders(length: number): Record<string, string> {
  return {
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'x-amz-decoded-content-length': String(length),
    'x-amz-trailer': 'x-amz-checksum-crc32',
  };
}

describe('local S3 error answers', () => {
  let s3: S3Harness;

  beforeAll(async () => {
    s3 = await startS3();
    await s3.client('us-east-1').send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterAll(async () => {
    await s3.dispose();
  });

  it('answers malformed XML with 400 MalformedXML in an S3 error document', async () => {
    // Arrange
    const body = '<Tagging><TagSet><Tag><Key>a</Key></TagSet></Tagging>';

    // Act
    const res = await raw(s3.endpoint, { method: 'PUT', path: `/${BUCKET}?tagging`, body });

    // Assert
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.body).toContain('<Code>MalformedXML</Code>');
    expect(res.body).toContain(`<Resource>/${BUCKET}</Resource>`);
    expect(res.body).toContain(`<RequestId>${String(res.headers['x-amz-request-id'])}</RequestId>`);
    expect(res.headers['x-amz-id-2']).toBeTruthy();
  });

  it('answers an operation the local S3 lacks with 501 NotImplemented naming it', async () => {
    // Arrange
    const client = s3.client('us-east-1');

    // Act
    const err = await rejection(client.send(new GetBucketCorsCommand({ Bucket: BUCKET })));

    // Assert
    expect(err.name).toBe('NotImplemented');
    expect(statusOf(err)).toBe(501);
    expect(err.message).toContain('GetBucketCors');
  });

  it('answers an unsupported method with 405 MethodNotAllowed', async () => {
    // Arrange
    const path = `/${BUCKET}/some-key`;

    // Act
    const res = await raw(s3.endpoint, { method: 'PATCH', path });

    // Assert
    expect(res.status).toBe(405);
    expect(res.body).toContain('<Code>MethodNotAllowed</Code>');
    expect(res.body).toContain('<Method>PATCH</Method>');
  });

  it('decodes an aws-chunked body and accepts its correct trailing checksum', async () => {
    // Arrange
    const payload = Buffer.from('chunked payload');
    const trailer = `x-amz-checksum-crc32:${(await crc32Raw(payload)).toString('base64')}`;

    // Act
    const put = await raw(s3.endpoint, {
      method: 'PUT',
      path: `/${BUCKET}/chunked-ok`,
      headers: chunkedHeaders(payload.length),
      body: awsChunked(payload, trailer),
    });
    const got = await raw(s3.endpoint, { path: `/${BUCKET}/chunked-ok` });

    // Assert
    expect(put.status).toBe(200);
    expect(got.body).toBe('chunked payload');
    expect(got.headers['content-encoding']).toBeUndefined();
  });

  it('rejects an aws-chunked body whose trailing checksum is wrong with BadDigest and stores nothing', async () => {
    // Arrange
    const payload = Buffer.from('chunked payload');
    const trailer = `x-amz-checksum-crc32:${(await crc32Raw(Buffer.from('different'))).toString('base64')}`;

    // Act
    const put = await raw(s3.endpoint, {
      method: 'PUT',
      path: `/${BUCKET}/chunked-bad`,
      headers: chunkedHeaders(payload.length),
      body: awsChunked(payload, trailer),
    });
    const got = await raw(s3.endpoint, { path: `/${BUCKET}/chunked-bad` });

    // Assert
    expect(put.status).toBe(400);
    expect(put.body).toContain('<Code>BadDigest</Code>');
    expect(put.body).toContain('The CRC32 you specified did not match the calculated checksum.');
    expect(got.status).toBe(404);
  });

  it('rejects an aws-chunked body shorter than its declared decoded length', async () => {
    // Arrange
    const payload = Buffer.from('short');
    const trailer = `x-amz-checksum-crc32:${(await crc32Raw(payload)).toString('base64')}`;

    // Act
    const put = await raw(s3.endpoint, {
      method: 'PUT',
      path: `/${BUCKET}/chunked-short`,
      headers: chunkedHeaders(payload.length + 10),
      body: awsChunked(payload, trailer),
    });

    // Assert
    expect(put.status).toBe(400);
    expect(put.body).toContain('<Code>IncompleteBody</Code>');
  });

  it('rejects a malformed checksum header value with InvalidRequest', async () => {
    // Arrange
    const headers = { 'x-amz-checksum-crc32': 'not base64!' };

    // Act
    const put = await raw(s3.endpoint, { method: 'PUT', path: `/${BUCKET}/bad-header`, headers, body: 'x' });

    // Assert
    expect(put.status).toBe(400);
    expect(put.body).toContain('<Code>InvalidRequest</Code>');
  });

  it('rejects a hex x-amz-content-sha256 that does not match the body', async () => {
    // Arrange
    const headers = { 'x-amz-content-sha256': '0'.repeat(64) };

    // Act
    const put = await raw(s3.endpoint, { method: 'PUT', path: `/${BUCKET}/bad-sha`, headers, body: 'x' });

    // Assert
    expect(put.status).toBe(400);
    expect(put.body).toContain('<Code>XAmzContentSHA256Mismatch</Code>');
  });

  it('requires Content-Length on PutObject (411 MissingContentLength)', async () => {
    // Arrange
    const headers = { 'transfer-encoding': 'chunked' };

    // Act
    const put = await raw(s3.endpoint, { method: 'PUT', path: `/${BUCKET}/no-length`, headers });

    // Assert
    expect(put.status).toBe(411);
    expect(put.body).toContain('<Code>MissingContentLength</Code>');
  });

  it('requires an integrity header on DeleteObjects', async () => {
    // Arrange
    const body = '<Delete><Object><Key>a</Key></Object></Delete>';

    // Act
    const res = await raw(s3.endpoint, { method: 'POST', path: `/${BUCKET}?delete`, body });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body).toContain('Missing required header for this request: Content-MD5');
  });

  it('answers a copy source that names no key with InvalidArgument', async () => {
    // Arrange
    const headers = { 'x-amz-copy-source': BUCKET };

    // Act
    const res = await raw(s3.endpoint, { method: 'PUT', path: `/${BUCKET}/copy-target`, headers });

    // Assert
    expect(res.status).toBe(400);
    expect(res.body).toContain('<Code>InvalidArgument</Code>');
  });

  it('logs one concise line per request', async () => {
    // Arrange
    const before = s3.logs.length;

    // Act
    await raw(s3.endpoint, { path: `/${BUCKET}/missing-for-log` });

    // Assert
    expect(s3.logs.slice(before)).toEqual([
      expect.stringMatching(/^S3 GetObject errors-bucket\/missing-for-log 404 \d+ms$/),
    ]);
  });
});
