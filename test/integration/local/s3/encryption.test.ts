import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, type S3Harness, startS3 } from './harness.ts';
import { bytes, md5Hex, rejection, statusOf } from './support.ts';

const SEOUL = 'kms-seoul';
const KEY_ARN = `arn:aws:kms:ap-northeast-2:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

describe('local S3 server-side encryption', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3();
    client = s3.client('ap-northeast-2');
    await client.send(new CreateBucketCommand({ Bucket: SEOUL }));
  });

  afterAll(async () => {
    await s3.dispose();
  });

  it('records SSE-KMS with the key and bucket key, and gives an ETag that is not the MD5', async () => {
    // Arrange
    const data = bytes(1000, 5);

    // Act
    const put = await client.send(
      new PutObjectCommand({
        Bucket: SEOUL,
        Key: 'kms.bin',
        Body: data,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KEY_ARN,
        BucketKeyEnabled: true,
      }),
    );
    const head = await client.send(new HeadObjectCommand({ Bucket: SEOUL, Key: 'kms.bin' }));
    const got = await client.send(new GetObjectCommand({ Bucket: SEOUL, Key: 'kms.bin' }));
    const body = Buffer.from(await got.Body!.transformToByteArray());

    // Assert
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(put.ETag).not.toBe(`"${md5Hex(data)}"`);
    expect(head.ETag).toBe(put.ETag);
    for (const out of [put, head, got]) {
      expect(out.ServerSideEncryption).toBe('aws:kms');
      expect(out.SSEKMSKeyId).toBe(KEY_ARN);
      expect(out.BucketKeyEnabled).toBe(true);
    }
    expect(body.equals(data)).toBe(true);
  });

  it('defaults an SSE-KMS write without a key to the aws/s3 alias of the bucket region', async () => {
    // Arrange
    const data = Buffer.from('default key');

    // Act
    const put = await client.send(
      new PutObjectCommand({
        Bucket: SEOUL,
        Key: 'default-key',
        Body: data,
        ServerSideEncryption: 'aws:kms',
      }),
    );

    // Assert
    expect(put.SSEKMSKeyId).toBe(`arn:aws:kms:ap-northeast-2:${ACCOUNT_ID}:alias/aws/s3`);
  });

  it('rejects a KMS key ARN from another region than the bucket', async () => {
    // Arrange
    const foreign = `arn:aws:kms:us-west-2:${ACCOUNT_ID}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

    // Act
    const err = await rejection(
      client.send(
        new PutObjectCommand({
          Bucket: SEOUL,
          Key: 'foreign',
          Body: 'x',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: foreign,
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('KMS.NotFoundException');
    expect(statusOf(err)).toBe(400);
    expect(err.message).toContain('us-west-2');
  });

  it('re-encrypts a copy with the requested KMS key, so the copy ETag differs from the source MD5', async () => {
    // Arrange
    const data = bytes(4096, 6);
    const source = await client.send(new PutObjectCommand({ Bucket: SEOUL, Key: 'plain-src', Body: data }));

    // Act
    const copy = await client.send(
      new CopyObjectCommand({
        Bucket: SEOUL,
        Key: 'kms-copy',
        CopySource: `${SEOUL}/plain-src`,
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: KEY_ARN,
      }),
    );
    const plainCopy = await client.send(
      new CopyObjectCommand({ Bucket: SEOUL, Key: 'plain-copy', CopySource: `${SEOUL}/kms-copy` }),
    );

    // Assert
    expect(source.ETag).toBe(`"${md5Hex(data)}"`);
    expect(copy.ServerSideEncryption).toBe('aws:kms');
    expect(copy.SSEKMSKeyId).toBe(KEY_ARN);
    expect(copy.CopyObjectResult?.ETag).not.toBe(source.ETag);
    expect(plainCopy.ServerSideEncryption).toBe('AES256');
    expect(plainCopy.CopyObjectResult?.ETag).toBe(source.ETag);
  });

  it('applies the bucket default encryption to new objects and multipart uploads', async () => {
    // Arrange
    const bucket = 'kms-default-bucket';
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
    await client.send(
      new PutBucketEncryptionCommand({
        Bucket: bucket,
        ServerSideEncryptionConfiguration: {
          Rules: [
            {
              ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: KEY_ARN },
              BucketKeyEnabled: true,
            },
          ],
        },
      }),
    );

    // Act
    const put = await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'by-default', Body: 'x' }));
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mpu' }));
    const part = await client.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'mpu', UploadId, PartNumber: 1, Body: 'part' }),
    );
    const done = await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mpu',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] },
      }),
    );

    // Assert
    expect(put.ServerSideEncryption).toBe('aws:kms');
    expect(put.SSEKMSKeyId).toBe(KEY_ARN);
    expect(put.BucketKeyEnabled).toBe(true);
    expect(part.ETag).not.toBe(`"${md5Hex(Buffer.from('part'))}"`);
    expect(done.ServerSideEncryption).toBe('aws:kms');
    expect(done.ETag).toMatch(/^"[0-9a-f]{32}-1"$/);
  });

  it('rejects an unknown server-side encryption algorithm with InvalidArgument', async () => {
    // Arrange
    const algorithm = 'ROT13' as 'AES256';

    // Act
    const err = await rejection(
      client.send(
        new PutObjectCommand({ Bucket: SEOUL, Key: 'rot13', Body: 'x', ServerSideEncryption: algorithm }),
      ),
    );

    // Assert
    expect(err.name).toBe('InvalidArgument');
  });
});
