/**
 * A backfill from an S3 Inventory report delivered into a bucket of its own (issue #15), on the local stack
 * with the work-list builder running as its role with exactly its planned policy: the source's `inventory`
 * setting grants it the report's prefix — and the report's KMS key — so the backfill reads the report there;
 * the same report in a bucket no setting names is refused by S3 (AccessDenied, naming the call).
 */
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkList } from '../../../core/backfill.ts';
import { type DeployedBackfill, deployBackfill } from '../../../local/backfill.ts';
import {
  CURRENT_COLUMNS,
  type InventoryEntry,
  inventoryFile,
  inventoryManifest,
} from '../../helpers/inventory.ts';
import { type Execution, type Relay, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

const SOURCE_REGION = 'us-west-2';
const SEOUL = 'ap-northeast-2';
const KEYS = ['builds/app 1.zip', 'builds/c++ sdk.zip', 'builds/notes.txt'];
const ZIPS = KEYS.filter((key) => key.endsWith('.zip'));
/** The inventory configuration's destination prefix and name: S3 delivers under `<prefix>/<source>/<name>/`. */
const PREFIX = 'inventory/';

describe('a backfill from an S3 Inventory report in its configured bucket (local stack, builder as its role)', () => {
  let h: WorkflowHarness;
  let source: string;
  let seoul: string;
  let reports: string;
  let elsewhere: string;
  let relay: Relay;
  let backfill: DeployedBackfill;
  let manifestKey: string;

  beforeAll(async () => {
    h = await startWorkflowHarness();
    source = h.name('inv-src');
    seoul = h.name('inv-ap');
    reports = h.name('inv-reports');
    elsewhere = h.name('inv-elsewhere');
    const results = h.name('inv-results');
    const reportsKey = `arn:aws:kms:${SOURCE_REGION}:${h.stack.accountId}:key/7c1e2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d41`;
    await h.bucket(source, SOURCE_REGION, { versioned: false });
    await h.bucket(seoul, SEOUL);
    await h.bucket(reports, SOURCE_REGION, { versioned: false });
    await h.bucket(elsewhere, SOURCE_REGION, { versioned: false });
    await h.bucket(results, SOURCE_REGION, { versioned: false });
    await h.stack.createKmsKey(reportsKey);
    // The builds are there before the relay: no event relays them, the backfill does.
    const entries: InventoryEntry[] = [];
    for (const key of KEYS) {
      const put = await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: `bytes of ${key}` });
      entries.push({
        key,
        size: Buffer.byteLength(`bytes of ${key}`),
        etag: (put.ETag ?? '').replace(/"/g, ''),
      });
    }
    relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            { name: 'zips', prefix: 'builds/', suffix: '.zip', targets: [{ bucket: seoul, region: SEOUL }] },
          ],
          inventory: { bucket: reports, prefix: PREFIX, kmsKeyArn: reportsKey },
        },
      ],
    });
    backfill = await deployBackfill(h.stack, {
      config: relay.config,
      relay: relay.deployed,
      relayName: relay.deployed.stateMachineArn.split(':').at(-1) ?? '',
      resultsBucket: results,
    });
    // The daily report, SSE-KMS, delivered as S3 Inventory lays it out — and a copy where nothing grants it.
    const file = {
      key: `${PREFIX}${source}/daily/data/5e2a.csv.gz`,
      body: inventoryFile(source, CURRENT_COLUMNS, entries),
    };
    manifestKey = `${PREFIX}${source}/daily/2026-12-02T01-00Z/manifest.json`;
    for (const bucket of [reports, elsewhere]) {
      const manifest = inventoryManifest({
        sourceBucket: source,
        destinationBucket: bucket,
        columns: CURRENT_COLUMNS,
        files: [file],
      });
      for (const object of [file, { key: manifestKey, body: manifest }]) {
        await h.put(SOURCE_REGION, {
          Bucket: bucket,
          Key: object.key,
          Body: object.body,
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: reportsKey,
        });
      }
    }
    await h.stack.events.idle();
  }, 120_000);

  afterAll(async () => {
    await h?.dispose();
  });

  /** Runs one backfill of the source's builds from the report at `inventory`, to its end. */
  async function run(inventory: string): Promise<Execution> {
    const sfn = h.sfn(SOURCE_REGION);
    const request = { source: { bucket: source, prefix: 'builds/' }, inventory };
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: backfill.stateMachineArn,
        input: JSON.stringify(request),
      }),
    );
    const arn = started.executionArn ?? '';
    await h.stack.stepFunctions.waitForExecution(arn);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
    return { arn, status: described.status, described };
  }

  it('reads the report where the source says S3 Inventory delivers it, and relays the builds it lists', async () => {
    // Act
    const execution = await run(`s3://${reports}/${manifestKey}`);
    const relayed = await relay.settle();

    // Assert
    expect(execution.status, execution.described.cause).toBe('SUCCEEDED');
    const workList = (JSON.parse(execution.described.output ?? '{}') as { workList: WorkList }).workList;
    expect(workList.counts).toMatchObject({
      listed: KEYS.length,
      noTarget: 1,
      inSync: 0,
      queued: ZIPS.length,
    });
    expect(relayed.map((e) => e.status)).toEqual(ZIPS.map(() => 'SUCCEEDED'));
    for (const key of ZIPS) {
      expect((await h.read(SEOUL, seoul, key)).toString()).toBe(`bytes of ${key}`);
    }
  }, 120_000);

  it('is refused the same report in a bucket no inventory setting names', async () => {
    // Act
    const execution = await run(`s3://${elsewhere}/${manifestKey}`);

    // Assert
    expect(execution.status).toBe('FAILED');
    expect(execution.described.error).toBe('AccessDenied');
    expect(execution.described.cause).toContain(
      `s3:GetObject of s3://${elsewhere}/${manifestKey} was denied`,
    );
  }, 120_000);
});
