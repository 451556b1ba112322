import { describe, expect, it } from 'vitest';
import { VersionCompactor } from '../../../../../local/s3/store/compact.ts';
import { type ObjectVersion, segmentsOf } from '../../../../../local/s3/store/records.ts';

const KMS_KEY = 'arn:aws:kms:eu-west-1:000000000000:key/2fe811a5-e1b4-4c55-9b1e-2f1a1c2d3e4f';

/** A record with every field, so that a field added to ObjectVersion must be added here (and kept). */
const FULL: Required<ObjectVersion> = {
  id: '2eb2daa156abb45d41cda74c',
  key: 'builds/app/artifact.zip',
  versionId: 'gU5WuXqbGLnihGb_JEfqCiht_fC7w70j',
  sequencer: '1A239F08EC100000',
  deleteMarker: false,
  lastModified: '2026-12-03T03:26:36.000Z',
  size: 11,
  etag: '"0123456789abcdef0123456789abcdef-2"',
  headers: { contentType: 'application/zip', cacheControl: 'no-cache' },
  metadata: { 'relay-source': 'source/builds/app/artifact.zip', 'relay-sequencer': '142F7A1B13D5F0C1' },
  tags: [{ key: 'team', value: 'build' }],
  storageClass: 'STANDARD_IA',
  acl: 'bucket-owner-full-control',
  encryption: { algorithm: 'aws:kms', kmsKeyId: KMS_KEY, bucketKeyEnabled: true },
  checksum: { algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: '51MCJctrNls=' },
  parts: [
    { partNumber: 1, size: 5, checksum: 'AAAAAAAAAAA=' },
    { partNumber: 2, size: 6, checksum: 'BBBBBBBBBBB=' },
  ],
  segments: [
    { file: 'seg-1', size: 5 },
    { file: 'seg-2', size: 6 },
  ],
};

/** A PutObject record as the store receives it (fresh objects and strings, as a request makes them). */
function putRecord(i: number): ObjectVersion {
  return {
    id: `id-${i}`,
    key: `key-${i}`,
    versionId: `version-${i}`,
    sequencer: `${i}`.padStart(16, '0'),
    deleteMarker: false,
    lastModified: new Date(Date.UTC(2026, 0, 1)).toISOString(),
    size: 4096,
    etag: `"etag-${i}"`,
    headers: { contentType: ['application', 'zip'].join('/') },
    metadata: {},
    tags: [],
    storageClass: ['STAN', 'DARD'].join(''),
    encryption: { algorithm: 'aws:kms', kmsKeyId: `${KMS_KEY}` },
    checksum: { algorithm: 'CRC64NVME', type: 'FULL_OBJECT', value: `value-${i}` },
    segments: [{ file: 'seg-1', size: 4096 }],
  };
}

describe('VersionCompactor', () => {
  it('keeps every field of a record, with the same values', () => {
    // Arrange
    const compactor = new VersionCompactor();

    // Act
    const compact = compactor.compact(structuredClone(FULL));

    // Assert
    expect(compact).toStrictEqual(FULL);
  });

  // Shared strings (timestamps, names) are not observable from JavaScript; bench/lib/s3-index-memory.ts
  // measures them.
  it('lets versions share the objects they have in common', () => {
    // Arrange
    const compactor = new VersionCompactor();

    // Act
    const [a, b] = [compactor.compact(putRecord(1)), compactor.compact(putRecord(2))];

    // Assert
    expect(b?.headers).toBe(a?.headers);
    expect(b?.encryption).toBe(a?.encryption);
    expect(b?.tags).toBe(a?.tags);
    expect(b?.metadata).toBe(a?.metadata);
    expect(Object.isFrozen(a?.encryption)).toBe(true);
    expect(b?.checksum?.value).toBe('value-2');
    expect(b).toEqual({ ...putRecord(2), segments: undefined });
  });

  it('leaves out the data-file list of a body that is one file, which segmentsOf gives back', () => {
    // Arrange
    const compactor = new VersionCompactor();
    const record = putRecord(1);

    // Act
    const compact = compactor.compact(record);

    // Assert
    expect('segments' in compact).toBe(false);
    expect(segmentsOf(compact)).toEqual(record.segments);
  });

  it('keeps the data-file list of a multipart body and the empty one of a delete marker', () => {
    // Arrange
    const compactor = new VersionCompactor();
    const marker: ObjectVersion = { ...putRecord(1), deleteMarker: true, size: 0, segments: [] };

    // Act
    const [multipart, deleted] = [compactor.compact(FULL), compactor.compact(marker)];

    // Assert
    expect(segmentsOf(multipart)).toEqual(FULL.segments);
    expect(segmentsOf(deleted)).toEqual([]);
  });

  it('keeps a one-file list that does not hold the whole body', () => {
    // Arrange
    const compactor = new VersionCompactor();
    const record: ObjectVersion = { ...putRecord(1), segments: [{ file: 'seg-1', size: 10 }] };

    // Act
    const compact = compactor.compact(record);

    // Assert
    expect(segmentsOf(compact)).toEqual([{ file: 'seg-1', size: 10 }]);
  });
});
