import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type WorkItem, type WorkList, workItemSchema, workListKey } from '../../../core/backfill.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import type { CopyResult, ResolveTargetsOutput } from '../../../core/workflow.ts';
import { createBuildWorkListHandler } from '../../../functions/build-work-list/index.ts';
import { createCopyObjectHandler } from '../../../functions/copy-object/index.ts';
import { createResolveTargetsHandler } from '../../../functions/resolve-targets/index.ts';
import { createS3ClientFactory } from '../../../functions/shared/clients.ts';
import { startTestStack, TEST_AUTH, TEST_CREDENTIALS, type TestStack } from '../../helpers/local-stack.ts';

/**
 * BuildWorkList on the local stack through real SDK clients: a versioned source of a few hundred objects
 * (a rule takes the `.zip` builds only), one target already holding the relay's own replicas of some of
 * them (made by the relay's ResolveTargets and Copy), the list written across many calls in parts the
 * local S3 holds to its (lowered) smallest part size, then read back line by line.
 */

const SOURCE = { bucket: 'build-artifacts-oregon', region: 'us-west-2' };
const SEOUL = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };
const FRANKFURT = { bucket: 'artifacts-frankfurt', region: 'eu-central-1' };
const RESULTS = { bucket: 'relay-backfills', region: 'us-east-1', prefix: 'backfills' };
const PART_BYTES = 4096;
const BUILDS = Array.from({ length: 240 }, (_, i) => `builds/web-${String(i).padStart(3, '0')}.zip`);
const NOTES = Array.from({ length: 60 }, (_, i) => `builds/notes-${String(i).padStart(3, '0')}.txt`);
/** Builds the relay has already copied to Seoul: web-000 … web-079. */
const RELAYED = BUILDS.slice(0, 80);

const CONFIG = parseConfig(
  {
    sources: [
      {
        ...SOURCE,
        rules: [
          {
            name: 'builds',
            prefix: 'builds/',
            suffix: '.zip',
            targets: [SEOUL, { ...FRANKFURT, keyPrefix: 'releases/' }],
          },
        ],
      },
    ],
  },
  'test',
);

