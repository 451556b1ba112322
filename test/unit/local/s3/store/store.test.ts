import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectAttributes } from '../../../../../local/s3/store/records.ts';
import { S3Store } from '../../../../../local/s3/store/store.ts';

const attributes: ObjectAttributes = {
  size: 5,
  etag: '"5d41402abc4b2a76b9719d911017c592"',
  headers: { contentType: 'text/plain' },
  metadata: {},
  tags: [],
  storageClass: 'STANDARD',
  encryption: { algorithm: 'AES256' },
};

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

describe('S3Store', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-store-test-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function storeWithObject(): Promise<S3Store> {
    const store = new S3Store(dir);
    await store.init();
    await store.createBucket({ name: 'bucket', region: 'eu-west-1', createdAt: '2024-01-01T00:00:00.000Z' });
    const staging = await store.stage();
    await writeFile(join(staging.dir, 'seg-1'), 'hello');
    await store.commit('bucket', 'key', staging, { ...attributes, segments: [{ file: 'seg-1', size: 5 }] });
    return store;
  }

  it('reloads buckets and objects from disk in a new instance', async () => {
    // Arrange
    await storeWithObject();

    // Act
    const reopened = new S3Store(dir);
    await reopened.init();
    const version = reopened.bucket('bucket')?.index.latest('key');

    // Assert
    expect(reopened.bucket('bucket')?.record.region).toBe('eu-west-1');
    expect(version?.etag).toBe(attributes.etag);
    expect(await readAll(reopened.read('bucket', version!, 1, 3))).toBe('ell');
  });

  it('sweeps staging leftovers and version directories without a record on init', async () => {
    // Arrange
    await storeWithObject();
    await mkdir(join(dir, 'tmp', 'half-written'), { recursive: true });
    await mkdir(join(dir, 'buckets', 'bucket', 'objects', 'orphan'), { recursive: true });

    // Act
    const reopened = new S3Store(dir);
    await reopened.init();

    // Assert
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, 'buckets', 'bucket', 'objects'))).toHaveLength(1);
    expect(reopened.bucket('bucket')?.index.keyCount).toBe(1);
  });

  it('removes the replaced null version’s files when a key is overwritten', async () => {
    // Arrange
    const store = await storeWithObject();
    const staging = await store.stage();
    await writeFile(join(staging.dir, 'seg-1'), 'world!');

    // Act
    await store.commit('bucket', 'key', staging, {
      ...attributes,
      size: 6,
      segments: [{ file: 'seg-1', size: 6 }],
    });

    // Assert
    expect(await readdir(join(dir, 'buckets', 'bucket', 'objects'))).toHaveLength(1);
    expect(store.bucket('bucket')?.index.versions('key')).toHaveLength(1);
  });

  it('hands out strictly increasing fixed-width sequencers', async () => {
    // Arrange
    const store = new S3Store(dir);
    await store.init();
    await store.createBucket({ name: 'seq', region: 'us-east-1', createdAt: '2024-01-01T00:00:00.000Z' });

    // Act
    const values = Array.from({ length: 100 }, () => store.nextSequencer('seq'));

    // Assert
    expect(values.every((v) => /^[0-9A-F]{16}$/.test(v))).toBe(true);
    expect(values.every((v, i) => i === 0 || v > (values[i - 1] ?? ''))).toBe(true);
  });

  it('reads bodies of records that list their single data file, as earlier versions wrote them', async () => {
    // Arrange
    const store = await storeWithObject();
    const version = store.bucket('bucket')?.index.latest('key');
    const meta = join(dir, 'buckets', 'bucket', 'objects', version?.id ?? '', 'meta.json');
    const record = JSON.parse(await readFile(meta, 'utf8')) as Record<string, unknown>;
    await writeFile(meta, JSON.stringify({ ...record, segments: [{ file: 'seg-1', size: 5 }] }));

    // Act
    const reopened = new S3Store(dir);
    await reopened.init();
    const reloaded = reopened.bucket('bucket')?.index.latest('key');

    // Assert
    expect(record.segments).toBeUndefined();
    expect(reloaded?.lastModified).toBe(version?.lastModified);
    expect(await readAll(reopened.read('bucket', reloaded!, 0, 4))).toBe('hello');
  });

  it('reads a body made of several data files, after a restart too', async () => {
    // Arrange
    const store = new S3Store(dir);
    await store.init();
    await store.createBucket({ name: 'bucket', region: 'eu-west-1', createdAt: '2024-01-01T00:00:00.000Z' });
    const staging = await store.stage();
    await writeFile(join(staging.dir, 'seg-1'), 'hel');
    await writeFile(join(staging.dir, 'seg-2'), 'lo');
    const segments = [
      { file: 'seg-1', size: 3 },
      { file: 'seg-2', size: 2 },
    ];

    // Act
    const version = await store.commit('bucket', 'key', staging, { ...attributes, segments });
    const reopened = new S3Store(dir);
    await reopened.init();
    const reloaded = reopened.bucket('bucket')?.index.latest('key');

    // Assert
    expect(await readAll(store.read('bucket', version, 2, 4))).toBe('llo');
    expect(await readAll(reopened.read('bucket', reloaded!, 0, 4))).toBe('hello');
  });
});
