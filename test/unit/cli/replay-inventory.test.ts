import { Readable } from 'node:stream';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { createConnection } from '../../../cli/aws/connection.ts';
import { findBackfillResultsBucket } from '../../../cli/backfill/results-bucket.ts';
import { CliError, EXIT_CODES } from '../../../cli/errors.ts';
import {
  describeInventoryBasis,
  estimateFromInventory,
  inventoryPrefixOf,
  type ReportAccess,
  readManifest,
} from '../../../cli/replay/inventory.ts';
import { sourceSchema } from '../../../core/config/schema.ts';
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

/** The backfill's results bucket, when the CLI finds it. */
const RESULTS = 'relay-backfill-results';

/** The replay's source, with the given `inventory` setting, and where the builder may read reports. */
function accessWith(inventory: unknown, resultsBucket: string | undefined): ReportAccess {
  return {
    source: sourceSchema.parse({
      bucket: SOURCE,
      region: 'us-west-2',
      rules: [
        { name: 'zips', suffix: '.zip', targets: [{ bucket: 'artifacts-seoul', region: 'ap-northeast-2' }] },
      ],
      ...(inventory === undefined ? {} : { inventory }),
    }),
    path: 'sources[0]',
    config: 'relay.config.json',
    resultsBucket,
  };
}

describe('relay replay --inventory: where the backfill may read the report', () => {
  it("refuses a report outside the results bucket and the source's inventory setting, naming the setting to add, before reading it", async () => {
    // Arrange
    givenReport(1, 1);

    // Act
    const refused = await readManifest(
      client,
      MANIFEST,
      { source: { bucket: SOURCE } },
      accessWith(undefined, RESULTS),
    ).catch((err: unknown) => err);

    // Assert
    expect(refused).toBeInstanceOf(CliError);
    expect((refused as CliError).exitCode).toBe(EXIT_CODES.usage);
    expect((refused as CliError).message).toContain(
      `may not read ${MANIFEST} — it reads reports only in the backfill's results bucket (relay-backfill-results)`,
    );
    expect((refused as CliError).message).toContain('sources[0].inventory is not set');
    expect((refused as CliError).message).toContain(
      'Add "inventory": {"bucket":"inventory-oregon","prefix":"inv/"} (with "kmsKeyArn" if the reports are SSE-KMS) to sources[0] (build-artifacts-oregon) in relay.config.json',
    );
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it("reads a report delivered where the source's inventory setting says, or put in the results bucket", async () => {
    // Arrange
    givenReport(1, 1);
    const inResults = MANIFEST.replace('inventory-oregon', 'relay-backfill-results');

    // Act
    const configured = await readManifest(
      client,
      MANIFEST,
      { source: { bucket: SOURCE } },
      accessWith({ bucket: 'inventory-oregon', prefix: 'inv/' }, RESULTS),
    );
    const refusedFiles = await readManifest(
      client,
      inResults,
      { source: { bucket: SOURCE } },
      accessWith(undefined, RESULTS),
    ).catch((err: unknown) => err);

    // Assert
    expect(configured.files).toHaveLength(1);
    // The manifest in the results bucket is readable; the files it names are in inventory-oregon, which is not.
    expect((refusedFiles as Error).message).toContain(
      'may not read s3://inventory-oregon/inv/data/file-0.csv.gz',
    );
  });

  it('refuses a report under another prefix of the configured bucket, saying what is configured', async () => {
    // Act
    const refused = readManifest(
      client,
      MANIFEST,
      { source: { bucket: SOURCE } },
      accessWith({ bucket: 'inventory-oregon', prefix: 'weekly/' }, RESULTS),
    );

    // Assert
    await expect(refused).rejects.toThrow(/sources\[0\]\.inventory names s3:\/\/inventory-oregon\/weekly\//);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('leaves the report to the builder when the results bucket cannot be told', async () => {
    // Arrange
    givenReport(1, 1);

    // Act
    const manifest = await readManifest(
      client,
      MANIFEST,
      { source: { bucket: SOURCE } },
      accessWith(undefined, undefined),
    );

    // Assert
    expect(manifest.sourceBucket).toBe(SOURCE);
  });

  it("finds the destination prefix in a report's key as S3 Inventory lays it out", () => {
    // Assert
    expect(inventoryPrefixOf(`inv/${SOURCE}/daily/2026-12-02T01-00Z/manifest.json`, SOURCE)).toBe('inv/');
    expect(inventoryPrefixOf(`${SOURCE}/daily/2026-12-02T01-00Z/manifest.json`, SOURCE)).toBe('');
    expect(inventoryPrefixOf('reports/manifest.json', SOURCE)).toBeUndefined();
  });
});

describe("finding the backfill's results bucket", () => {
  const cfn = mockClient(CloudFormationClient);
  const relay = parseStateMachineArn('arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay')!;

  afterEach(() => {
    cfn.reset();
  });

  it('names the bucket relay local creates, against the local stack', async () => {
    // Arrange
    const conn = createConnection({ local: true });

    // Act
    const bucket = await findBackfillResultsBucket(conn, relay, {});

    // Assert
    expect(bucket).toBe('artifact-relay-backfill-111122223333');
    expect(cfn.commandCalls(DescribeStacksCommand)).toHaveLength(0);
    conn.destroy();
  });

  it("reads the stack's output against AWS, and knows none when the stack cannot be read", async () => {
    // Arrange
    const conn = createConnection({ region: 'us-west-2' });
    cfn.on(DescribeStacksCommand, { StackName: 'ArtifactRelay' }).resolves({
      Stacks: [
        {
          StackName: 'ArtifactRelay',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            { OutputKey: 'RelayBackfillStateMachineArnC0FFEE00', OutputValue: 'arn:x' },
            { OutputKey: 'RelayBackfillResultsBucket5E6F7A8B', OutputValue: 'artifactrelay-results-1a2b' },
          ],
        },
      ],
    });
    cfn
      .on(DescribeStacksCommand, { StackName: 'Elsewhere' })
      .rejects(
        Object.assign(new Error('Stack with id Elsewhere does not exist'), { name: 'ValidationError' }),
      );

    // Act
    const found = await findBackfillResultsBucket(conn, relay, {});
    const unknown = await findBackfillResultsBucket(conn, relay, { stack: 'Elsewhere' });

    // Assert
    expect(found).toBe('artifactrelay-results-1a2b');
    expect(unknown).toBeUndefined();
    conn.destroy();
  });
});
