/**
 * The backfill (issue #15) with the real relay on the local stack: a source of a few thousand objects
 * that a rule filters, one target that denies some writes (an S3 fault), the Distributed Map's tolerated
 * share, the results files naming the failures, and a redrive of a failed backfill that relays only the
 * objects that had not succeeded — every object relayed by an ordinary relay execution.
 */
import { GetObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeMapRunCommand,
  type DescribeMapRunCommandOutput,
  ListExecutionsCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkList } from '../../../core/backfill.ts';
import { type DeployedBackfill, deployBackfill } from '../../../local/backfill.ts';
import { type Relay, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

const SOURCE_REGION = 'us-west-2';
const FRANKFURT = 'eu-central-1';
const SEOUL = 'ap-northeast-2';

interface Setup {
  readonly source: string;
  readonly frankfurt: string;
  readonly seoul: string;
  readonly relay: Relay;
  readonly backfill: DeployedBackfill;
}

interface ResultEntry {
  readonly Input?: string;
  readonly Error?: string;
}

interface Manifest {
  readonly ResultFiles: Readonly<Record<'SUCCEEDED' | 'FAILED' | 'PENDING', ReadonlyArray<{ Key: string }>>>;
}

const zip = (i: number): string => `builds/app-${String(i).padStart(3, '0')}.zip`;

describe('a backfill with the real relay (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    h?.stack.faults.clear();
    await h?.dispose();
  });

  /**
   * A versioned source holding `keys` — put before the relay is deployed, so no event relays them — and a
   * relay sending `builds/*.zip` to Frankfurt and Seoul, with its backfill beside it.
   */
  async function arrange(prefix: string, keys: readonly string[]): Promise<Setup> {
    const source = h.name(`${prefix}-src`);
    const frankfurt = h.name(`${prefix}-eu`);
    const seoul = h.name(`${prefix}-ap`);
    const results = h.name(`${prefix}-results`);
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(frankfurt, FRANKFURT);
    await h.bucket(seoul, SEOUL);
    await h.bucket(results, SOURCE_REGION, { versioned: false });
    for (let i = 0; i < keys.length; i += 100) {
      await Promise.all(
        keys
          .slice(i, i + 100)
          .map((key) => h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: `bytes of ${key}` })),
      );
    }
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'zips',
              prefix: 'builds/',
              suffix: '.zip',
              targets: [
                { bucket: frankfurt, region: FRANKFURT },
                { bucket: seoul, region: SEOUL },
              ],
            },
          ],
        },
      ],
    });
    const relayName = relay.deployed.stateMachineArn.split(':').at(-1) ?? '';
    const backfill = await deployBackfill(h.stack, {
      config: relay.config,
      relay: relay.deployed,
      relayName,
      resultsBucket: results,
    });
    return { source, frankfurt, seoul, relay, backfill };
  }

  async function runBackfill(setup: Setup, request: object): Promise<DescribeExecutionCommandOutput> {
    const sfn = h.sfn(SOURCE_REGION);
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: setup.backfill.stateMachineArn,
        input: JSON.stringify(request),
      }),
    );
    return ended(started.executionArn ?? '');
  }

  async function ended(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    await h.stack.stepFunctions.waitForExecution(executionArn);
    return h.sfn(SOURCE_REGION).send(new DescribeExecutionCommand({ executionArn }));
  }

  async function mapRunOf(executionArn: string): Promise<DescribeMapRunCommandOutput> {
    const sfn = h.sfn(SOURCE_REGION);
    const [run] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns ?? [];
    return sfn.send(new DescribeMapRunCommand({ mapRunArn: run?.mapRunArn ?? 'no map run' }));
  }

  async function relayExecutions(setup: Setup): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await h.sfn(SOURCE_REGION).send(
        new ListExecutionsCommand({
          stateMachineArn: setup.relay.deployed.stateMachineArn,
          maxResults: 1000,
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
      count += page.executions?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken !== undefined);
    return count;
  }

  async function readJson<T>(bucket: string, key: string): Promise<T> {
    const object = await h.s3(SOURCE_REGION).send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return JSON.parse((await object.Body?.transformToString()) ?? 'null') as T;
  }

  /** The keys the map run's FAILED result files name (each entry's input is the work-list line). */
  async function failedKeys(execution: DescribeExecutionCommandOutput): Promise<string[]> {
    const details = (
      JSON.parse(execution.output ?? '{}') as {
        relayed?: { ResultWriterDetails?: { Bucket: string; Key: string } };
      }
    ).relayed?.ResultWriterDetails;
    if (details === undefined) throw new Error('the backfill wrote no results');
    const manifest = await readJson<Manifest>(details.Bucket, details.Key);
    const keys: string[] = [];
    for (const file of manifest.ResultFiles.FAILED) {
      for (const entry of await readJson<ResultEntry[]>(details.Bucket, file.Key)) {
        keys.push((JSON.parse(entry.Input ?? '{}') as { request: { key: string } }).request.key);
      }
    }
    return keys.toSorted();
  }

  async function replicas(region: string, bucket: string, keys: readonly string[]): Promise<number> {
    let present = 0;
    for (const key of keys) {
      const found = await h.head(region, bucket, key).then(
        () => true,
        () => false,
      );
      if (found) present += 1;
    }
    return present;
  }

  it('relays the 200 builds a rule admits out of 2,000 objects, tolerates 5% failing at a denying target, and names them in the results', async () => {
    // Arrange: 200 zips under builds/, 1,800 objects no rule sends anywhere; Seoul denies copies of app-010…019
    const zips = Array.from({ length: 200 }, (_, i) => zip(i));
    const others = [
      ...Array.from({ length: 1000 }, (_, i) => `builds/app-${String(i).padStart(4, '0')}.txt`),
      ...Array.from({ length: 800 }, (_, i) => `logs/run-${String(i).padStart(3, '0')}.zip`),
    ];
    const setup = await arrange('tolerate', [...zips, ...others]);
    const fault = h.stack.faults.add({
      kind: 'access-denied',
      bucket: setup.seoul,
      prefix: 'builds/app-01',
      operations: ['CopyObject'],
    });
    const denied = zips.filter((key) => key.startsWith('builds/app-01'));

    // Act
    const first = await runBackfill(setup, {
      source: { bucket: setup.source },
      toleratedFailurePercentage: 10,
    });
    const afterFirst = await relayExecutions(setup);
    const firstRun = await mapRunOf(first.executionArn ?? '');
    const failed = await failedKeys(first);
    const seoulAfterFirst = await replicas(SEOUL, setup.seoul, zips);
    const frankfurtAfterFirst = await replicas(FRANKFURT, setup.frankfurt, zips);
    h.stack.faults.remove(fault);
    const second = await runBackfill(setup, {
      source: { bucket: setup.source },
      targets: [setup.seoul],
    });
    const afterSecond = await relayExecutions(setup);

    // Assert: the rule filtered the listing, and one relay execution ran per admitted build
    expect(first.status, first.cause).toBe('SUCCEEDED');
    const workList = (JSON.parse(first.output ?? '{}') as { workList: WorkList }).workList;
    expect(workList.counts).toMatchObject({ listed: 2000, noTarget: 1800, inSync: 0, queued: 200 });
    expect(afterFirst).toBe(200);
    // Assert: 10 of 200 failed (5% ≤ 10% tolerated), and the FAILED results file names exactly them
    expect(firstRun.itemCounts).toMatchObject({ total: 200, succeeded: 190, failed: 10 });
    expect(failed).toEqual(denied);
    expect(frankfurtAfterFirst).toBe(200);
    expect(seoulAfterFirst).toBe(190);
    // Assert: with the fault lifted, a backfill to Seoul alone queues only the ten and relays them
    expect(second.status, second.cause).toBe('SUCCEEDED');
    const secondList = (JSON.parse(second.output ?? '{}') as { workList: WorkList }).workList;
    expect(secondList.counts).toMatchObject({ inSync: 190, queued: 10 });
    expect(afterSecond - afterFirst).toBe(10);
    expect(await replicas(SEOUL, setup.seoul, zips)).toBe(200);
  }, 180_000);

  it('fails past the tolerated share, and a redrive of the backfill relays only the objects that had not succeeded', async () => {
    // Arrange: 40 builds; Seoul denies copies of app-000…009 (25%); no failure is tolerated
    const zips = Array.from({ length: 40 }, (_, i) => zip(i));
    const setup = await arrange('redrive', zips);
    const fault = h.stack.faults.add({
      kind: 'access-denied',
      bucket: setup.seoul,
      prefix: 'builds/app-00',
      operations: ['CopyObject'],
    });

    // Act
    const failed = await runBackfill(setup, { source: { bucket: setup.source, prefix: 'builds/' } });
    const before = await mapRunOf(failed.executionArn ?? '');
    const relayedBefore = await relayExecutions(setup);
    h.stack.faults.remove(fault);
    await h.sfn(SOURCE_REGION).send(new RedriveExecutionCommand({ executionArn: failed.executionArn }));
    const redriven = await ended(failed.executionArn ?? '');
    const after = await mapRunOf(failed.executionArn ?? '');
    const relayedAfter = await relayExecutions(setup);

    // Assert: the map run failed on the tolerated share, some objects not relayed
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.ExceedToleratedFailureThreshold');
    const succeededBefore = before.itemCounts?.succeeded ?? 0;
    expect(before.itemCounts?.failed).toBeGreaterThan(0);
    expect(succeededBefore).toBeLessThan(40);
    // Assert: the redrive started one relay execution per object that had not succeeded — none for the others
    expect(redriven.status, redriven.cause).toBe('SUCCEEDED');
    expect(relayedAfter - relayedBefore).toBe(40 - succeededBefore);
    expect(after.itemCounts).toMatchObject({ total: 40, succeeded: 40, failed: 0 });
    expect(await replicas(SEOUL, setup.seoul, zips)).toBe(40);
    expect(await replicas(FRANKFURT, setup.frankfurt, zips)).toBe(40);
  }, 120_000);
});
