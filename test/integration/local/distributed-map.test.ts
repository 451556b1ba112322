/**
 * A Distributed Map on the local stack through the real SDK clients: items read from the local S3 (a
 * listing, a JSONL manifest), children run as executions, failures tolerated or not, results written back
 * to the local S3, map runs described and listed, and a redrive that runs the failed items only. The stack
 * verifies signatures, so the engine's own S3 access is signed with a key pair the stack knows.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, TEST_AUTH, type TestStack } from '../../helpers/local-stack.ts';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/backfill`;
const RELAY = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:backfill-relay`;
const DISTRIBUTED = { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' };

let stack: TestStack;
let s3: S3Client;
let sfn: SFNClient;
/** Keys that fail while listed here. */
const failing = new Set<string>();
/** How often each key was relayed. */
const relayed = new Map<string, number>();

beforeAll(async () => {
  stack = await startTestStack({ timeScale: 0.000001, auth: TEST_AUTH });
  s3 = stack.s3Client(REGION);
  sfn = stack.sfnClient(REGION);
  stack.stepFunctions.registerTaskHandler(RELAY, async (input) => {
    const { key } = input as { key: string };
    relayed.set(key, (relayed.get(key) ?? 0) + 1);
    if (failing.has(key)) {
      const error = new Error(`artifacts-seoul denies PutObject of ${key}`);
      error.name = 'AccessDenied';
      throw error;
    }
    return { key, status: 'copied' };
  });
  for (const bucket of ['artifacts-source', 'backfill-work']) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  for (let i = 0; i < 30; i += 1) {
    const key = `builds/app-${String(i).padStart(2, '0')}.zip`;
    await s3.send(new PutObjectCommand({ Bucket: 'artifacts-source', Key: key, Body: `artifact ${i}` }));
  }
});
afterAll(async () => {
  await stack.dispose();
});

async function createMachine(name: string, map: Record<string, unknown>): Promise<string> {
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name,
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: 'Backfill',
        States: {
          Backfill: {
            Type: 'Map',
            ItemProcessor: {
              ProcessorConfig: DISTRIBUTED,
              StartAt: 'Relay',
              States: { Relay: { Type: 'Task', Resource: RELAY, End: true } },
            },
            ResultWriter: {
              Resource: 'arn:aws:states:::s3:putObject',
              Parameters: { Bucket: 'backfill-work', Prefix: `results/${name}` },
            },
            ...map,
            End: true,
          },
        },
      }),
    }),
  );
  return created.stateMachineArn!;
}

async function finished(executionArn: string) {
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.status !== 'RUNNING') return described;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function json<T>(bucket: string, key: string): Promise<T> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return JSON.parse(await object.Body!.transformToString()) as T;
}

interface Manifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', Array<{ Key: string; Size: number }>>;
}

