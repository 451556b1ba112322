import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSegments, segmentSlices, slicesBehind } from '../../../../../local/s3/store/files.ts';

const SEGMENTS = [
  { file: 'a', size: 10 },
  { file: 'empty', size: 0 },
  { file: 'b', size: 20 },
  { file: 'c', size: 5 },
];

describe('segmentSlices', () => {
  it('maps a body range onto the data files that hold it, skipping empty and untouched ones', () => {
    // Act
    const slices = segmentSlices('/data', SEGMENTS, 7, 31);

    // Assert
    expect(slices).toEqual([
      { path: join('/data', 'a'), start: 7, end: 9 },
      { path: join('/data', 'b'), start: 0, end: 19 },
      { path: join('/data', 'c'), start: 0, end: 1 },
    ]);
  });

  it('gives no slice for the empty range of an empty body', () => {
    // Act
    const slices = segmentSlices('/data', [], 0, -1);

    // Assert
    expect(slices).toEqual([]);
  });
});

describe('readSegments and slicesBehind', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'store-files-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('streams the bytes its slices name', async () => {
    // Arrange
    const a = randomBytes(10);
    const b = randomBytes(20);
    await writeFile(join(dir, 'a'), a);
    await writeFile(join(dir, 'b'), b);
    const stream = readSegments(dir, SEGMENTS.slice(0, 3), 3, 25);

    // Act
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);

    // Assert
    expect(Buffer.concat(chunks)).toEqual(Buffer.concat([a, b]).subarray(3, 26));
  });

  it('names the slices behind an unread store stream, and none once it is read or for another stream', async () => {
    // Arrange
    await writeFile(join(dir, 'a'), randomBytes(10));
    const unread = readSegments(dir, SEGMENTS.slice(0, 1), 0, 9);
    const read = readSegments(dir, SEGMENTS.slice(0, 1), 0, 9);
    for await (const _chunk of read) break;

    // Act
    const behindUnread = slicesBehind(unread);
    const behindRead = slicesBehind(read);
    const behindOther = slicesBehind(Readable.from([Buffer.from('x')]));

    // Assert
    expect(behindUnread).toEqual([{ path: join(dir, 'a'), start: 0, end: 9 }]);
    expect(behindRead).toBeUndefined();
    expect(behindOther).toBeUndefined();
    unread.destroy();
  });
});
