import { describe, expect, it } from 'vitest';
import { compareKeys, KeyIndex } from '../../../../../local/s3/store/key-index.ts';
import type { ObjectVersion } from '../../../../../local/s3/store/records.ts';

function version(key: string, versionId: string, sequencer: string, deleteMarker = false): ObjectVersion {
  return {
    id: `${key}-${versionId}-${sequencer}`,
    key,
    versionId,
    sequencer,
    deleteMarker,
    lastModified: '2024-01-01T00:00:00.000Z',
    size: 0,
    etag: '""',
    headers: {},
    metadata: {},
    tags: [],
    storageClass: 'STANDARD',
    encryption: { algorithm: 'AES256' },
    segments: [],
  };
}

describe('compareKeys', () => {
  it('orders keys by UTF-8 bytes (code points), not UTF-16 units', () => {
    // Arrange
    const keys = ['\u{1F600}', '\uFF21', 'b', 'a', 'B'];

    // Act
    const sorted = [...keys].sort(compareKeys);

    // Assert
    expect(sorted).toEqual(['B', 'a', 'b', '\uFF21', '\u{1F600}']);
    expect([...sorted].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)))).toEqual(sorted);
  });
});

describe('KeyIndex', () => {
  it('keeps versions newest first by sequencer', () => {
    // Arrange
    const index = new KeyIndex();

    // Act
    index.add(version('k', 'v2', '0000000000000002'));
    index.add(version('k', 'v1', '0000000000000001'));
    index.add(version('k', 'v3', '0000000000000003'));

    // Assert
    expect(index.versions('k').map((v) => v.versionId)).toEqual(['v3', 'v2', 'v1']);
    expect(index.latest('k')?.versionId).toBe('v3');
  });

  it('replaces the previous null version and reports it for removal', () => {
    // Arrange
    const index = new KeyIndex();
    const old = version('k', 'null', '0000000000000001');
    index.add(old);
    index.add(version('k', 'v2', '0000000000000002'));

    // Act
    const replaced = index.add(version('k', 'null', '0000000000000003'));

    // Assert
    expect(replaced).toEqual([old]);
    expect(index.versions('k').map((v) => [v.versionId, v.sequencer])).toEqual([
      ['null', '0000000000000003'],
      ['v2', '0000000000000002'],
    ]);
  });

  it('keeps the newer null version when an older one is loaded later (crash leftovers)', () => {
    // Arrange
    const index = new KeyIndex();
    index.add(version('k', 'null', '0000000000000005'));
    const stale = version('k', 'null', '0000000000000004');

    // Act
    const replaced = index.add(stale);

    // Assert
    expect(replaced).toEqual([stale]);
    expect(index.latest('k')?.sequencer).toBe('0000000000000005');
  });

  it('forgets a key when its last version is removed', () => {
    // Arrange
    const index = new KeyIndex();
    index.add(version('a', 'null', '0000000000000001'));
    index.add(version('b', 'null', '0000000000000002'));

    // Act
    const removed = index.remove('a', 'null');

    // Assert
    expect(removed?.key).toBe('a');
    expect(index.keyCount).toBe(1);
    expect(index.sortedKeys()).toEqual(['b']);
  });

  it('keeps a key readable as its versions are removed down to one and updated', () => {
    // Arrange
    const index = new KeyIndex();
    index.add(version('k', 'v1', '0000000000000001'));
    index.add(version('k', 'v2', '0000000000000002'));
    index.add(version('k', 'v3', '0000000000000003'));

    // Act
    index.remove('k', 'v3');
    index.remove('k', 'v1');
    index.update({ ...version('k', 'v2', '0000000000000002'), tags: [{ key: 'a', value: 'b' }] });

    // Assert
    expect(index.versions('k').map((v) => v.versionId)).toEqual(['v2']);
    expect(index.latest('k')?.tags).toEqual([{ key: 'a', value: 'b' }]);
    expect(index.find('k', 'v2')?.versionId).toBe('v2');
    expect(index.find('k', 'v1')).toBeUndefined();
    expect([...index.all()].map((v) => v.versionId)).toEqual(['v2']);
  });

  it('returns a key’s only version as a list of one', () => {
    // Arrange
    const index = new KeyIndex();
    const only = version('k', 'v1', '0000000000000001');

    // Act
    index.add(only);

    // Assert
    expect(index.versions('k')).toEqual([only]);
    expect(index.versions('missing')).toEqual([]);
    expect(index.latest('missing')).toBeUndefined();
  });
});
