import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WorkItem, type WorkList, workItemSchema } from '../../../core/backfill.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import type { CopyResult, ResolveTargetsOutput } from '../../../core/workflow.ts';
import { createBuildWorkListHandler } from '../../../functions/build-work-list/index.ts';
import { createCopyObjectHandler } from '../../../functions/copy-object/index.ts';
import { createResolveTargetsHandler } from '../../../functions/resolve-targets/index.ts';
import { createS3ClientFactory } from '../../../functions/shared/clients.ts';
import {
  type InventoryEntry,
  inventoryFile,
  inventoryManifest,
  VERSION_COLUMNS,
} from '../../helpers/inventory.ts';
import { startTestStack, TEST_AUTH, TEST_CREDENTIALS, type TestStack } from '../../helpers/local-stack.ts';

/**
 * BuildWorkList from an S3 Inventory report on the local stack, through real SDK clients: a versioned
 * source whose keys hold spaces, pluses and non-ASCII letters (some overwritten, one deleted), its report
 * of every version written as S3 delivers one — a manifest.json and gzipped CSV files in an inventory
 * bucket of the source's region — and the work list built from it across many calls, never listing the
 * source. A line is a relay request the relay's own ResolveTargets takes as it is: the decoded key and
 * the version name the real object.
 */

const SOURCE = { bucket: 'build-artifacts-oregon', region: 'us-west-2' };
const SEOUL = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };
const INVENTORY = { bucket: 'inventory-oregon', report: 'inventory/build-artifacts-oregon/all-versions' };
const RESULTS = { bucket: 'relay-backfills', region: 'us-east-1', prefix: 'backfills' };
const PART_BYTES = 4096;
const MANIFEST_KEY = `${INVENTORY.report}/2026-12-02T01-00Z/manifest.json`;
const KEYS = [
  ...Array.from({ length: 60 }, (_, i) => `builds/web ${String(i).padStart(2, '0')}.zip`),
  'builds/c++ runtime+extras.zip',
  'builds/überprüfung/ß 1.zip',
  'builds/日本語/ビルド.zip',
  'builds/100%=done?.zip',
];
/** Overwritten once (the report lists both versions); the latest must be taken. */
const OVERWRITTEN = KEYS.slice(0, 5);
/** Deleted after upload (its latest version is a delete marker): never queued. */
const DELETED = 'builds/web 59.zip';
/** Relayed to Seoul before the backfill: in sync. */
const RELAYED = KEYS.slice(10, 20);

const CONFIG = parseConfig(
  {
    sources: [
      { ...SOURCE, rules: [{ name: 'builds', prefix: 'builds/', suffix: '.zip', targets: [SEOUL] }] },
    ],
  },
  'test',
);

