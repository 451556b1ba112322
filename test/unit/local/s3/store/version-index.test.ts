import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ObjectVersion } from '../../../../../local/s3/store/records.ts';
import {
  type BucketIndex,
  IndexLockedError,
  type ScanEntry,
  type ScanOptions,
  VersionIndex,
} from '../../../../../local/s3/store/version-index.ts';

let seq = 0;

function version(key: string, versionId: string, deleteMarker = false): ObjectVersion {
  seq += 1;
  return {
    id: `id-${seq}`,
    key,
    versionId,
    sequencer: seq.toString(16).toUpperCase().padStart(16, '0'),
    deleteMarker,
    lastModified: '2024-01-01T00:00:00.000Z',
    size: 0,
    etag: '""',
    headers: {},
    metadata: {},
    tags: [],
    storageClass: 'STANDARD',
    encryption: { algorithm: 'AES256' },
  };
}

async function scan(index: BucketIndex, options: ScanOptions): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of index.scan(options) as AsyncIterable<ScanEntry>) {
    out.push(entry.rolledUp ? `${entry.key} (prefix)` : `${entry.key} ×${entry.versions.length}`);
  }
  return out;
}

describe('VersionIndex', () => {
  let dir: string;
  let db: VersionIndex;
  let index: BucketIndex;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'version-index-'));
    db = new VersionIndex(join(dir, 'index'));
    await db.open();
    index = db.bucket('bucket');
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps a key’s versions newest first, and the latest one first', async () => {
    // Arrange
    const a = version('key', 'a');
    const b = version('key', 'b', true);
    const c = version('key', 'c');

    // Act
    await index.add(b);
    await index.add(c);
    await index.add(a);

    // Assert
    expect((await index.versions('key')).map((v) => v.versionId)).toEqual(['c', 'b', 'a']);
    expect((await index.latest('key'))?.versionId).toBe('c');
    expect((await index.find('key', 'b'))?.deleteMarker).toBe(true);
    expect(await index.find('key', 'nope')).toBeUndefined();
  });

  it('replaces the previous null version, names its directory for removal and keeps versioned ones', async () => {
    // Arrange
    const first = version('key', 'null');
    const kept = version('key', 'v1');
    await index.add(first);
    await index.add(kept);

    // Act
    const replaced = await index.add(version('key', 'null'));

    // Assert
    expect(replaced.map((v) => v.id)).toEqual([first.id]);
    expect((await index.versions('key')).map((v) => v.versionId)).toEqual(['null', 'v1']);
    expect(await index.pending()).toEqual([first.id]);
    await index.forget([first.id]);
    expect(await index.pending()).toEqual([]);
  });

  it('forgets a key when its last version is removed, and names the removed directory', async () => {
    // Arrange
    const only = version('key', 'v1');
    await index.add(only);

    // Act
    const removed = await index.remove('key', 'v1', only.sequencer);

    // Assert
    expect(removed?.id).toBe(only.id);
    expect(await index.latest('key')).toBeUndefined();
    expect(await index.isEmpty()).toBe(true);
    expect(await index.pending()).toEqual([only.id]);
    expect(await index.remove('key', 'v1')).toBeUndefined();
  });

  it('drops a pending directory from the removal list when its version is recorded', async () => {
    // Arrange
    const made = version('key', 'v1');
    await index.markPending(made.id);
    await index.markPending('stranded');

    // Act
    await index.add(made);

    // Assert
    expect(await index.pending()).toEqual(['stranded']);
  });

  it('swaps a version’s record in place on update', async () => {
    // Arrange
    const made = version('key', 'v1');
    await index.add(made);

    // Act
    await index.update({ ...made, tags: [{ key: 'k', value: 'v' }] });

    // Assert
    expect((await index.versions('key')).map((v) => v.tags)).toEqual([[{ key: 'k', value: 'v' }]]);
  });

  it('lists keys in UTF-8 byte order, control characters and astral ones included', async () => {
    // Arrange
    const keys = ['b', '\u{1F600}', 'a\u0001b', 'a', '\uFF21', 'a\u0000', 'B', 'a/b'];
    for (const key of keys) await index.add(version(key, 'v'));

    // Act
    const listed = await scan(index, { prefix: '' });

    // Assert
    const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect(listed).toEqual(expected.map((k) => `${k} ×1`));
  });

  it('lists only keys under the prefix, after the marker or from a key on', async () => {
    // Arrange
    for (const key of ['a', 'p/1', 'p/2', 'p/3', 'q']) await index.add(version(key, 'v'));

    // Act / Assert
    expect(await scan(index, { prefix: 'p/' })).toEqual(['p/1 ×1', 'p/2 ×1', 'p/3 ×1']);
    expect(await scan(index, { prefix: 'p/', after: 'p/1' })).toEqual(['p/2 ×1', 'p/3 ×1']);
    expect(await scan(index, { prefix: '', from: 'p/2' })).toEqual(['p/2 ×1', 'p/3 ×1', 'q ×1']);
    expect(await scan(index, { prefix: '', after: 'p' })).toEqual(['p/1 ×1', 'p/2 ×1', 'p/3 ×1', 'q ×1']);
  });

  it('rolls keys up into one entry per common prefix and skips the keys under it', async () => {
    // Arrange
    for (const key of ['a/1', 'a/2', 'a/b/3', 'b', 'c/1']) await index.add(version(key, 'v'));

    // Act
    const listed = await scan(index, { prefix: '', delimiter: '/' });

    // Assert
    expect(listed).toEqual(['a/ (prefix)', 'b ×1', 'c/ (prefix)']);
    expect(await scan(index, { prefix: 'a/', delimiter: '/' })).toEqual([
      'a/1 ×1',
      'a/2 ×1',
      'a/b/ (prefix)',
    ]);
  });

  it('lists a common prefix for current objects only when a key under it is not deleted', async () => {
    // Arrange
    await index.add(version('gone/1', 'v1'));
    await index.add(version('gone/1', 'm', true));
    await index.add(version('half/1', 'm', true));
    await index.add(version('half/2', 'v1'));

    // Act
    const live = await scan(index, { prefix: '', delimiter: '/', live: true });
    const all = await scan(index, { prefix: '', delimiter: '/' });

    // Assert
    expect(live).toEqual(['half/ (prefix)']);
    expect(all).toEqual(['gone/ (prefix)', 'half/ (prefix)']);
  });

  it('keeps buckets apart, and forgets only the cleared one', async () => {
    // Arrange
    const other = db.bucket('bucket-2');
    await index.add(version('key', 'v'));
    await other.add(version('key', 'w'));

    // Act
    await other.clear();

    // Assert
    expect(await other.isEmpty()).toBe(true);
    expect((await index.latest('key'))?.versionId).toBe('v');
    expect(await scan(index, { prefix: '' })).toEqual(['key ×1']);
  });

  it('remembers the bucket’s last sequencer across a reopening', async () => {
    // Arrange
    const made = version('key', 'v');
    await index.add(made);
    await db.close();

    // Act
    db = new VersionIndex(join(dir, 'index'));
    await db.open();
    index = db.bucket('bucket');

    // Assert
    expect(await index.lastSequencer()).toBe(BigInt(`0x${made.sequencer}`));
    expect((await index.latest('key'))?.id).toBe(made.id);
  });

  it('refuses a second opening of the same index with a message that names the fix', async () => {
    // Arrange
    const second = new VersionIndex(join(dir, 'index'));

    // Act
    const opening = second.open();

    // Assert
    await expect(opening).rejects.toBeInstanceOf(IndexLockedError);
    await expect(opening).rejects.toThrow(/--data-dir/);
  });
});
