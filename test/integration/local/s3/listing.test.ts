import {
  CreateBucketCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type S3Harness, startS3 } from './harness.ts';
import { raw, rejection } from './support.ts';

const BUCKET = 'listing-bucket';
const KEYS = [
  'build_artifacts/app-1.zip',
  'build_artifacts/app-2.zip',
  'build_artifacts/nested/deep.zip',
  'logs/2024/01.txt',
  'logs/2024/02.txt',
  'readme.md',
  'z with space.txt',
];

describe('local S3 listings', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeAll(async () => {
    s3 = await startS3();
    client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const key of KEYS) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
  });

  afterAll(async () => {
    await s3.dispose();
  });

  it('lists every key in order with size, ETag, storage class and checksum algorithm', async () => {
    // Arrange
    const input = { Bucket: BUCKET };

    // Act
    const list = await client.send(new ListObjectsV2Command(input));

    // Assert
    expect(list.Contents?.map((c) => c.Key)).toEqual(KEYS);
    expect(list.KeyCount).toBe(KEYS.length);
    expect(list.Contents?.[0]).toMatchObject({
      Size: KEYS[0]!.length,
      StorageClass: 'STANDARD',
      ChecksumAlgorithm: ['CRC32'],
      ChecksumType: 'FULL_OBJECT',
    });
  });

  it('rolls keys up into common prefixes at the delimiter', async () => {
    // Arrange
    const input = { Bucket: BUCKET, Delimiter: '/' };

    // Act
    const top = await client.send(new ListObjectsV2Command(input));
    const inside = await client.send(new ListObjectsV2Command({ ...input, Prefix: 'build_artifacts/' }));

    // Assert
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['build_artifacts/', 'logs/']);
    expect(top.Contents?.map((c) => c.Key)).toEqual(['readme.md', 'z with space.txt']);
    expect(top.KeyCount).toBe(4);
    expect(inside.Contents?.map((c) => c.Key)).toEqual([
      'build_artifacts/app-1.zip',
      'build_artifacts/app-2.zip',
    ]);
    expect(inside.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['build_artifacts/nested/']);
  });

  it('pages with max-keys and continuation tokens without repeating a common prefix', async () => {
    // Arrange
    const seen: string[] = [];
    let token: string | undefined;

    // Act
    let pages = 0;
    do {
      const page = await client.send(
        new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 1, ContinuationToken: token }),
      );
      seen.push(
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!),
        ...(page.Contents ?? []).map((c) => c.Key!),
      );
      token = page.NextContinuationToken;
      pages++;
    } while (token);

    // Assert
    expect(seen).toEqual(['build_artifacts/', 'logs/', 'readme.md', 'z with space.txt']);
    expect(pages).toBe(4);
  });

  it('starts after the given key', async () => {
    // Arrange
    const input = { Bucket: BUCKET, StartAfter: 'logs/2024/01.txt' };

    // Act
    const list = await client.send(new ListObjectsV2Command(input));

    // Assert
    expect(list.Contents?.map((c) => c.Key)).toEqual(['logs/2024/02.txt', 'readme.md', 'z with space.txt']);
    expect(list.StartAfter).toBe('logs/2024/01.txt');
  });

  it('URL-encodes keys when encoding-type=url is asked for', async () => {
    // Arrange
    const path = `/${BUCKET}?list-type=2&prefix=z&encoding-type=url`;

    // Act
    const res = await raw(s3.endpoint, { path });

    // Assert
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Key>z+with+space.txt</Key>');
    expect(res.body).toContain('<EncodingType>url</EncodingType>');
  });

  it('pages the original ListObjects with marker and NextMarker', async () => {
    // Arrange
    const input = { Bucket: BUCKET, Delimiter: '/', MaxKeys: 2 };

    // Act
    const first = await client.send(new ListObjectsCommand(input));
    const second = await client.send(new ListObjectsCommand({ ...input, Marker: first.NextMarker }));

    // Assert
    expect(first.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['build_artifacts/', 'logs/']);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBe('logs/');
    expect(second.Contents?.map((c) => c.Key)).toEqual(['readme.md', 'z with space.txt']);
    expect(second.Contents?.[0]?.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a continuation token it did not issue', async () => {
    // Arrange
    const input = { Bucket: BUCKET, ContinuationToken: 'garbage' };

    // Act
    const err = await rejection(client.send(new ListObjectsV2Command(input)));

    // Assert
    expect(err.name).toBe('InvalidArgument');
  });
});
