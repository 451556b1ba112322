/**
 * The `relay` CLI as a person runs it: spawned processes against `relay local` (itself a child
 * process) that deploys the relay from a test configuration, with waits and retry pauses scaled down.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { findAwsCliV2, runAwsCli } from '../../helpers/aws-cli.ts';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { parseJsonOutput, REGION, runCli, settledExecutionsOf, writeTestConfig } from './harness.ts';

const awsCli = findAwsCliV2();

describe('the relay CLI against relay local', () => {
  let dir: string;
  let stack: ChildStack;
  let configPath: string;
  let s3: S3Client;
  let s3Target: S3Client;
  let sfn: SFNClient;
  /** The flags that point a command at the child stack. */
  let at: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-cli-'));
    configPath = await writeTestConfig(dir);
    stack = await startChildStack(join(dir, 'data'), ['--config', configPath, '--time-scale', '0.001']);
    at = ['--endpoint-url', stack.endpoint, '--config', configPath];
    s3 = new S3Client({
      endpoint: stack.endpoint,
      region: REGION,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    s3Target = new S3Client({
      endpoint: stack.endpoint,
      region: 'ap-northeast-2',
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
    });
    sfn = new SFNClient({ endpoint: stack.endpoint, region: REGION, credentials: TEST_CREDENTIALS });
  });

  afterAll(async () => {
    s3?.destroy();
    s3Target?.destroy();
    sfn?.destroy();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const put = (key: string, body: string) =>
    s3.send(new PutObjectCommand({ Bucket: 'cli-src', Key: key, Body: body })).then((r) => r.VersionId ?? '');

  it('lists an execution after a relay, with its source object and targets', async () => {
    // Arrange
    await put('builds/web-1.zip', 'web build 1');
    const [execution] = await settledExecutionsOf(sfn, 'builds/web-1.zip');

    // Act
    const [json, text] = await Promise.all([
      runCli(['executions', ...at, '--json']),
      runCli(['executions', ...at]),
    ]);

    // Assert
    expect(json.code).toBe(0);
    const listed = parseJsonOutput<{ executions: Array<Record<string, unknown>> }>(json).executions;
    expect(listed).toContainEqual(
      expect.objectContaining({
        name: execution?.name,
        status: 'SUCCEEDED',
        source: expect.objectContaining({ bucket: 'cli-src', key: 'builds/web-1.zip' }),
        targets: expect.objectContaining({ total: 2, ok: 2, failed: 0 }),
      }),
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`${execution?.name}\\s+SUCCEEDED\\s+s3://cli-src/builds/web-1.zip\\s+2/2 ok`),
    );
  });

  it('shows the failed target and its error, and a redrive after the fix makes the execution succeed', async () => {
    // Arrange: the second target's bucket is gone, so its copy fails in both passes
    await s3Target.send(new DeleteBucketCommand({ Bucket: 'cli-flaky' }));
    await put('flaky/app.zip', 'app build');
    const [failed] = await settledExecutionsOf(sfn, 'flaky/app.zip');
    const name = failed?.name ?? '';
    const history = () =>
      runAwsCli(
        awsCli ?? '',
        stack.endpoint,
        ['stepfunctions', 'get-execution-history', '--execution-arn', failed?.executionArn ?? ''],
        REGION,
      );

    // Act
    const [shown, shownJson] = await Promise.all([
      runCli(['show', name, ...at]),
      runCli(['show', name, ...at, '--json']),
    ]);

    // Assert
    expect(failed?.status).toBe('FAILED');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(
      /Target 2 s3:\/\/cli-flaky\/ \(ap-northeast-2\)\s+FAILED\s+NoSuchTargetBucket: /,
    );
    expect(shown.stdout).toContain('Copy (retry)');
    const view = parseJsonOutput<{
      targets: Array<{ target: string; status: string; error: string | null }>;
    }>(shownJson);
    expect(view.targets.map((t) => [t.status, t.error])).toEqual([
      ['copied', null],
      ['failed', 'NoSuchTargetBucket'],
    ]);

    // Arrange: the fix — the bucket exists again
    await s3Target.send(
      new CreateBucketCommand({
        Bucket: 'cli-flaky',
        CreateBucketConfiguration: { LocationConstraint: 'ap-northeast-2' as BucketLocationConstraint },
      }),
    );
    await s3Target.send(
      new PutBucketVersioningCommand({ Bucket: 'cli-flaky', VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const redrivesBefore = awsCli ? ((await history()).stdout.match(/"ExecutionRedriven"/g)?.length ?? 0) : 0;

    // Act
    const redriven = await runCli(['redrive', name, ...at, '--wait']);

    // Assert
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toMatch(
      new RegExp(`REDRIVEN\\s+${name}\\s+s3://cli-src/flaky/app.zip\\s+now SUCCEEDED`),
    );
    const after = await sfn.send(new DescribeExecutionCommand({ executionArn: failed?.executionArn }));
    expect([after.status, after.redriveCount]).toEqual(['SUCCEEDED', 1]);
    if (awsCli) {
      // Debian's AWS CLI 2.9.19 predates redrive: its model has no `redriveCount`, so describe-execution
      // drops the field (the SDK assertion above checks it). The CLI does see the status and, in the
      // history, one more ExecutionRedriven event.
      const described = await runAwsCli(
        awsCli,
        stack.endpoint,
        ['stepfunctions', 'describe-execution', '--execution-arn', failed?.executionArn ?? ''],
        REGION,
      );
      const fromCli = JSON.parse(described.stdout) as { status: string; redriveCount?: number };
      expect(fromCli.status).toBe('SUCCEEDED');
      expect(fromCli.redriveCount ?? after.redriveCount).toBe(1);
      expect([redrivesBefore, (await history()).stdout.match(/"ExecutionRedriven"/g)?.length]).toEqual([
        0, 1,
      ]);
    }
  });

  it('replays each routed object once: a second replay starts nothing', async () => {
    // Arrange: two routed objects and one the rule's suffix leaves out
    await Promise.all([
      put('replay/once/one.zip', 'one'),
      put('replay/once/two.zip', 'two'),
      put('replay/once/notes.txt', 'notes'),
    ]);

    // Act
    const first = await runCli(['replay', 's3://cli-src/replay/once/', ...at, '--json']);
    const second = await runCli(['replay', 's3://cli-src/replay/once/', ...at, '--json']);

    // Assert
    type Report = {
      listed: number;
      routed: number;
      started: number;
      alreadyRelayed: number;
      items: Array<{ name: string }>;
    };
    const [a, b] = [parseJsonOutput<Report>(first), parseJsonOutput<Report>(second)];
    expect([first.code, a.listed, a.routed, a.started, a.alreadyRelayed]).toEqual([0, 3, 2, 2, 0]);
    expect([second.code, b.routed, b.started, b.alreadyRelayed]).toEqual([0, 2, 0, 2]);
    expect(b.items.map((i) => i.name)).toEqual(a.items.map((i) => i.name));
  });

  it('replays with at most --max-in-flight of its executions running at once', async () => {
    // Arrange: more routed objects than the cap, and more StartExecution calls at once than the cap
    const keys = Array.from({ length: 8 }, (_, n) => `replay/capped/build-${n}.zip`);
    await Promise.all(keys.map((key) => put(key, key)));

    // Act
    const result = await runCli([
      'replay',
      's3://cli-src/replay/capped/',
      ...at,
      '--max-in-flight',
      '2',
      '--concurrency',
      '8',
      '--json',
    ]);

    // Assert: from the executions' own start and stop dates, once they have all ended
    expect([result.code, result.stderr]).toEqual([0, '']);
    const report = parseJsonOutput<{ started: number; items: Array<{ executionArn: string }> }>(result);
    expect(report.started).toBe(keys.length);
    const runs = await vi.waitFor(
      async () => {
        const described = await Promise.all(
          report.items.map((item) =>
            sfn.send(new DescribeExecutionCommand({ executionArn: item.executionArn })),
          ),
        );
        if (described.some((d) => d.status === 'RUNNING')) throw new Error('still running');
        return described.map((d) => ({
          start: d.startDate?.getTime() ?? 0,
          stop: d.stopDate?.getTime() ?? 0,
        }));
      },
      { timeout: 30_000, interval: 50 },
    );
    const mostAtOnce = Math.max(
      ...runs.map(({ start }) => runs.filter((other) => other.start <= start && start < other.stop).length),
    );
    expect(mostAtOnce).toBeLessThanOrEqual(2);
  });

  it('reports a replica superseded by a newer version, and in sync for the current one', async () => {
    // Arrange: two versions, each relayed
    const v1 = await put('builds/status.zip', 'version one');
    await settledExecutionsOf(sfn, 'builds/status.zip', 1);
    await put('builds/status.zip', 'version two, longer');
    await settledExecutionsOf(sfn, 'builds/status.zip', 2);

    // Act
    const [old, current] = await Promise.all([
      runCli(['status', 's3://cli-src/builds/status.zip', '--version-id', v1, ...at, '--json']),
      runCli(['status', 's3://cli-src/builds/status.zip', ...at]),
    ]);

    // Assert
    type Report = { inSync: boolean; targets: Array<{ status: string; detail: string }> };
    const report = parseJsonOutput<Report>(old);
    expect([old.code, report.inSync]).toEqual([1, false]);
    expect(report.targets.map((t) => t.status)).toEqual(['superseded', 'superseded']);
    expect(current.code).toBe(0);
    expect(current.stdout).toMatch(
      /IN SYNC\s+s3:\/\/cli-ap\/releases\/status.zip\s+ap-northeast-2\s+checksum:/,
    );
    expect(current.stdout).toContain('All 2 targets in sync.');
  });

  it('says an execution that does not exist was not found', async () => {
    // Act
    const result = await runCli(['show', 'no-such-execution', ...at]);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^relay: execution not found: no execution named no-such-execution in .* — run `relay executions` to list them\n$/,
    );
  });
});

describe('the relay CLI on bad input', () => {
  it('exits 2 with a one-line message on bad arguments', async () => {
    // Act
    const results = await Promise.all([
      runCli(['executions', '--limit', 'zero']),
      runCli(['status', 'bucket/key']),
      runCli(['frobnicate']),
    ]);

    // Assert
    for (const result of results) {
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/^relay: [^\n]+\n$/);
    }
    expect(results.map((r) => r.stderr)).toEqual([
      expect.stringContaining("'zero' is not a whole number from 1 to 1000"),
      expect.stringContaining("'bucket/key' is not an S3 URL"),
      expect.stringContaining("unknown command 'frobnicate'"),
    ]);
  });

  it('refuses --max-in-flight with the backfill workflow, naming --concurrency, its cap there', async () => {
    // Act
    const results = await Promise.all([
      runCli(['replay', 's3://bucket/prefix/', '--distributed', '--max-in-flight', '50']),
      runCli(['replay', 's3://bucket/prefix/', '--max-in-flight', '-1']),
    ]);

    // Assert
    expect(results.map((r) => r.code)).toEqual([2, 2]);
    expect(results[0]?.stderr).toBe(
      'relay: --max-in-flight caps the per-object replay; with --distributed the backfill workflow runs at most --concurrency relay executions at once — use --concurrency instead\n',
    );
    expect(results[1]?.stderr).toContain("'-1' is not a whole number from 0 (no cap) to 1000000");
  });

  it('exits 1 with a one-line message when nothing listens on the endpoint', async () => {
    // Arrange: a port that was free a moment ago
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
      });
    });

    // Act
    const result = await runCli([
      'executions',
      '--endpoint-url',
      `http://127.0.0.1:${port}`,
      '--region',
      REGION,
    ]);

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `relay: nothing is listening on http://127.0.0.1:${port} — start it with \`npx relay local\` (or pass --endpoint-url with the right port)\n`,
    );
  });
});
