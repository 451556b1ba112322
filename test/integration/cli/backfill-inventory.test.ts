/**
 * A backfill from an S3 Inventory report, end to end, as a person runs it after an outage: some replicas
 * in Seoul were lost, and the bucket has a daily inventory. `relay replay --inventory … --wait` reads the
 * report's manifest and files for its estimate (never listing the bucket), starts the backfill workflow
 * with the report named in its request — BuildWorkList reads the report, HEADs every object at Seoul and
 * queues the lost ones only — and the Distributed Map relays them again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import {
  CURRENT_COLUMNS,
  type InventoryEntry,
  inventoryFile,
  inventoryManifest,
} from '../../helpers/inventory.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { parseJsonOutput, REGION, runCli, STATE_MACHINE_ARN } from './harness.ts';

const SOURCE = 'inv-src';
const SEOUL = { bucket: 'inv-ap', region: 'ap-northeast-2' };
/**
 * Where the report is delivered: the backfill's own results bucket (`relay local` creates it), which the
 * work-list builder's role may already read. A report in a bucket of its own needs s3:GetObject on it in
 * that role too — the builder runs as its role under `relay local`, so without the grant it answers
 * AccessDenied naming it.
 */
const REPORTS = 'artifact-relay-backfill-000000000000';
const MANIFEST_KEY = `inventory/${SOURCE}/daily/2026-12-02T01-00Z/manifest.json`;
const KEYS = [
  ...Array.from({ length: 9 }, (_, i) => `builds/app ${i}.zip`),
  'builds/c++ sdk+docs.zip',
  'builds/überprüfung.zip',
  'builds/notes.txt',
];
/** The replicas lost in Seoul. */
const LOST = ['builds/app 0.zip', 'builds/app 5.zip', 'builds/c++ sdk+docs.zip', 'builds/überprüfung.zip'];
const ZIPS = KEYS.filter((key) => key.endsWith('.zip'));

interface InventoryJson {
  readonly mode: string;
  readonly estimate: { readonly objects: number; readonly targets: number };
  readonly listed: number;
  readonly inventory: { readonly method: string; readonly files: number; readonly objectsRead: number };
  readonly request?: { readonly inventory?: string };
  readonly backfill: {
    readonly status: string;
    readonly workList?: { readonly items: number; readonly counts: Record<string, number> };
    readonly tally?: { readonly objects: Record<string, number>; readonly targets: Record<string, number> };
  };
}

describe('relay replay --inventory against relay local', () => {
  let dir: string;
  let stack: ChildStack;
  let s3: S3Client;
  let seoul: S3Client;
  let at: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-inventory-'));
    const configPath = join(dir, 'relay.config.json');
    const config = {
      sources: [
        {
          bucket: SOURCE,
          region: REGION,
          rules: [{ name: 'zips', prefix: 'builds/', suffix: '.zip', targets: [SEOUL] }],
        },
      ],
    };
    await writeFile(configPath, JSON.stringify(config, null, 2));
    stack = await startChildStack(join(dir, 'data'), ['--config', configPath, '--time-scale', '0.001']);
    at = ['--endpoint-url', stack.endpoint, '--config', configPath];
    const client = { credentials: TEST_CREDENTIALS, endpoint: stack.endpoint, forcePathStyle: true };
    s3 = new S3Client({ ...client, region: REGION });
    seoul = new S3Client({ ...client, region: SEOUL.region });
    const sfn = new SFNClient({ ...client, region: REGION });
    // The builds land and the relay copies each to Seoul, as it does every day.
    const entries: InventoryEntry[] = [];
    for (const key of KEYS) {
      const body = `bytes of ${key}`;
      const put = await s3.send(new PutObjectCommand({ Bucket: SOURCE, Key: key, Body: body }));
      entries.push({ key, size: Buffer.byteLength(body), etag: (put.ETag ?? '').replace(/"/g, '') });
    }
    await vi.waitFor(
      async () => {
        const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }));
        const all = listed.executions ?? [];
        if (all.length < ZIPS.length || all.some((e) => e.status === 'RUNNING'))
          throw new Error(`${all.length} executions`);
      },
      { timeout: 60_000, interval: 100 },
    );
    sfn.destroy();
    // The outage: some replicas are lost.
    for (const key of LOST) await seoul.send(new DeleteObjectCommand({ Bucket: SEOUL.bucket, Key: key }));
    // The bucket's daily inventory, delivered by S3 into a bucket of the same region.
    const file = {
      key: `inventory/${SOURCE}/daily/data/9f3c1e2a.csv.gz`,
      body: inventoryFile(SOURCE, CURRENT_COLUMNS, entries),
    };
    await s3.send(new PutObjectCommand({ Bucket: REPORTS, Key: file.key, Body: file.body }));
    const manifest = inventoryManifest({
      sourceBucket: SOURCE,
      destinationBucket: REPORTS,
      columns: CURRENT_COLUMNS,
      files: [file],
    });
    await s3.send(new PutObjectCommand({ Bucket: REPORTS, Key: MANIFEST_KEY, Body: manifest }));
  }, 180_000);

  afterAll(async () => {
    s3?.destroy();
    seoul?.destroy();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('estimates from the report, then relays again only the lost replicas', async () => {
    // Arrange
    const inventory = `s3://${REPORTS}/${MANIFEST_KEY}`;

    // Act
    const dryRun = await runCli([
      'replay',
      `s3://${SOURCE}/builds/`,
      '--inventory',
      inventory,
      '--dry-run',
      ...at,
    ]);
    const run = await runCli([
      'replay',
      `s3://${SOURCE}/builds/`,
      '--inventory',
      inventory,
      '--wait',
      '--json',
      ...at,
    ]);

    // Assert: the estimate says where its numbers come from
    expect(dryRun.code, dryRun.stderr).toBe(0);
    expect(dryRun.stdout).toMatch(/estimate: 11 objects/);
    expect(dryRun.stdout).toMatch(
      /from the inventory s3:\/\/artifact-relay-backfill-000000000000\/\S+manifest\.json \(report of 2025-12-0\dT\S+\): counted in all 1 file of the report .* the bucket was not listed/,
    );
    expect(dryRun.stdout).toContain(`"inventory":"${inventory}"`);
    // Assert: the backfill read the report and queued the lost replicas only
    expect(run.code, `${run.stderr}\n${run.stdout}`).toBe(0);
    const json = parseJsonOutput<InventoryJson>(run);
    expect(json).toMatchObject({
      mode: 'distributed',
      estimate: { objects: ZIPS.length, targets: 1 },
      listed: KEYS.length,
      inventory: { method: 'counted', files: 1, objectsRead: KEYS.length },
    });
    expect(json.backfill.status).toBe('SUCCEEDED');
    expect(json.backfill.workList?.counts).toMatchObject({
      listed: KEYS.length,
      noTarget: 1,
      inSync: ZIPS.length - LOST.length,
      queued: LOST.length,
    });
    expect(json.backfill.tally).toMatchObject({
      objects: { succeeded: LOST.length, failed: 0, pending: 0 },
      targets: { copied: LOST.length },
    });
    for (const key of LOST) {
      const head = await seoul.send(new HeadObjectCommand({ Bucket: SEOUL.bucket, Key: key }));
      expect(head.ContentLength).toBe(Buffer.byteLength(`bytes of ${key}`));
    }
  }, 180_000);
});