describe('Distributed Map on the local stack', () => {
  it('relays every listed object, tolerates failures within the share, and writes the results to S3', async () => {
    // Arrange
    failing.clear();
    failing.add('builds/app-03.zip').add('builds/app-17.zip');
    const stateMachineArn = await createMachine('backfill-listing', {
      ItemReader: {
        Resource: 'arn:aws:states:::s3:listObjectsV2',
        Parameters: { 'Bucket.$': '$.bucket', 'Prefix.$': '$.prefix' },
      },
      ItemSelector: { 'key.$': '$$.Map.Item.Value.Key', 'etag.$': '$$.Map.Item.Value.Etag' },
      ToleratedFailurePercentage: 10,
      MaxConcurrency: 5,
      Label: 'Backfill',
    });

    // Act
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn,
        input: JSON.stringify({ bucket: 'artifacts-source', prefix: 'builds/' }),
      }),
    );
    const done = await finished(executionArn!);
    const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn }));
    const mapRunArn = mapRuns![0]!.mapRunArn!;
    const mapRun = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    const children = await sfn.send(new ListExecutionsCommand({ mapRunArn, maxResults: 100 }));
    const failedChildren = await sfn.send(new ListExecutionsCommand({ mapRunArn, statusFilter: 'FAILED' }));
    const output = JSON.parse(done.output ?? '{}') as {
      MapRunArn: string;
      ResultWriterDetails: { Bucket: string; Key: string };
    };
    const manifest = await json<Manifest>(output.ResultWriterDetails.Bucket, output.ResultWriterDetails.Key);
    const failedResults = await json<Array<{ Input: string; Error: string }>>(
      'backfill-work',
      manifest.ResultFiles.FAILED[0]!.Key,
    );
    const succeededResults = await json<unknown[]>('backfill-work', manifest.ResultFiles.SUCCEEDED[0]!.Key);
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(output.MapRunArn).toBe(mapRunArn);
    expect(mapRunArn).toMatch(/:mapRun:backfill-listing\/Backfill:[0-9a-f-]{36}$/);
    expect(output.ResultWriterDetails.Key).toBe(
      `results/backfill-listing/${mapRunArn.split(':').at(-1)}/manifest.json`,
    );
    expect(mapRun).toMatchObject({
      status: 'SUCCEEDED',
      maxConcurrency: 5,
      toleratedFailurePercentage: 10,
      itemCounts: { total: 30, succeeded: 28, failed: 2 },
      executionCounts: { total: 30, succeeded: 28, failed: 2 },
    });
    expect(children.executions).toHaveLength(30);
    expect(children.executions![0]).toMatchObject({ mapRunArn, itemCount: 1 });
    expect(children.executions![0]!.executionArn).toContain(':execution:backfill-listing/Backfill:');
    expect(failedChildren.executions).toHaveLength(2);
    expect(manifest.DestinationBucket).toBe('backfill-work');
    expect(failedResults.map((r) => JSON.parse(r.Input).key).sort()).toEqual([
      'builds/app-03.zip',
      'builds/app-17.zip',
    ]);
    expect(failedResults.every((r) => r.Error === 'AccessDenied')).toBe(true);
    expect(succeededResults).toHaveLength(28);
    expect(history.events!.map((e) => e.type)).toEqual(
      expect.arrayContaining(['MapRunStarted', 'MapRunSucceeded']),
    );
    const child = await sfn.send(
      new DescribeExecutionCommand({ executionArn: failedChildren.executions![0]!.executionArn }),
    );
    expect(child).toMatchObject({ status: 'FAILED', mapRunArn, redriveStatus: 'REDRIVABLE_BY_MAP_RUN' });
  });

  it('reads a JSONL manifest; a failing item fails the run, and a redrive relays only the failed items', async () => {
    // Arrange
    const keys = Array.from({ length: 12 }, (_, i) => `builds/app-${String(i).padStart(2, '0')}.zip`);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'backfill-work',
        Key: 'manifests/run-2.jsonl',
        Body: keys.map((key) => JSON.stringify({ key })).join('\n'),
      }),
    );
    const broken = ['builds/app-04.zip', 'builds/app-09.zip'];
    failing.clear();
    for (const key of broken) failing.add(key);
    relayed.clear();
    // One child at a time: the second failure (item 9) fails the run before items 10 and 11 start.
    const stateMachineArn = await createMachine('backfill-manifest', {
      ItemReader: {
        Resource: 'arn:aws:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSONL' },
        Parameters: { Bucket: 'backfill-work', Key: 'manifests/run-2.jsonl' },
      },
      ToleratedFailureCount: 1,
      MaxConcurrency: 1,
    });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    const failed = await finished(executionArn!);
    const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn }));
    const mapRunArn = mapRuns![0]!.mapRunArn!;
    const firstPass = keys.filter((key) => relayed.has(key));
    const before = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    failing.clear();

    // Act
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const redriven = await finished(executionArn!);
    const mapRun = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
    const redrivenChildren = await sfn.send(
      new ListExecutionsCommand({ mapRunArn, redriveFilter: 'REDRIVEN' }),
    );
    const manifest = await json<Manifest>(
      'backfill-work',
      `results/backfill-manifest/${mapRunArn.split(':').at(-1)}/manifest.json`,
    );

    // Assert
    expect(failed).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.redriveCount).toBe(1);
    expect(firstPass).toEqual(keys.slice(0, 10));
    expect(before.itemCounts).toMatchObject({ succeeded: 8, failed: 2, pending: 2 });
    // The failed items ran again; the two that never started ran once; none of the others ran again.
    expect(keys.filter((key) => relayed.get(key) === 2)).toEqual(broken);
    expect(keys.filter((key) => relayed.get(key) === 1)).toEqual(keys.filter((key) => !broken.includes(key)));
    expect(mapRun).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      itemCounts: { total: 12, succeeded: 12 },
    });
    expect(redrivenChildren.executions!.map((e) => e.redriveCount)).toEqual([1, 1]);
    expect(manifest.ResultFiles.FAILED).toEqual([]);
    expect(manifest.ResultFiles.SUCCEEDED).toHaveLength(1);
  });
});
