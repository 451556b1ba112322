/**
 * Divergences from AWS an S3 compatibility suite found, each seen through a real SDK client: a repeated
 * CompleteMultipartUpload, the version id of writes to a Suspended bucket, GetObjectAttributes' parts,
 * encryption headers on reads, and `x-amz-tagging-count` on HEAD.
 */
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Harness, startS3 } from './harness.ts';
import { bytes, crc32Raw, rejection, statusOf } from './support.ts';

const BUCKET = 'parity-bucket';
const SUSPENDED = 'parity-suspended';
const MIB = 1024 * 1024;

/** Adds request headers to every request of `client` (signed with the request). */
function withRequestHeaders(client: S3Client, headers: Record<string, string>): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers: Record<string, string> };
      Object.assign(request.headers, headers);
      return next(args);
    },
    { step: 'build', name: 'parityRequestHeaders' },
  );
}

/** Records the raw response headers of every response of `client`. */
function responseHeaders(client: S3Client): Array<Record<string, string>> {
  const seen: Array<Record<string, string>> = [];
  client.middlewareStack.add(
    (next) => async (args) => {
      const out = await next(args);
      seen.push((out.response as { headers: Record<string, string> }).headers);
      return out;
    },
    { step: 'deserialize', name: 'parityResponseHeaders' },
  );
  return seen;
}

