import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectAttributes, ObjectVersion } from '../../../../../local/s3/store/records.ts';
import { S3Store } from '../../../../../local/s3/store/store.ts';
import { VersionIndex } from '../../../../../local/s3/store/version-index.ts';

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
  let opened: S3Store[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-store-test-'));
    opened = [];
  });

  afterEach(async () => {
    for (const store of opened) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A store on the test's directory; the one opened before (if any) is closed first, as a restart would. */
  async function open(): Promise<S3Store> {
    for (const store of opened.splice(0)) await store.close();
    const store = new S3Store(dir);
    await store.init();
    opened.push(store);
    return store;
  }

  async function storeWithObject(): Promise<S3Store> {
    const store = await open();
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
    const reopened = await open();
    const version = await reopened.bucket('bucket')?.index.latest('key');

    // Assert
    expect(reopened.bucket('bucket')?.record.region).toBe('eu-west-1');
    expect(version?.etag).toBe(attributes.etag);
    expect(await readAll(reopened.read('bucket', version!, 1, 3))).toBe('ell');
  });

  it('sweeps staging leftovers and a version directory a crash left before its record on init', async () => {
    // Arrange: a crash between moving a new version's files into place and recording it
    const store = await storeWithObject();
    await store.close();
    opened = [];
    const index = new VersionIndex(join(dir, 'index'));
    await index.open();
    await index.bucket('bucket').markPending('orphan');
    await index.close();
    await mkdir(join(dir, 'tmp', 'half-written'), { recursive: true });
    await mkdir(join(dir, 'buckets', 'bucket', 'objects', 'orphan'), { recursive: true });

    // Act
    const reopened = await open();

    // Assert
    expect(await readdir(join(dir, 'tmp'))).toEqual([]);
    expect(await readdir(join(dir, 'buckets', 'bucket', 'objects'))).toHaveLength(1);
    expect(await reopened.bucket('bucket')?.index.versions('key')).toHaveLength(1);
    expect(await reopened.bucket('bucket')?.index.pending()).toEqual([]);
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
    expect(await store.bucket('bucket')?.index.versions('key')).toHaveLength(1);
    expect(await store.bucket('bucket')?.index.pending()).toEqual([]);
  });

  it('hands out strictly increasing fixed-width sequencers', async () => {
    // Arrange
    const store = await open();
    await store.createBucket({ name: 'seq', region: 'us-east-1', createdAt: '2024-01-01T00:00:00.000Z' });

    // Act
    const values = Array.from({ length: 100 }, () => store.nextSequencer('seq'));

    // Assert
    expect(values.every((v) => /^[0-9A-F]{16}$/.test(v))).toBe(true);
    expect(values.every((v, i) => i === 0 || v > (values[i - 1] ?? ''))).toBe(true);
  });

  it('moves the records an earlier version of the store kept beside the data into the index', async () => {
    // Arrange: a data directory as earlier versions wrote it, a crash having left an older null version
    const objects = join(dir, 'buckets', 'bucket', 'objects');
    const legacy = (id: string, sequencer: string, size: number): ObjectVersion => ({
      ...attributes,
      size,
      id,
      key: 'key',
      versionId: 'null',
      sequencer,
      deleteMarker: false,
      lastModified: '2024-01-01T00:00:00.000Z',
      segments: [{ file: 'seg-1', size }],
    });
    await mkdir(objects, { recursive: true });
    await writeFile(
      join(dir, 'buckets', 'bucket', 'bucket.json'),
      JSON.stringify({ name: 'bucket', region: 'eu-west-1', createdAt: '2024-01-01T00:00:00.000Z' }),
    );
    for (const [record, body] of [
      [legacy('newer', '0000000000000002', 5), 'hello'],
      [legacy('older', '0000000000000001', 3), 'old'],
    ] as const) {
      await mkdir(join(objects, record.id));
      await writeFile(join(objects, record.id, 'meta.json'), JSON.stringify(record));
      await writeFile(join(objects, record.id, 'seg-1'), body);
    }
    await mkdir(join(objects, 'torn'));

    // Act
    const store = await open();
    const versions = await store.bucket('bucket')?.index.versions('key');
    const body = await readAll(store.read('bucket', versions![0]!, 0, 4));
    const again = await open();

    // Assert
    expect(versions?.map((v) => v.id)).toEqual(['newer']);
    expect(body).toBe('hello');
    expect(await readdir(objects)).toEqual(['newer']);
    expect(await readdir(join(objects, 'newer'))).toEqual(['seg-1']);
    expect(await again.bucket('bucket')?.index.lastSequencer()).toBe(2n);
  });

  it('reads a body made of several data files, after a restart too', async () => {
    // Arrange
    const store = await open();
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
    const before = await readAll(store.read('bucket', version, 2, 4));
    const reopened = await open();
    const reloaded = await reopened.bucket('bucket')?.index.latest('key');

    // Assert
    expect(before).toBe('llo');
    expect(await readAll(reopened.read('bucket', reloaded!, 0, 4))).toBe('hello');
  });
});
