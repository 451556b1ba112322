import {
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type S3Harness, startS3 } from './harness.ts';
import { rejection, statusOf } from './support.ts';

const BUCKET = 'versions-bucket';

describe('local S3 versioning', () => {
  let s3: S3Harness;
  let client: S3Client;

  beforeEach(async () => {
    s3 = await startS3();
    client = s3.client('us-east-1');
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  });

  afterEach(async () => {
    await s3.dispose();
  });

  async function enable(status: 'Enabled' | 'Suspended' = 'Enabled'): Promise<void> {
    await client.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: status } }),
    );
  }

  async function read(key: string, versionId?: string): Promise<string> {
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key, VersionId: versionId }));
    return got.Body!.transformToString();
  }

  it('sends no version id for an unversioned bucket and overwrites in place', async () => {
    // Arrange
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'one' }));

    // Act
    const second = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'two' }));
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));

    // Assert
    expect(second.VersionId).toBeUndefined();
    expect(await read('k')).toBe('two');
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual(['null']);
  });

  it('gives each write in a versioned bucket its own URL-safe version id, readable later', async () => {
    // Arrange
    await enable();

    // Act
    const v1 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'one' }));
    const v2 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'two' }));
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'k' }));

    // Assert
    expect(v1.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(v2.VersionId).not.toBe(v1.VersionId);
    expect(head.VersionId).toBe(v2.VersionId);
    expect(await read('k', v1.VersionId)).toBe('one');
    expect(await read('k', v2.VersionId)).toBe('two');
  });

  it('keeps the null version written before versioning was enabled', async () => {
    // Arrange
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'before' }));
    await enable();

    // Act
    const after = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'after' }));
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));

    // Assert
    expect(versions.Versions?.map((v) => [v.VersionId, v.IsLatest])).toEqual([
      [after.VersionId, true],
      ['null', false],
    ]);
    expect(await read('k', 'null')).toBe('before');
  });

  it('hides a key behind a delete marker, answering NoSuchKey with x-amz-delete-marker', async () => {
    // Arrange
    await enable();
    const v1 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'kept' }));

    // Act
    const del = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'k' }));
    const err = await rejection(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k' })));
    const markerErr = await rejection(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k', VersionId: del.VersionId })),
    );
    const listed = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));

    // Assert
    expect(del.DeleteMarker).toBe(true);
    expect(del.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(err.name).toBe('NoSuchKey');
    expect((err.$response as { headers: Record<string, string> }).headers['x-amz-delete-marker']).toBe(
      'true',
    );
    expect(statusOf(markerErr)).toBe(405);
    expect(listed.Contents).toBeUndefined();
    expect(versions.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest])).toEqual([[del.VersionId, true]]);
    expect(await read('k', v1.VersionId)).toBe('kept');
  });

  it('restores the previous version when the delete marker is deleted by version id', async () => {
    // Arrange
    await enable();
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'back again' }));
    const del = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'k' }));

    // Act
    const undo = await client.send(
      new DeleteObjectCommand({ Bucket: BUCKET, Key: 'k', VersionId: del.VersionId }),
    );

    // Assert
    expect(undo.DeleteMarker).toBe(true);
    expect(undo.VersionId).toBe(del.VersionId);
    expect(await read('k')).toBe('back again');
  });

  it('permanently deletes one version and answers NoSuchVersion for it afterwards', async () => {
    // Arrange
    await enable();
    const v1 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'one' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'two' }));

    // Act
    await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'k', VersionId: v1.VersionId }));
    const err = await rejection(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k', VersionId: v1.VersionId })),
    );

    // Assert
    expect(err.name).toBe('NoSuchVersion');
    expect(await read('k')).toBe('two');
  });

  it('writes null versions while Suspended, replacing the previous null version', async () => {
    // Arrange
    await enable();
    const kept = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'versioned' }));
    await enable('Suspended');

    // Act
    const a = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'null one' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'null two' }));
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET }));

    // Assert
    // S3 answers a write to a Suspended bucket without x-amz-version-id (it is the `null` version).
    expect(a.VersionId).toBeUndefined();
    expect(versions.Versions?.map((v) => v.VersionId)).toEqual(['null', kept.VersionId]);
    expect(await read('k')).toBe('null two');
  });

  it('pages ListObjectVersions with key and version-id markers', async () => {
    // Arrange
    await enable();
    const a1 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a', Body: '1' }));
    const a2 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a', Body: '2' }));
    const b1 = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'b', Body: '1' }));

    // Act
    const first = await client.send(new ListObjectVersionsCommand({ Bucket: BUCKET, MaxKeys: 2 }));
    const second = await client.send(
      new ListObjectVersionsCommand({
        Bucket: BUCKET,
        MaxKeys: 2,
        KeyMarker: first.NextKeyMarker,
        VersionIdMarker: first.NextVersionIdMarker,
      }),
    );

    // Assert
    expect(first.Versions?.map((v) => [v.Key, v.VersionId])).toEqual([
      ['a', a2.VersionId],
      ['a', a1.VersionId],
    ]);
    expect(first.IsTruncated).toBe(true);
    expect(second.Versions?.map((v) => [v.Key, v.VersionId])).toEqual([['b', b1.VersionId]]);
    expect(second.IsTruncated).toBe(false);
  });

  it('creates delete markers through DeleteObjects in a versioned bucket', async () => {
    // Arrange
    await enable();
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'm', Body: 'x' }));

    // Act
    const result = await client.send(
      new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'm' }] } }),
    );

    // Assert
    expect(result.Deleted?.[0]?.DeleteMarker).toBe(true);
    expect(result.Deleted?.[0]?.DeleteMarkerVersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('rejects a malformed version id with InvalidArgument', async () => {
    // Arrange
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k', Body: 'x' }));

    // Act
    const err = await rejection(
      client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'k', VersionId: 'bad version id!' })),
    );

    // Assert
    expect(err.name).toBe('InvalidArgument');
  });
});