describe('BuildWorkList from an S3 Inventory report on the local stack', () => {
  let stack: TestStack;
  let s3For: (region: string) => S3Client;
  /** Every version of every key, newest first, as the report lists them. */
  const entries: InventoryEntry[] = [];
  /** The latest version of each key that is not deleted. */
  const latest = new Map<string, string>();

  async function bucket(name: string, region: string, versioned = false): Promise<void> {
    await s3For(region).send(
      new CreateBucketCommand({
        Bucket: name,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
    if (versioned) {
      await s3For(region).send(
        new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
  }

  async function put(key: string, body: string): Promise<InventoryEntry> {
    const answer = await s3For(SOURCE.region).send(
      new PutObjectCommand({ Bucket: SOURCE.bucket, Key: key, Body: body }),
    );
    return {
      key,
      versionId: answer.VersionId ?? '',
      size: Buffer.byteLength(body),
      etag: (answer.ETag ?? '').replace(/"/g, ''),
      lastModified: new Date().toISOString(),
    };
  }

  async function relayToSeoul(key: string): Promise<void> {
    const resolved: ResolveTargetsOutput = await createResolveTargetsHandler({
      s3ClientFor: s3For,
      loadConfig: async () => CONFIG,
    })({ bucket: SOURCE.bucket, key });
    const target = resolved.targets[0];
    if (resolved.source === undefined || target === undefined) throw new Error(`${key} was not resolved`);
    const copy = createCopyObjectHandler({ s3ClientFor: s3For });
    let input = { source: resolved.source, settings: resolved.settings, target };
    let result: CopyResult;
    do {
      result = await copy(input);
      input = { ...input, copy: result } as typeof input;
    } while (result.status === 'copying');
    expect(result.status).toBe('copied');
  }

  /** Writes the report as S3 would: the entries over two gzipped CSV files, and the manifest naming them. */
  async function deliverReport(): Promise<void> {
    const client = s3For(SOURCE.region);
    const halves = [entries.slice(0, 37), entries.slice(37)];
    const files = halves.map((half, i) => ({
      key: `${INVENTORY.report}/data/2c5e7a0b-${i}.csv.gz`,
      body: inventoryFile(SOURCE.bucket, VERSION_COLUMNS, half),
    }));
    for (const file of files) {
      await client.send(new PutObjectCommand({ Bucket: INVENTORY.bucket, Key: file.key, Body: file.body }));
    }
    const manifest = inventoryManifest({
      sourceBucket: SOURCE.bucket,
      destinationBucket: INVENTORY.bucket,
      columns: VERSION_COLUMNS,
      files,
    });
    await client.send(new PutObjectCommand({ Bucket: INVENTORY.bucket, Key: MANIFEST_KEY, Body: manifest }));
  }

  beforeAll(async () => {
    stack = await startTestStack({ auth: TEST_AUTH, s3: { minPartSizeBytes: PART_BYTES } });
    s3For = createS3ClientFactory({
      endpoint: stack.endpoint,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    await bucket(SOURCE.bucket, SOURCE.region, true);
    await bucket(SEOUL.bucket, SEOUL.region);
    await bucket(INVENTORY.bucket, SOURCE.region);
    await bucket(RESULTS.bucket, RESULTS.region);
    for (const key of KEYS) {
      const first = await put(key, `build ${key}`);
      if (OVERWRITTEN.includes(key)) {
        const second = await put(key, `build ${key}, rebuilt`);
        entries.push({ ...second, isLatest: true }, { ...first, isLatest: false });
        latest.set(key, second.versionId ?? '');
      } else if (key === DELETED) {
        const marker = await s3For(SOURCE.region).send(
          new DeleteObjectCommand({ Bucket: SOURCE.bucket, Key: key }),
        );
        expect(marker.DeleteMarker).toBe(true);
        entries.push(
          { key, versionId: marker.VersionId ?? '', isLatest: true, deleteMarker: true },
          { ...first, isLatest: false },
        );
      } else {
        entries.push({ ...first, isLatest: true });
        latest.set(key, first.versionId ?? '');
      }
    }
    for (const key of RELAYED) await relayToSeoul(key);
    await deliverReport();
  }, 120_000);

  afterAll(async () => {
    await stack?.dispose();
  });

  async function buildUntilDone(backfillId: string, request: Record<string, unknown>): Promise<WorkList[]> {
    const build = createBuildWorkListHandler({
      s3ClientFor: s3For,
      loadConfig: async () => CONFIG,
      resultsRegion: RESULTS.region,
      partBytes: PART_BYTES,
      pageSize: 7,
    });
    const state = {
      source: { bucket: SOURCE.bucket },
      inventory: `s3://${INVENTORY.bucket}/${MANIFEST_KEY}`,
      results: { bucket: RESULTS.bucket, prefix: RESULTS.prefix },
      ...request,
    };
    const answers: WorkList[] = [];
    let workList: WorkList | undefined;
    do {
      workList = await build(
        { state: workList === undefined ? state : { ...state, workList }, backfillId },
        { remainingTimeMs: () => 0 },
      );
      answers.push(workList);
      if (answers.length > 100) throw new Error('the work list was never done');
    } while (!workList.done);
    return answers;
  }

  async function readLines(key: string): Promise<WorkItem[]> {
    const answer = await s3For(RESULTS.region).send(
      new GetObjectCommand({ Bucket: RESULTS.bucket, Key: key }),
    );
    const text = (await answer.Body?.transformToString('utf8')) ?? '';
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => workItemSchema.parse(JSON.parse(line)));
  }

  it('queues the latest version of every key not in sync, its key decoded, across calls and files', async () => {
    // Arrange
    const expected = KEYS.filter((key) => key !== DELETED && !RELAYED.includes(key));

    // Act
    const answers = await buildUntilDone('from-inventory', {});

    // Assert
    const last = answers.at(-1)!;
    expect(answers.length).toBeGreaterThan(8);
    expect(new Set(answers.flatMap((a) => (a.cursor?.inventory ? [a.cursor.inventory.file] : [])))).toEqual(
      new Set([0, 1]),
    );
    expect(last).toMatchObject({
      done: true,
      items: expected.length,
      counts: { listed: KEYS.length - 1, inSync: RELAYED.length, queued: expected.length, tooOld: 0 },
    });
    const lines = await readLines(last.key);
    expect(lines).toEqual(
      expected.map((key) => ({ bucket: SOURCE.bucket, key, versionId: latest.get(key), deploy: false })),
    );
    // Each line is a relay request for the real object: ResolveTargets finds that very version.
    for (const key of ['builds/c++ runtime+extras.zip', 'builds/日本語/ビルド.zip', OVERWRITTEN[0]!]) {
      const line = lines.find((l) => l.key === key)!;
      const resolved = await createResolveTargetsHandler({
        s3ClientFor: s3For,
        loadConfig: async () => CONFIG,
      })(line);
      expect(resolved.source).toMatchObject({ key, versionId: latest.get(key) });
    }
  });

  it("narrows to the request's prefix, and nothing is left but the list", async () => {
    // Arrange / Act
    const answers = await buildUntilDone('prefix', {
      source: { bucket: SOURCE.bucket, prefix: 'builds/日本語/' },
    });

    // Assert
    expect(answers.at(-1)).toMatchObject({ done: true, items: 1, counts: { listed: 1, queued: 1 } });
    const listed = await s3For(RESULTS.region).send(
      new ListObjectsV2Command({ Bucket: RESULTS.bucket, Prefix: `${RESULTS.prefix}/prefix/` }),
    );
    expect((listed.Contents ?? []).map((o) => o.Key)).toEqual([`${RESULTS.prefix}/prefix/work-list.jsonl`]);
  });
});