describe('local S3 parity with AWS', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3({ minPartSizeBytes: MIB, completedUploadsKept: 2 });
    client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await client.send(new CreateBucketCommand({ Bucket: SUSPENDED }));
    await client.send(
      new PutBucketVersioningCommand({ Bucket: SUSPENDED, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await client.send(
      new PutBucketVersioningCommand({ Bucket: SUSPENDED, VersioningConfiguration: { Status: 'Suspended' } }),
    );
  });

  afterAll(async () => {
    await s3.dispose();
  });

  async function uploadParts(bucket: string, key: string, parts: readonly Buffer[]) {
    const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const done = [];
    for (const [i, body] of parts.entries()) {
      const res = await client.send(
        new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }),
      );
      done.push({ PartNumber: i + 1, ETag: res.ETag, ChecksumCRC32: res.ChecksumCRC32 });
    }
    return { uploadId: UploadId!, parts: done };
  }

  describe('a repeated CompleteMultipartUpload', () => {
    it('answers a retry of a completed upload with the completed object, writing nothing again', async () => {
      // Arrange
      const data = bytes(MIB + 10, 5);
      const { uploadId, parts } = await uploadParts(SUSPENDED, 'retried.bin', [
        data.subarray(0, MIB),
        data.subarray(MIB),
      ]);
      const complete = new CompleteMultipartUploadCommand({
        Bucket: SUSPENDED,
        Key: 'retried.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      });
      const first = await client.send(complete);
      const eventsBefore = s3.events.length;

      // Act
      const again = await client.send(complete);

      // Assert
      expect(again.ETag).toBe(first.ETag);
      expect(again.Location).toBe(first.Location);
      expect(again.ChecksumCRC32).toBe(first.ChecksumCRC32);
      expect(again.VersionId).toBe(first.VersionId);
      expect(again.ServerSideEncryption).toBe(first.ServerSideEncryption);
      expect(s3.events.length).toBe(eventsBefore);
    });

    it('answers a repeat with the same version id header as the first answer in a versioned bucket', async () => {
      // Arrange
      const versioned = 'parity-versioned';
      await client.send(new CreateBucketCommand({ Bucket: versioned }));
      await client.send(
        new PutBucketVersioningCommand({ Bucket: versioned, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const { uploadId, parts } = await uploadParts(versioned, 'v.bin', [bytes(100, 6)]);
      const input = {
        Bucket: versioned,
        Key: 'v.bin',
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      };
      const first = await client.send(new CompleteMultipartUploadCommand(input));

      // Act
      const again = await client.send(new CompleteMultipartUploadCommand(input));

      // Assert
      expect(first.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
      expect(again.VersionId).toBe(first.VersionId);
    });

    it('refuses a repeat listing other parts with NoSuchUpload', async () => {
      // Arrange
      const { uploadId, parts } = await uploadParts(BUCKET, 'other-parts.bin', [bytes(MIB, 7), bytes(9, 8)]);
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'other-parts.bin',
          UploadId: uploadId,
          MultipartUpload: { Parts: parts },
        }),
      );

      // Act
      const err = await rejection(
        client.send(
          new CompleteMultipartUploadCommand({
            Bucket: BUCKET,
            Key: 'other-parts.bin',
            UploadId: uploadId,
            MultipartUpload: { Parts: parts.slice(0, 1) },
          }),
        ),
      );

      // Assert
      expect(err.name).toBe('NoSuchUpload');
      expect(statusOf(err)).toBe(404);
    });

    it('remembers completed uploads across a restart, and only as many as configured', async () => {
      // Arrange
      const uploads = [];
      for (const key of ['kept-1.bin', 'kept-2.bin', 'kept-3.bin']) {
        const { uploadId, parts } = await uploadParts(BUCKET, key, [bytes(50, 9)]);
        const input = { Bucket: BUCKET, Key: key, UploadId: uploadId, MultipartUpload: { Parts: parts } };
        await client.send(new CompleteMultipartUploadCommand(input));
        uploads.push(input);
      }
      const restarted = await s3.restart();
      const again = restarted.client('us-east-1');

      // Act
      const newest = await again.send(new CompleteMultipartUploadCommand(uploads[2]!));
      const oldest = await rejection(again.send(new CompleteMultipartUploadCommand(uploads[0]!)));

      // Assert
      expect(newest.Key).toBe('kept-3.bin');
      expect(oldest.name).toBe('NoSuchUpload');
      s3 = restarted;
      client = again;
    });
  });

  describe('writes to a versioning-Suspended bucket', () => {
    it('answer PutObject and CopyObject without a version id, while reads name the null version', async () => {
      // Act
      const put = await client.send(new PutObjectCommand({ Bucket: SUSPENDED, Key: 'p', Body: 'x' }));
      const copy = await client.send(
        new CopyObjectCommand({ Bucket: SUSPENDED, Key: 'c', CopySource: `${SUSPENDED}/p` }),
      );
      const head = await client.send(new HeadObjectCommand({ Bucket: SUSPENDED, Key: 'p' }));

      // Assert
      expect(put.VersionId).toBeUndefined();
      expect(copy.VersionId).toBeUndefined();
      expect(head.VersionId).toBe('null');
    });
  });

  describe('GetObjectAttributes of a multipart object', () => {
    it('lists the parts with their checksums when the parts were sent with checksums the upload did not name', async () => {
      // Arrange
      const parts = [bytes(MIB, 11), bytes(MIB, 12), bytes(7, 13)];
      const { uploadId, parts: done } = await uploadParts(BUCKET, 'sent-crc.bin', parts);
      await client.send(
        new CompleteMultipartUploadCommand({
          Bucket: BUCKET,
          Key: 'sent-crc.bin',
          UploadId: uploadId,
          MultipartUpload: { Parts: done },
        }),
      );

      // Act
      const page1 = await client.send(
        new GetObjectAttributesCommand({
          Bucket: BUCKET,
          Key: 'sent-crc.bin',
          ObjectAttributes: ['ObjectParts'],
          MaxParts: 2,
        }),
      );
      const page2 = await client.send(
        new GetObjectAttributesCommand({
          Bucket: BUCKET,
          Key: 'sent-crc.bin',
          ObjectAttributes: ['ObjectParts'],
          MaxParts: 2,
          PartNumberMarker: page1.ObjectParts?.NextPartNumberMarker,
        }),
      );

      // Assert
      const crcs = await Promise.all(parts.map(async (p) => (await crc32Raw(p)).toString('base64')));
      expect(page1.ObjectParts?.TotalPartsCount).toBe(3);
      expect(page1.ObjectParts?.IsTruncated).toBe(true);
      expect(page1.ObjectParts?.Parts).toEqual([
        { PartNumber: 1, Size: MIB, ChecksumCRC32: crcs[0] },
        { PartNumber: 2, Size: MIB, ChecksumCRC32: crcs[1] },
      ]);
      expect(page2.ObjectParts?.IsTruncated).toBe(false);
      expect(page2.ObjectParts?.Parts).toEqual([{ PartNumber: 3, Size: 7, ChecksumCRC32: crcs[2] }]);
    });
  });

  describe('reads with encryption request headers', () => {
    it('refuse GET and HEAD of an SSE-KMS object carrying x-amz-server-side-encryption with 400 InvalidArgument', async () => {
      // Arrange
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'kms', Body: 'secret', ServerSideEncryption: 'aws:kms' }),
      );
      const declaring = s3.client('us-east-1');
      withRequestHeaders(declaring, { 'x-amz-server-side-encryption': 'aws:kms' });

      // Act
      const get = await rejection(declaring.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kms' })));
      const head = await rejection(declaring.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'kms' })));

      // Assert
      expect(get.name).toBe('InvalidArgument');
      expect(get.message).toBe('x-amz-server-side-encryption header is not supported for this operation.');
      expect(statusOf(get)).toBe(400);
      expect(statusOf(head)).toBe(400);
    });

    it('refuse a GET of an SSE-S3 object carrying x-amz-server-side-encryption: AES256', async () => {
      // Arrange
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sse-s3', Body: 'plain' }));
      const declaring = s3.client('us-east-1');
      withRequestHeaders(declaring, { 'x-amz-server-side-encryption': 'AES256' });

      // Act
      const get = await rejection(declaring.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sse-s3' })));

      // Assert
      expect(get.name).toBe('InvalidArgument');
    });
  });

  describe('x-amz-tagging-count', () => {
    it('is sent on HEAD and GET of a tagged object, and not for an untagged one', async () => {
      // Arrange
      await client.send(
        new PutObjectCommand({ Bucket: BUCKET, Key: 'tagged', Body: 't', Tagging: 'a=1&b=2' }),
      );
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'untagged', Body: 'u' }));
      const watching = s3.client('us-east-1');
      const seen = responseHeaders(watching);

      // Act
      await watching.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'tagged' }));
      const get = await watching.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'tagged' }));
      await get.Body?.transformToString();
      await watching.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'untagged' }));

      // Assert
      expect(seen[0]?.['x-amz-tagging-count']).toBe('2');
      expect(get.TagCount).toBe(2);
      expect(seen[2]?.['x-amz-tagging-count']).toBeUndefined();
    });
  });
});
