/**
 * The backfill end to end, as a person runs it, for its headline case — a region added to the configuration:
 * the builds already relayed to Frankfurt must reach Seoul too. `relay local` (a child process) deploys the
 * relay with its backfill; `relay replay --distributed --wait` lists the source, prints the estimate, starts the backfill
 * workflow — BuildWorkList, then a Distributed Map of relay executions — follows it and counts the
 * results; a second backfill finds every replica in sync and starts no relay execution; `relay backfill
 * status` reads a finished backfill again.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { parseJsonOutput, REGION, runCli, STATE_MACHINE_ARN } from './harness.ts';

const OBJECTS = 120;

/** The configuration before Seoul was added: builds/*.zip go to Frankfurt. */
function config(targets: ReadonlyArray<{ bucket: string; region: string }>) {
  return {
    sources: [
      {
        bucket: 'bf-src',
        region: REGION,
        rules: [{ name: 'zips', prefix: 'builds/', suffix: '.zip', targets }],
      },
    ],
  };
}

const FRANKFURT = { bucket: 'bf-eu', region: 'eu-central-1' };
const SEOUL = { bucket: 'bf-ap', region: 'ap-northeast-2' };

interface DistributedJson {
  readonly mode: string;
  readonly estimate: { readonly objects: number; readonly targets: number; readonly transitions: number };
  readonly backfill: {
    readonly name: string;
    readonly status: string;
    readonly workList?: { readonly items: number; readonly counts: Record<string, number> };
    readonly tally?: { readonly objects: Record<string, number>; readonly targets: Record<string, number> };
  };
}

describe('relay replay --distributed against relay local', () => {
  let dir: string;
  let stack: ChildStack;
  let s3: S3Client;
  let sfn: SFNClient;
  let at: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-backfill-'));
    const client = { credentials: TEST_CREDENTIALS };
    // Before: the relay sends builds to Frankfurt only, and relays every upload as it lands.
    const before = join(dir, 'before.json');
    await writeFile(before, JSON.stringify(config([FRANKFURT]), null, 2));
    const first = await startChildStack(join(dir, 'data'), ['--config', before, '--time-scale', '0.001']);
    const s3Before = new S3Client({
      ...client,
      endpoint: first.endpoint,
      region: REGION,
      forcePathStyle: true,
    });
    const sfnBefore = new SFNClient({ ...client, endpoint: first.endpoint, region: REGION });
    const keys = [
      ...Array.from({ length: OBJECTS }, (_, i) => `builds/app-${String(i).padStart(3, '0')}.zip`),
      'builds/notes.txt',
    ];
    for (let i = 0; i < keys.length; i += 20) {
      await Promise.all(
        keys
          .slice(i, i + 20)
          .map((key) =>
            s3Before.send(new PutObjectCommand({ Bucket: 'bf-src', Key: key, Body: `bytes of ${key}` })),
          ),
      );
    }
    await vi.waitFor(
      async () => {
        const listed = await sfnBefore.send(
          new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 1000 }),
        );
        const all = listed.executions ?? [];
        if (all.length < OBJECTS || all.some((e) => e.status === 'RUNNING'))
          throw new Error(`${all.length} executions`);
      },
      { timeout: 120_000, interval: 200 },
    );
    s3Before.destroy();
    sfnBefore.destroy();
    await first.stop();
    // After: Seoul is added; the same data directory, so the buckets and executions are still there.
    const configPath = join(dir, 'relay.config.json');
    await writeFile(configPath, JSON.stringify(config([FRANKFURT, SEOUL]), null, 2));
    stack = await startChildStack(join(dir, 'data'), ['--config', configPath, '--time-scale', '0.001']);
    at = ['--endpoint-url', stack.endpoint, '--config', configPath];
    s3 = new S3Client({ ...client, endpoint: stack.endpoint, region: REGION, forcePathStyle: true });
    sfn = new SFNClient({ ...client, endpoint: stack.endpoint, region: REGION });
  }, 240_000);

  afterAll(async () => {
    s3?.destroy();
    sfn?.destroy();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  async function relayExecutions(): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, maxResults: 1000, nextToken }),
      );
      count += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return count;
  }

  it('relays every build to the new region on the Distributed Map, then finds them all in sync the second time', async () => {
    // Arrange
    const before = await relayExecutions();

    // Act
    const first = await runCli(['replay', 's3://bf-src/builds/', '--distributed', '--wait', '--json', ...at]);
    const afterFirst = await relayExecutions();
    const second = await runCli([
      'replay',
      's3://bf-src/builds/',
      '--distributed',
      '--wait',
      '--json',
      ...at,
    ]);
    const afterSecond = await relayExecutions();
    const firstJson = parseJsonOutput<DistributedJson>(first);
    const status = await runCli(['backfill', 'status', firstJson.backfill.name, ...at]);

    // Assert: the estimate, and a work list of every build (Frankfurt in sync, Seoul missing)
    expect(first.code, first.stderr).toBe(0);
    expect(firstJson.mode).toBe('distributed');
    expect(firstJson.estimate).toMatchObject({
      objects: OBJECTS,
      targets: 2,
      transitions: OBJECTS * (1 + 4 + 6) + 4,
    });
    expect(firstJson.backfill.status).toBe('SUCCEEDED');
    expect(firstJson.backfill.workList?.counts).toMatchObject({
      listed: OBJECTS + 1,
      noTarget: 1,
      inSync: 0,
      queued: OBJECTS,
    });
    // Assert: one relay execution per build, each copying to Seoul only
    expect(afterFirst - before).toBe(OBJECTS);
    expect(firstJson.backfill.tally).toMatchObject({
      objects: { succeeded: OBJECTS, failed: 0, pending: 0 },
      targets: { copied: OBJECTS },
    });
    const seoul = new S3Client({
      credentials: TEST_CREDENTIALS,
      endpoint: stack.endpoint,
      region: SEOUL.region,
      forcePathStyle: true,
    });
    for (const key of ['builds/app-000.zip', `builds/app-${String(OBJECTS - 1).padStart(3, '0')}.zip`]) {
      const head = await seoul.send(new HeadObjectCommand({ Bucket: SEOUL.bucket, Key: key }));
      expect(head.ContentLength).toBe(`bytes of ${key}`.length);
    }
    seoul.destroy();
    // Assert: the second backfill found everything in sync and started no relay execution
    expect(second.code, second.stderr).toBe(0);
    const secondJson = parseJsonOutput<DistributedJson>(second);
    expect(secondJson.backfill.status).toBe('SUCCEEDED');
    expect(secondJson.backfill.workList?.counts).toMatchObject({ inSync: OBJECTS, queued: 0 });
    expect(afterSecond).toBe(afterFirst);
    // Assert: status reads the finished backfill again, with its results manifest
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/Backfill backfill-\S+ {2}SUCCEEDED/);
    expect(status.stdout).toMatch(/manifest s3:\/\/artifact-relay-backfill-000000000000\/backfills\//);
  }, 300_000);
});
