/**
 * A backfill interrupted by a crash of `relay local` (kill -9, mid map run) continues when the stack starts
 * again on the same data directory, like a Standard workflow on AWS: every object ends up at both targets,
 * none is copied twice (one replica version per key), and `relay backfill status` reports the finished run.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectVersionsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { parseJsonOutput, REGION, runCli } from '../cli/harness.ts';

const OBJECTS = 300;
const FRANKFURT = { bucket: 'rs-eu', region: 'eu-central-1' };
const SEOUL = { bucket: 'rs-ap', region: 'ap-northeast-2' };

/** The configuration: `prefix` decides which uploads the relay takes as they land. */
function config(prefix: string) {
  return {
    sources: [
      {
        bucket: 'rs-src',
        region: REGION,
        rules: [{ name: 'zips', prefix, suffix: '.zip', targets: [FRANKFURT, SEOUL] }],
      },
    ],
  };
}

const key = (i: number): string => `builds/app-${String(i).padStart(3, '0')}.zip`;

describe('a backfill interrupted by a crash of relay local', () => {
  let dir: string;
  let configPath: string;
  let stack: ChildStack | undefined;

  const client = (endpoint: string) => ({ credentials: TEST_CREDENTIALS, endpoint, forcePathStyle: true });
  const start = () => startChildStack(join(dir, 'data'), ['--config', configPath, '--time-scale', '0.001']);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-backfill-resume-'));
    // Seeded while the rule takes nothing under builds/, so no upload is relayed as it lands.
    const seeding = join(dir, 'seeding.json');
    await writeFile(seeding, JSON.stringify(config('elsewhere/'), null, 2));
    const first = await startChildStack(join(dir, 'data'), ['--config', seeding]);
    const s3 = new S3Client({ ...client(first.endpoint), region: REGION });
    for (let i = 0; i < OBJECTS; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, OBJECTS - i) }, (_, j) =>
          s3.send(
            new PutObjectCommand({ Bucket: 'rs-src', Key: key(i + j), Body: `bytes of ${key(i + j)}` }),
          ),
        ),
      );
    }
    s3.destroy();
    await first.stop();
    configPath = join(dir, 'relay.config.json');
    await writeFile(configPath, JSON.stringify(config('builds/'), null, 2));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('continues after kill -9 and relays every object exactly once', async () => {
    // Arrange: the backfill runs with a few relays at once, so the crash lands mid map run
    stack = await start();
    const started = await runCli([
      'replay',
      's3://rs-src/builds/',
      '--distributed',
      '--concurrency',
      '4',
      '--json',
      '--endpoint-url',
      stack.endpoint,
      '--config',
      configPath,
    ]);
    expect(started.code, started.stderr).toBe(0);
    const backfill = parseJsonOutput<{ backfill: { executionArn: string; name: string } }>(started).backfill;
    let sfn = new SFNClient({ ...client(stack.endpoint), region: REGION });
    const doneBeforeCrash = await vi.waitFor(
      async () => {
        const [run] =
          (await sfn.send(new ListMapRunsCommand({ executionArn: backfill.executionArn }))).mapRuns ?? [];
        if (run?.mapRunArn === undefined) throw new Error('no map run yet');
        const described = await sfn.send(new DescribeMapRunCommand({ mapRunArn: run.mapRunArn }));
        const succeeded = described.itemCounts?.succeeded ?? 0;
        if (succeeded < 20) throw new Error(`${succeeded} items done`);
        return succeeded;
      },
      { timeout: 60_000, interval: 20 },
    );
    sfn.destroy();

    // Act: the stack dies mid run, and starts again on the same data directory
    await stack.kill();
    stack = await start();
    sfn = new SFNClient({ ...client(stack.endpoint), region: REGION });
    const ended = await vi.waitFor(
      async () => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: backfill.executionArn }));
        if (d.status === 'RUNNING') throw new Error('still running');
        return d;
      },
      { timeout: 120_000, interval: 100 },
    );
    const [run] =
      (await sfn.send(new ListMapRunsCommand({ executionArn: backfill.executionArn }))).mapRuns ?? [];
    const mapRun = await sfn.send(new DescribeMapRunCommand({ mapRunArn: run?.mapRunArn ?? '' }));
    sfn.destroy();
    const status = await runCli([
      'backfill',
      'status',
      backfill.name,
      '--json',
      '--endpoint-url',
      stack.endpoint,
      '--config',
      configPath,
    ]);
    const versionsPerKey = new Map<string, number>();
    for (const target of [FRANKFURT, SEOUL]) {
      const s3 = new S3Client({ ...client(stack.endpoint), region: target.region });
      let keyMarker: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectVersionsCommand({
            Bucket: target.bucket,
            ...(keyMarker === undefined ? {} : { KeyMarker: keyMarker }),
          }),
        );
        for (const version of page.Versions ?? []) {
          const id = `${target.bucket}/${version.Key}`;
          versionsPerKey.set(id, (versionsPerKey.get(id) ?? 0) + 1);
        }
        keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
      } while (keyMarker !== undefined);
      s3.destroy();
    }

    // Assert: the crash came mid run, and the backfill finished after the restart
    expect(doneBeforeCrash).toBeLessThan(OBJECTS);
    expect(ended.status, ended.cause).toBe('SUCCEEDED');
    expect(mapRun.itemCounts).toMatchObject({ total: OBJECTS, succeeded: OBJECTS, failed: 0 });
    // Assert: every object at both targets, each copied once
    expect(versionsPerKey.size).toBe(OBJECTS * 2);
    expect([...versionsPerKey.values()].every((n) => n === 1)).toBe(true);
    // Assert: relay backfill status reads the resumed backfill's results
    expect(status.code, status.stderr).toBe(0);
    const tally = parseJsonOutput<{ tally: { objects: Record<string, number> } }>(status).tally;
    expect(tally.objects).toMatchObject({ succeeded: OBJECTS, failed: 0, pending: 0 });
  }, 300_000);
});
