/**
 * S3 Inventory reports shaped as S3 delivers them (Amazon S3 User Guide, "Cataloging and analyzing your
 * data with S3 Inventory"): a manifest.json naming the source bucket, the destination bucket as an ARN,
 * the format and the schema, and gzipped CSV files without a header row, every field quoted, keys
 * URL-encoded with `+` for a space.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';

/** The fields of a report of current versions (the optional fields a backfill needs, and one more). */
export const CURRENT_COLUMNS = ['Bucket', 'Key', 'Size', 'LastModifiedDate', 'ETag', 'StorageClass'] as const;

/** The fields of a report of every version (S3 adds IsLatest and IsDeleteMarker itself). */
export const VERSION_COLUMNS = [
  'Bucket',
  'Key',
  'VersionId',
  'IsLatest',
  'IsDeleteMarker',
  'Size',
  'LastModifiedDate',
  'ETag',
  'StorageClass',
] as const;

/** One object (or version, or delete marker) of a report. */
export interface InventoryEntry {
  readonly key: string;
  readonly size?: number;
  readonly etag?: string;
  readonly lastModified?: string;
  readonly versionId?: string;
  readonly isLatest?: boolean;
  readonly deleteMarker?: boolean;
}

/** A key as S3 Inventory writes it into a CSV file: URL-encoded, `/` kept, `+` for a space. */
export function encodeInventoryKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** The CSV line of `entry` under `columns`. */
export function inventoryLine(bucket: string, columns: readonly string[], entry: InventoryEntry): string {
  const marker = entry.deleteMarker === true;
  const value: Record<string, string> = {
    Bucket: bucket,
    Key: encodeInventoryKey(entry.key),
    VersionId: entry.versionId ?? '',
    IsLatest: String(entry.isLatest ?? true),
    IsDeleteMarker: String(marker),
    Size: marker ? '' : String(entry.size ?? 10),
    LastModifiedDate: entry.lastModified ?? '2026-01-01T00:00:00.000Z',
    ETag: marker ? '' : (entry.etag ?? `etag-${entry.key}`),
    StorageClass: marker ? '' : 'STANDARD',
  };
  return columns.map((column) => `"${(value[column] ?? '').replace(/"/g, '""')}"`).join(',');
}

/** A gzipped CSV file of `entries`. */
export function inventoryFile(
  bucket: string,
  columns: readonly string[],
  entries: readonly InventoryEntry[],
): Buffer {
  return gzipSync(entries.map((entry) => `${inventoryLine(bucket, columns, entry)}\n`).join(''));
}

/** A manifest.json of `files` (their keys in the destination bucket and their gzipped bodies). */
export function inventoryManifest(options: {
  readonly sourceBucket: string;
  readonly destinationBucket: string;
  readonly columns: readonly string[];
  readonly files: readonly { readonly key: string; readonly body: Buffer }[];
  readonly format?: string;
}): string {
  return JSON.stringify(
    {
      sourceBucket: options.sourceBucket,
      destinationBucket: `arn:aws:s3:::${options.destinationBucket}`,
      version: '2016-11-30',
      creationTimestamp: '1764637200000',
      fileFormat: options.format ?? 'CSV',
      fileSchema: options.columns.join(', '),
      files: options.files.map((file) => ({
        key: file.key,
        size: file.body.byteLength,
        MD5checksum: createHash('md5').update(file.body).digest('hex'),
      })),
    },
    null,
    2,
  );
}
