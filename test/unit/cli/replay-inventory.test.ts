import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { CliError } from '../../../cli/errors.ts';
import {
  describeInventoryBasis,
  estimateFromInventory,
  readManifest,
} from '../../../cli/replay/inventory.ts';
import { CURRENT_COLUMNS, inventoryFile, inventoryManifest } from '../../helpers/inventory.ts';

const s3 = mockClient(S3Client);
const client = new S3Client({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const SOURCE = 'build-artifacts-oregon';
const MANIFEST = 's3://inventory-oregon/inv/build-artifacts-oregon/daily/2026-12-02T01-00Z/manifest.json';

afterEach(() => {
  s3.reset();
});

/** A report of `files` files of `perFile` builds each (one in ten a .txt no rule routes). */
function givenReport(files: number, perFile: number, options: { format?: string } = {}): void {
  const bodies = Array.from({ length: files }, (_, f) => ({
    key: `inv/data/file-${f}.csv.gz`,
    body: inventoryFile(
      SOURCE,
      CURRENT_COLUMNS,
      Array.from({ length: perFile }, (_, i) => ({
        key: `build_artifacts/web ${f}-${i}.${i % 10 === 9 ? 'txt' : 'zip'}`,
        size: 1000,
      })),
    ),
  }));
  const manifest = inventoryManifest({
    sourceBucket: SOURCE,
    destinationBucket: 'inventory-oregon',
    columns: CURRENT_COLUMNS,
    files: bodies,
    ...(options.format === undefined ? {} : { format: options.format }),
  });
  s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
    if (input.Key.endsWith('manifest.json')) {
      return { Body: { transformToString: async () => manifest } };
    }
    const file = bodies.find((b) => b.key === input.Key);
    return { Body: Readable.from([file!.body]) };
  });
}

/** Routes .zip builds to 2 targets, the rest nowhere. */
const route = (object: { key: string }) => (object.key.endsWith('.zip') ? 2 : 0);

describe('relay replay --inventory: the estimate', () => {
  it('counts a report that fits the budget, and says it was counted, never listed', async () => {
    // Arrange
    givenReport(3, 100);
    const manifest = await readManifest(client, MANIFEST, { source: { bucket: SOURCE } });

    // Act
    const estimate = await estimateFromInventory(client, manifest, '', route);

    // Assert
    expect(estimate).toMatchObject({ listed: 300, routed: 270, routedBytes: 270_000, mostTargets: 2 });
    expect(estimate.basis).toMatchObject({ method: 'counted', files: 3, objectsRead: 300 });
    expect(estimate.basis.readBytes).toBe(estimate.basis.compressedBytes);
    expect(describeInventoryBasis(estimate.basis)).toMatch(
      /from the inventory s3:\/\/inventory-oregon\/\S+ \(report of 2025-12-02T01:00:00\.000Z\): counted in all 3 files of the report .* the bucket was not listed/,
    );
  });

  it('extrapolates a report past the budget by compressed bytes, and says so', async () => {
    // Arrange: two files of as many rows; the budget ends with the first.
    givenReport(2, 500);
    const manifest = await readManifest(client, MANIFEST, { source: { bucket: SOURCE } });
    const firstFile = manifest.files[0]!.size;

    // Act
    const estimate = await estimateFromInventory(client, manifest, '', route, firstFile);

    // Assert: the second file compresses to nearly the first's size, so the whole is about twice the first.
    expect(Math.abs(estimate.listed - 1000)).toBeLessThan(20);
    expect(Math.abs(estimate.routed - 900)).toBeLessThan(18);
    expect(Math.abs(estimate.routedBytes - 900_000)).toBeLessThan(18_000);
    expect(estimate.basis).toMatchObject({ method: 'extrapolated', objectsRead: 500, readBytes: firstFile });
    expect(describeInventoryBasis(estimate.basis)).toMatch(
      /≈ extrapolated from 500 objects in the first 0\.0 MiB of its 0\.0 MiB \(2 files\), in proportion to compressed bytes/,
    );
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(2);
  });

  it("counts only the keys under the replay's prefix", async () => {
    // Arrange
    givenReport(1, 50);
    const manifest = await readManifest(client, MANIFEST, { source: { bucket: SOURCE } });

    // Act
    const estimate = await estimateFromInventory(client, manifest, 'build_artifacts/web 0-1', route);

    // Assert: web 0-1 and web 0-10 … web 0-19
    expect(estimate).toMatchObject({ listed: 11, routed: 10 });
  });

  it('refuses an ORC report, a report of another bucket, and a missing manifest, as usage errors', async () => {
    // Arrange / Act / Assert
    givenReport(1, 1, { format: 'ORC' });
    await expect(readManifest(client, MANIFEST, { source: { bucket: SOURCE } })).rejects.toThrow(
      /configure the inventory as CSV/,
    );
    s3.reset();
    givenReport(1, 1);
    const other = readManifest(client, MANIFEST, { source: { bucket: 'another-bucket' } });
    await expect(other).rejects.toThrow(CliError);
    await expect(other).rejects.toThrow(/lists the bucket build-artifacts-oregon, not the backfill's source/);
    s3.reset();
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } }),
    );
    await expect(readManifest(client, MANIFEST, { source: { bucket: SOURCE } })).rejects.toThrow(
      /--inventory: there is no manifest at s3:\/\/inventory-oregon\//,
    );
    await expect(readManifest(client, 's3://just-a-bucket', { source: { bucket: SOURCE } })).rejects.toThrow(
      /is not an S3 URL of a manifest/,
    );
  });
});
