import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketEncryptionCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListPartsCommand,
  PutBucketEncryptionCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterEach, describe, expect, it } from 'vitest';
import { type S3Harness, startS3 } from './harness.ts';
import { bytes, rejection, statusOf } from './support.ts';

const MIB = 1024 * 1024;

describe('local S3 persistence', () => {
  let s3: S3Harness | undefined;

  afterEach(async () => {
    await s3?.dispose();
  });

  it('shows a new service on the same data directory the same buckets, objects, versions and uploads', async () => {
    // Arrange
    s3 = await startS3();
    const before = s3.client('eu-west-1');
    await before.send(new CreateBucketCommand({ Bucket: 'persisted' }));
    await before.send(
      new PutBucketVersioningCommand({ Bucket: 'persisted', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    await before.send(
      new PutBucketTaggingCommand({ Bucket: 'persisted', Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } }),
    );
    await before.send(
      new PutBucketEncryptionCommand({
        Bucket: 'persisted',
        ServerSideEncryptionConfiguration: {
          Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    );
    const v1 = await before.send(
      new PutObjectCommand({ Bucket: 'persisted', Key: 'doc', Body: 'one', Tagging: 't=1' }),
    );
    const v2 = await before.send(new PutObjectCommand({ Bucket: 'persisted', Key: 'doc', Body: 'two' }));
    await before.send(new PutObjectCommand({ Bucket: 'persisted', Key: 'gone', Body: 'x' }));
    const marker = await before.send(new DeleteObjectCommand({ Bucket: 'persisted', Key: 'gone' }));
    const data = bytes(11 * MIB, 3);
    const big = await new Upload({
      client: before,
      params: { Bucket: 'persisted', Key: 'big', Body: data },
      partSize: 5 * MIB,
    }).done();
    const { UploadId } = await before.send(
      new CreateMultipartUploadCommand({ Bucket: 'persisted', Key: 'pending' }),
    );
    const part = await before.send(
      new UploadPartCommand({
        Bucket: 'persisted',
        Key: 'pending',
        UploadId,
        PartNumber: 1,
        Body: 'pending part',
      }),
    );
    const lastSequencer = s3.events[s3.events.length - 1]?.detail.object.sequencer ?? '';

    // Act
    s3 = await s3.restart();
    const after = s3.client('eu-west-1');
    const head = await after.send(new HeadBucketCommand({ Bucket: 'persisted' }));
    const versioning = await after.send(new GetBucketVersioningCommand({ Bucket: 'persisted' }));
    const tags = await after.send(new GetBucketTaggingCommand({ Bucket: 'persisted' }));
    const encryption = await after.send(new GetBucketEncryptionCommand({ Bucket: 'persisted' }));
    const oldBody = await (
      await after.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'doc', VersionId: v1.VersionId }))
    ).Body!.transformToString();
    const current = await after.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'doc' }));
    const currentBody = await current.Body!.transformToString();
    const oldTags = await after.send(
      new GetObjectTaggingCommand({ Bucket: 'persisted', Key: 'doc', VersionId: v1.VersionId }),
    );
    const goneErr = await rejection(after.send(new HeadObjectCommand({ Bucket: 'persisted', Key: 'gone' })));
    const versions = await after.send(new ListObjectVersionsCommand({ Bucket: 'persisted', Prefix: 'gone' }));
    const bigPart = await after.send(
      new HeadObjectCommand({ Bucket: 'persisted', Key: 'big', PartNumber: 3 }),
    );
    const bigBody = Buffer.from(
      await (
        await after.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'big' }))
      ).Body!.transformToByteArray(),
    );
    const parts = await after.send(new ListPartsCommand({ Bucket: 'persisted', Key: 'pending', UploadId }));
    const completed = await after.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'persisted',
        Key: 'pending',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag, ChecksumCRC32: part.ChecksumCRC32 }] },
      }),
    );
    const pendingBody = await (
      await after.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'pending' }))
    ).Body!.transformToString();

    // Assert
    expect(head.BucketRegion).toBe('eu-west-1');
    expect(versioning.Status).toBe('Enabled');
    expect(tags.TagSet).toEqual([{ Key: 'k', Value: 'v' }]);
    expect(
      encryption.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault
        ?.SSEAlgorithm,
    ).toBe('AES256');
    expect(oldBody).toBe('one');
    expect(currentBody).toBe('two');
    expect(current.VersionId).toBe(v2.VersionId);
    expect(oldTags.TagSet).toEqual([{ Key: 't', Value: '1' }]);
    expect(statusOf(goneErr)).toBe(404);
    expect(versions.DeleteMarkers?.map((m) => m.VersionId)).toEqual([marker.VersionId]);
    expect(bigPart.PartsCount).toBe(3);
    expect(bigPart.ContentLength).toBe(MIB);
    expect(bigBody.equals(data)).toBe(true);
    expect(big.ETag).toMatch(/-3"$/);
    expect(parts.Parts?.map((p) => p.ETag)).toEqual([part.ETag]);
    expect(completed.ETag).toMatch(/-1"$/);
    expect(pendingBody).toBe('pending part');
    expect((s3.events[0]?.detail.object.sequencer ?? '') > lastSequencer).toBe(true);
  });

  it('serves objects to other local services through the in-process reader after a restart', async () => {
    // Arrange
    s3 = await startS3();
    const client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: 'reader-bucket' }));
    const put = await client.send(
      new PutObjectCommand({ Bucket: 'reader-bucket', Key: 'bundle.zip', Body: 'bundle' }),
    );

    // Act
    s3 = await s3.restart();
    const stored = await s3.service.getObject('reader-bucket', 'bundle.zip');
    const chunks: Buffer[] = [];
    for await (const chunk of stored!.open()) chunks.push(chunk as Buffer);
    const missing = await s3.service.getObject('reader-bucket', 'nope');

    // Assert
    expect(stored?.etag).toBe(put.ETag);
    expect(stored?.size).toBe(6);
    expect(stored?.versionId).toBeUndefined();
    expect(Buffer.concat(chunks).toString()).toBe('bundle');
    expect(s3.service.bucketRegion('reader-bucket')).toBe('us-east-1');
    expect(missing).toBeUndefined();
  });
});
