import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type BatchIterator, readSmallRange, SMALL_READ } from '../../../local/leveldb.ts';

/** An iterator over `entries` that records the sizes asked for and whether it was closed. */
function recordingIterator(entries: string[], failAt?: number) {
  const asked: number[] = [];
  let closed = false;
  let position = 0;
  const iterator: BatchIterator<string> = {
    async nextv(size) {
      asked.push(size);
      if (failAt !== undefined && position >= failAt) throw new Error('read failed');
      const batch = entries.slice(position, position + size);
      position += batch.length;
      return batch;
    },
    async close() {
      closed = true;
    },
  };
  return { iterator, asked, closed: () => closed };
}

describe('readSmallRange', () => {
  let dir: string;
  let db: ClassicLevel<string, string>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-leveldb-'));
    db = new ClassicLevel<string, string>(dir);
    await db.open();
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads every entry of a range longer than one read, in order, and closes the iterator', async () => {
    // Arrange
    const keys = Array.from({ length: SMALL_READ * 2 + 3 }, (_, i) => `k/${String(i).padStart(3, '0')}`);
    await db.batch(keys.map((key) => ({ type: 'put' as const, key, value: `value of ${key}` })));
    await db.put('l/outside', 'not read');
    const iterator = db.values({ gte: 'k/', lt: 'k/\xff' });

    // Act
    const values = await readSmallRange(iterator);

    // Assert
    expect(values).toEqual(keys.map((key) => `value of ${key}`));
    await expect(iterator.nextv(1)).rejects.toMatchObject({ code: 'LEVEL_ITERATOR_NOT_OPEN' });
  });

  it('asks for a few entries at a time, never for the thousand a plain iterator reserves room for', async () => {
    // Arrange
    const { iterator, asked } = recordingIterator(['a', 'b', 'c']);

    // Act
    await readSmallRange(iterator);

    // Assert
    expect(asked.every((size) => size === SMALL_READ)).toBe(true);
    expect(SMALL_READ).toBeLessThanOrEqual(64);
  });

  it('closes the iterator when a read fails, and rejects with that failure', async () => {
    // Arrange
    const entries = Array.from({ length: SMALL_READ * 2 }, (_, i) => String(i));
    const { iterator, closed } = recordingIterator(entries, SMALL_READ);

    // Act
    const read = readSmallRange(iterator);

    // Assert
    await expect(read).rejects.toThrow('read failed');
    expect(closed()).toBe(true);
  });
});