describe('BuildWorkList on the local stack', () => {
  let stack: TestStack;
  /** Clients signing as the account administrator, for the test and the functions alike. */
  let s3For: (region: string) => S3Client;
  /** The current version id of every source key. */
  const versions = new Map<string, string>();

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

  /** Relays `key` to Seoul with the relay's own ResolveTargets and Copy. */
  async function relayToSeoul(key: string): Promise<void> {
    const resolved: ResolveTargetsOutput = await createResolveTargetsHandler({
      s3ClientFor: s3For,
      loadConfig: async () => CONFIG,
    })({ bucket: SOURCE.bucket, key });
    const target = resolved.targets.find((t) => t.bucket === SEOUL.bucket);
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

  beforeAll(async () => {
    stack = await startTestStack({ auth: TEST_AUTH, s3: { minPartSizeBytes: PART_BYTES } });
    s3For = createS3ClientFactory({
      endpoint: stack.endpoint,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    await bucket(SOURCE.bucket, SOURCE.region, true);
    await bucket(SEOUL.bucket, SEOUL.region);
    await bucket(FRANKFURT.bucket, FRANKFURT.region);
    await bucket(RESULTS.bucket, RESULTS.region);
    const keys = [...BUILDS, ...NOTES];
    for (let i = 0; i < keys.length; i += 20) {
      await Promise.all(
        keys.slice(i, i + 20).map(async (key) => {
          const put = await s3For(SOURCE.region).send(
            new PutObjectCommand({ Bucket: SOURCE.bucket, Key: key, Body: `build ${key}` }),
          );
          versions.set(key, put.VersionId ?? '');
        }),
      );
    }
    for (const key of RELAYED) await relayToSeoul(key);
  }, 120_000);

  afterAll(async () => {
    await stack?.dispose();
  });

  /** Calls BuildWorkList until done, one listing page of 25 keys a call; every answer in order. */
  async function buildUntilDone(backfillId: string, request: Record<string, unknown>): Promise<WorkList[]> {
    const build = createBuildWorkListHandler({
      s3ClientFor: s3For,
      loadConfig: async () => CONFIG,
      resultsRegion: RESULTS.region,
      partBytes: PART_BYTES,
      pageSize: 25,
    });
    const state = {
      source: { bucket: SOURCE.bucket, prefix: 'builds/' },
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

  async function resultKeys(): Promise<string[]> {
    const listed = await s3For(RESULTS.region).send(new ListObjectsV2Command({ Bucket: RESULTS.bucket }));
    return (listed.Contents ?? []).map((object) => object.Key ?? '');
  }

  it('queues, for a new target, only the builds not already relayed there, pinned by version', async () => {
    // Arrange / Act
    const answers = await buildUntilDone('to-seoul', { targets: [SEOUL.bucket] });

    // Assert
    const last = answers.at(-1)!;
    expect(answers.length).toBeGreaterThan(10);
    expect(last).toMatchObject({
      done: true,
      items: 160,
      counts: { listed: 300, tooOld: 0, noTarget: 60, inSync: 80, queued: 160 },
    });
    const lines = await readLines(last.key);
    expect(lines).toEqual(
      BUILDS.slice(80).map((key) => ({
        bucket: SOURCE.bucket,
        key,
        versionId: versions.get(key),
        targets: ['artifacts-seoul@ap-northeast-2'],
        deploy: false,
      })),
    );
    expect(last.counts.queuedBytes).toBe(
      BUILDS.slice(80).reduce((sum, key) => sum + `build ${key}`.length, 0),
    );
  });

  it('names, for every target, only those not in sync, writing the list in several parts', async () => {
    // Arrange / Act
    const answers = await buildUntilDone('everywhere', {});

    // Assert
    const last = answers.at(-1)!;
    expect(last).toMatchObject({ items: 240, counts: { listed: 300, noTarget: 60, inSync: 0, queued: 240 } });
    expect(Math.max(...answers.map((a) => a.cursor?.parts.length ?? 0))).toBeGreaterThan(3);
    const lines = await readLines(workListKey({ results: RESULTS }, 'everywhere'));
    expect(lines).toEqual(
      BUILDS.map((key) => ({
        bucket: SOURCE.bucket,
        key,
        versionId: versions.get(key),
        ...(RELAYED.includes(key) ? { targets: ['artifacts-frankfurt@eu-central-1'] } : {}),
        deploy: false,
      })),
    );
    // A line is a relay request the relay's own ResolveTargets takes as it is.
    const resolved = await createResolveTargetsHandler({
      s3ClientFor: s3For,
      loadConfig: async () => CONFIG,
    })(lines[0]);
    expect(resolved.targets.map((t) => t.bucket)).toEqual([FRANKFURT.bucket]);
    expect(resolved.source?.versionId).toBe(versions.get(BUILDS[0]!));
  });

  it('writes nothing when every object is in sync, and leaves no upload or chunk behind', async () => {
    // Arrange / Act: web-000 … web-009, all relayed to Seoul already.
    const answers = await buildUntilDone('nothing', {
      source: { bucket: SOURCE.bucket, prefix: 'builds/web-00' },
      targets: [`${SEOUL.bucket}@${SEOUL.region}`],
    });

    // Assert
    expect(answers.at(-1)).toMatchObject({
      done: true,
      items: 0,
      counts: { listed: 10, inSync: 10, queued: 0 },
    });
    const uploads = await s3For(RESULTS.region).send(
      new ListMultipartUploadsCommand({ Bucket: RESULTS.bucket }),
    );
    expect(uploads.Uploads ?? []).toEqual([]);
    expect((await resultKeys()).filter((key) => key.includes('/nothing/'))).toEqual([]);
    expect((await resultKeys()).filter((key) => key.includes('.chunk-'))).toEqual([]);
  });
});
