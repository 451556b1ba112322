import { describe, expect, it } from 'vitest';
import {
  backfillRequestSchema,
  isCurrentObject,
  parseInventoryManifest,
  parseInventoryRow,
  splitCsvLine,
} from '../../../core/backfill.ts';
import { InvalidInput } from '../../../core/errors.ts';

const LOCATION = { bucket: 'inventory-oregon', key: 'inv/src/daily/2026-12-02T01-00Z/manifest.json' };
const VERSIONS = [
  'Bucket',
  'Key',
  'VersionId',
  'IsLatest',
  'IsDeleteMarker',
  'Size',
  'LastModifiedDate',
  'ETag',
];

function manifest(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    sourceBucket: 'src',
    destinationBucket: 'arn:aws:s3:::inventory-oregon',
    version: '2016-11-30',
    creationTimestamp: '1764637200000',
    fileFormat: 'CSV',
    fileSchema: 'Bucket, Key, Size, LastModifiedDate, ETag, StorageClass',
    files: [{ key: 'inv/src/daily/data/a.csv.gz', size: 120, MD5checksum: '0123' }],
    ...fields,
  });
}

describe('S3 Inventory reports', () => {
  it('read the manifest: the files bucket from its ARN, the columns, the report date', () => {
    // Act
    const read = parseInventoryManifest(manifest(), LOCATION);

    // Assert
    expect(read).toEqual({
      url: 's3://inventory-oregon/inv/src/daily/2026-12-02T01-00Z/manifest.json',
      sourceBucket: 'src',
      filesBucket: 'inventory-oregon',
      columns: ['Bucket', 'Key', 'Size', 'LastModifiedDate', 'ETag', 'StorageClass'],
      versions: false,
      files: [{ key: 'inv/src/daily/data/a.csv.gz', size: 120 }],
      createdAt: '2025-12-02T01:00:00.000Z',
    });
  });

  it('refuse a manifest that is not JSON, not a manifest, or lists versions without IsLatest', () => {
    // Act / Assert
    expect(() => parseInventoryManifest('<xml/>', LOCATION)).toThrow(InvalidInput);
    expect(() => parseInventoryManifest('{"files":[]}', LOCATION)).toThrow(
      /is not an S3 Inventory manifest \(sourceBucket: /,
    );
    expect(() =>
      parseInventoryManifest(manifest({ fileSchema: 'Bucket, Key, VersionId, Size, ETag' }), LOCATION),
    ).toThrow(/has no IsLatest, IsDeleteMarker field/);
  });

  it('split CSV lines quoted or not, with doubled quotes and empty fields', () => {
    // Act / Assert
    expect(splitCsvLine('"a","b ""c""","",d,')).toEqual(['a', 'b "c"', '', 'd', '']);
    expect(() => splitCsvLine('"a,b')).toThrow(/not closed/);
  });

  it('read a row: the key decoded, a delete marker without size, a CRLF ending', () => {
    // Act
    const object = parseInventoryRow(
      '"src","a/b+c%2Bd%C3%A9.zip","v1","true","false","12","2026-01-02T03:04:05.000Z","abc-2"\r',
      VERSIONS,
    );
    const marker = parseInventoryRow(
      '"src","x","m1","true","true","","2026-01-02T03:04:05.000Z",""',
      VERSIONS,
    );

    // Assert
    expect(object).toEqual({
      bucket: 'src',
      key: 'a/b c+dé.zip',
      versionId: 'v1',
      isLatest: true,
      isDeleteMarker: false,
      size: 12,
      lastModified: new Date('2026-01-02T03:04:05.000Z'),
      etag: 'abc-2',
    });
    expect(isCurrentObject(object)).toBe(true);
    expect(marker).toMatchObject({ isDeleteMarker: true });
    expect(marker.size).toBeUndefined();
    expect(isCurrentObject(marker)).toBe(false);
  });

  it('refuse a row with another number of fields, a bad flag, or an object without its size', () => {
    // Act / Assert
    expect(() => parseInventoryRow('"src","k"', VERSIONS)).toThrow(/has 2 fields where .* names 8/);
    expect(() =>
      parseInventoryRow('"src","k","v","yes","false","1","2026-01-01T00:00:00Z","e"', VERSIONS),
    ).toThrow(/IsLatest is "yes"/);
    expect(() =>
      parseInventoryRow('"src","k","v","true","false","","2026-01-01T00:00:00Z","e"', VERSIONS),
    ).toThrow(/without its Size or ETag/);
  });

  it('are named in a backfill request by the S3 URL of their manifest', () => {
    // Act / Assert
    expect(
      backfillRequestSchema.safeParse({ source: { bucket: 'src' }, inventory: 's3://b/k/manifest.json' })
        .success,
    ).toBe(true);
    expect(backfillRequestSchema.safeParse({ source: { bucket: 'src' }, inventory: 's3://b' }).success).toBe(
      false,
    );
  });
});
