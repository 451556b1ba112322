import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectAttributes } from '../../../../../local/s3/store/records.ts';
import { COMPLETED_UPLOADS_KEPT, S3Store } from '../../../../../local/s3/store/store.ts';

const attributes: ObjectAttributes = {
  size: 5,
  etag: '"abc-1"',
  headers: {},
  metadata: {},
  tags: [],
  storageClass: 'STANDARD',
  encryption: { algorithm: 'AES256' },
};

describe('S3Store completed uploads', () => {
  let dir: string;
  const opened: S3Store[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-store-completed-'));
  });

  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function complete(store: S3Store, uploadId: string): Promise<void> {
    await store.createUpload({
      uploadId,
      bucket: 'b',
      key: `k-${uploadId}`,
      initiated: '2024-01-01T00:00:00.000Z',
      headers: {},
      metadata: {},
      tags: [],
      storageClass: 'STANDARD',
      encryption: { algorithm: 'AES256' },
    });
    const staging = await store.stage();
    await writeFile(join(staging.dir, 'part'), 'hello');
    await store.putPart('b', uploadId, join(staging.dir, 'part'), {
      partNumber: 1,
      size: 5,
      etag: '"5d41402abc4b2a76b9719d911017c592"',
      md5: '5d41402abc4b2a76b9719d911017c592',
      lastModified: '2024-01-01T00:00:00.000Z',
      checksums: {},
    });
    await store.discard(staging);
    await store.completeUpload(
      'b',
      uploadId,
      (upload) => [...upload.parts.values()],
      async () => attributes,
    );
  }

  async function open(kept?: number): Promise<S3Store> {
    const store = new S3Store(dir, kept !== undefined ? { completedUploadsKept: kept } : {});
    await store.init();
    opened.push(store);
    return store;
  }

  it('remembers 1,000 completed uploads per bucket by default', () => {
    // Assert
    expect(COMPLETED_UPLOADS_KEPT).toBe(1000);
  });

  it('records what a repeated Complete answers with, and forgets the oldest beyond the bound', async () => {
    // Arrange
    const store = await open(2);
    await store.createBucket({ name: 'b', region: 'us-east-1', createdAt: '2024-01-01T00:00:00.000Z' });

    // Act
    for (const id of ['u1', 'u2', 'u3']) await complete(store, id);

    // Assert
    expect(store.completedUpload('b', 'u1')).toBeUndefined();
    expect(store.completedUpload('b', 'u3')).toMatchObject({
      uploadId: 'u3',
      key: 'k-u3',
      etag: '"abc-1"',
      versionId: 'null',
      parts: [{ partNumber: 1, etag: '"5d41402abc4b2a76b9719d911017c592"' }],
    });
    expect((await readdir(join(dir, 'buckets', 'b', 'completed'))).sort()).toEqual(['u2.json', 'u3.json']);
  });

  it('reloads the records in a new instance, dropping torn files and applying a lower bound', async () => {
    // Arrange
    const store = await open();
    await store.createBucket({ name: 'b', region: 'us-east-1', createdAt: '2024-01-01T00:00:00.000Z' });
    for (const id of ['u1', 'u2', 'u3']) await complete(store, id);
    await writeFile(join(dir, 'buckets', 'b', 'completed', 'torn.json'), '{"uploadId":');
    await store.close();

    // Act
    const reopened = await open(2);

    // Assert
    expect(reopened.completedUpload('b', 'u1')).toBeUndefined();
    expect(reopened.completedUpload('b', 'u2')?.key).toBe('k-u2');
    expect(reopened.completedUpload('b', 'u3')?.key).toBe('k-u3');
    expect((await readdir(join(dir, 'buckets', 'b', 'completed'))).sort()).toEqual(['u2.json', 'u3.json']);
  });
});
