import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREDENTIALS, type S3Harness, startS3 } from './harness.ts';
import { bytes, crc32Raw, md5Hex, rejection, statusOf } from './support.ts';

const BUCKET = 'faulty-bucket';

describe('local S3 fault injection', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeEach(async () => {
    s3 = await startS3({ minPartSizeBytes: 1024 });
    client = new S3Client({
      endpoint: s3.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    });
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterEach(async () => {
    client.destroy();
    await s3.dispose();
  });

  it.each([
    ['slowdown', 'SlowDown', 503],
    ['internal-error', 'InternalError', 500],
    ['access-denied', 'AccessDenied', 403],
  ] as const)(
    'answers a %s fault with %s (%i) and serves the request once it is lifted',
    async (kind, code, status) => {
      // Arrange
      const id = s3.faults.add({ kind, operations: ['PutObject'], bucket: BUCKET });

      // Act
      const err = await rejection(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' })));
      s3.faults.remove(id);
      const ok = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }));

      // Assert
      expect(err.name).toBe(code);
      expect(statusOf(err)).toBe(status);
      expect(ok.$metadata.httpStatusCode).toBe(200);
    },
  );

  it('resets the connection without an answer on a reset fault, storing nothing', async () => {
    // Arrange
    s3.faults.add({ kind: 'reset', operations: ['PutObject'], times: 1 });

    // Act
    const err = await rejection(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'reset', Body: 'x' })),
    );
    const missing = await rejection(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'reset' })));

    // Assert
    expect(statusOf(err)).toBeUndefined();
    expect(statusOf(missing)).toBe(404);
    expect(s3.faults.list()[0]?.fired).toBe(1);
  });

  it('still serves a request that only has latency added', async () => {
    // Arrange
    s3.faults.add({ kind: 'latency', latencyMs: 5, operations: ['GetObject'] });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'slow', Body: 'eventually' }));

    // Act
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'slow' }));

    // Assert
    expect(await got.Body!.transformToString()).toBe('eventually');
    expect(s3.faults.list()[0]?.fired).toBe(1);
  });

  it('corrupts the next CopyObject into a key, with ETag and checksum of the corrupted bytes', async () => {
    // Arrange
    const data = bytes(4096, 12);
    const source = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'src', Body: data }));
    s3.faults.corruptNextCopy({ bucket: BUCKET, key: 'dst' });

    // Act
    const copy = await client.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst', CopySource: `${BUCKET}/src` }),
    );
    const got = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: 'dst', ChecksumMode: 'ENABLED' }),
    );
    const stored = Buffer.from(await got.Body!.transformToByteArray());
    const second = await client.send(
      new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst', CopySource: `${BUCKET}/src` }),
    );

    // Assert
    expect(stored.equals(data)).toBe(false);
    expect(stored.length).toBe(data.length);
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5Hex(stored)}"`);
    expect(copy.CopyObjectResult?.ETag).not.toBe(source.ETag);
    expect(got.ChecksumCRC32).toBe((await crc32Raw(stored)).toString('base64'));
    expect(second.CopyObjectResult?.ETag).toBe(source.ETag);
  });

  it('corrupts the next UploadPartCopy into a key, so the completed object differs from its source', async () => {
    // Arrange
    const data = bytes(8192, 13);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'mp-src', Body: data }));
    s3.faults.corruptNextCopy({ bucket: BUCKET, key: 'mp-dst' });
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp-dst' }),
    );

    // Act
    const part = await client.send(
      new UploadPartCopyCommand({
        Bucket: BUCKET,
        Key: 'mp-dst',
        UploadId,
        PartNumber: 1,
        CopySource: `${BUCKET}/mp-src`,
      }),
    );
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'mp-dst',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult?.ETag }] },
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'mp-dst' }));
    const stored = Buffer.from(await got.Body!.transformToByteArray());

    // Assert
    expect(stored.equals(data)).toBe(false);
    expect(part.CopyPartResult?.ETag).toBe(`"${md5Hex(stored)}"`);
  });
});
