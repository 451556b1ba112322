import {
  CopyObjectCommand,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ACCOUNT_ID, type S3Harness, startS3 } from './harness.ts';
import { bytes, md5Hex, rejection } from './support.ts';

const BUCKET = 'build-artifacts-oregon';

describe('local S3 Object Created events', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeEach(async () => {
    s3 = await startS3();
    client = s3.client('us-west-2');
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterEach(async () => {
    await s3.dispose();
  });

  it('emits an EventBridge-shaped event for PutObject with the raw key and the unquoted ETag', async () => {
    // Arrange
    const key = 'build_artifacts/10:47:07 b.zip';
    const data = Buffer.from('zip bytes');

    // Act
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: data }));

    // Assert
    expect(s3.events).toHaveLength(1);
    const event = s3.events[0]!;
    expect(event).toMatchObject({
      version: '0',
      'detail-type': 'Object Created',
      source: 'aws.s3',
      account: ACCOUNT_ID,
      region: 'us-west-2',
      resources: [`arn:aws:s3:::${BUCKET}`],
      detail: {
        version: '0',
        bucket: { name: BUCKET },
        object: { key, size: data.length, etag: md5Hex(data) },
        'request-id': put.$metadata.requestId,
        requester: ACCOUNT_ID,
        reason: 'PutObject',
      },
    });
    expect(event.detail.object['version-id']).toBeUndefined();
    expect(event.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('names the reason and increases the sequencer for Put, Copy and CompleteMultipartUpload', async () => {
    // Arrange
    const data = bytes(6 * 1024 * 1024, 4);

    // Act
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a', Body: 'a' }));
    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'b', CopySource: `${BUCKET}/a` }));
    await new Upload({
      client,
      params: { Bucket: BUCKET, Key: 'c', Body: data },
      partSize: 5 * 1024 * 1024,
    }).done();

    // Assert
    expect(s3.events.map((e) => [e.detail.object.key, e.detail.reason])).toEqual([
      ['a', 'PutObject'],
      ['b', 'CopyObject'],
      ['c', 'CompleteMultipartUpload'],
    ]);
    const sequencers = s3.events.map((e) => e.detail.object.sequencer);
    expect(sequencers.every((s) => /^[0-9A-F]{16}$/.test(s))).toBe(true);
    expect([...sequencers].sort()).toEqual(sequencers);
    expect(new Set(sequencers).size).toBe(3);
    expect(s3.events[2]?.detail.object.etag).toMatch(/^[0-9a-f]{32}-2$/);
    expect(s3.events[2]?.detail.object.size).toBe(data.length);
  });

  it('carries the version id in a versioned bucket', async () => {
    // Arrange
    await client.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }),
    );

    // Act
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'v', Body: 'v' }));

    // Assert
    expect(s3.events[0]?.detail.object['version-id']).toBe(put.VersionId);
  });

  it('emits nothing for a write that fails', async () => {
    // Arrange
    const wrongMd5 = Buffer.alloc(16).toString('base64');

    // Act
    await rejection(
      client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'x', Body: 'x', ContentMD5: wrongMd5 })),
    );

    // Assert
    expect(s3.events).toEqual([]);
  });
});
