import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resultKey } from '../../../../local/stepfunctions/distributed/results.ts';
import {
  childrenOf,
  type DistributedFixture,
  distributedMachine,
  mapRunsOf,
  startDistributedFixture,
  taskProcessor,
} from './distributed-fixture.ts';
import { fn, named } from './fixture.ts';

let f: DistributedFixture;
beforeEach(async () => {
  f = await startDistributedFixture();
  f.s3.bucket('results');
  f.sfn.registerTaskHandler(fn('relay'), async (input) => {
    const item = input as { n: number; fail?: boolean };
    if (item.fail) throw named('CopyFailed', `object ${item.n} could not be copied`);
    return { n: item.n, status: 'copied' };
  });
});
afterEach(async () => {
  await f.dispose();
});

const WRITER = {
  Resource: 'arn:aws:states:::s3:putObject',
  Parameters: { Bucket: 'results', Prefix: 'backfills/run-1' },
};

interface Manifest {
  DestinationBucket: string;
  MapRunArn: string;
  ResultFiles: Record<'FAILED' | 'PENDING' | 'SUCCEEDED', Array<{ Key: string; Size: number }>>;
}

let machines = 0;
async function run(map: Record<string, unknown>, input: unknown) {
  machines += 1;
  const stateMachineArn = await f.createMachine(
    distributedMachine(taskProcessor(fn('relay')), map),
    `backfill-${machines}`,
  );
  const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  const done = await f.sfn.waitForExecution(executionArn);
  const [mapRunArn] = await mapRunsOf(f, executionArn);
  return { executionArn, done, mapRunArn: mapRunArn! };
}

describe('ResultWriter', () => {
  it('writes <Prefix>/<mapRunId>/manifest.json and SUCCEEDED_0.json, and outputs { MapRunArn, ResultWriterDetails }', async () => {
    // Act
    const { done, mapRunArn } = await run({ ResultWriter: WRITER }, [{ n: 1 }, { n: 2 }]);
    const id = mapRunArn.split(':').at(-1)!;
    const output = JSON.parse(done.output ?? '{}');
    const manifest = f.s3.json<Manifest>('results', `backfills/run-1/${id}/manifest.json`);
    const succeeded = f.s3.json<Array<Record<string, unknown>>>(
      'results',
      `backfills/run-1/${id}/SUCCEEDED_0.json`,
    );
    const children = await childrenOf(f, mapRunArn);

    // Assert
    expect(output).toEqual({
      MapRunArn: mapRunArn,
      ResultWriterDetails: { Bucket: 'results', Key: `backfills/run-1/${id}/manifest.json` },
    });
    expect(manifest).toEqual({
      DestinationBucket: 'results',
      MapRunArn: mapRunArn,
      ResultFiles: {
        FAILED: [],
        PENDING: [],
        SUCCEEDED: [
          {
            Key: `backfills/run-1/${id}/SUCCEEDED_0.json`,
            Size: Buffer.byteLength(f.s3.text('results', `backfills/run-1/${id}/SUCCEEDED_0.json`)),
          },
        ],
      },
    });
    expect(succeeded).toHaveLength(2);
    const first = succeeded.find((entry) => entry.Input === '{"n":1}')!;
    const child = children.find((c) => c.executionArn === first.ExecutionArn)!;
    expect(first).toEqual({
      ExecutionArn: child.executionArn,
      Input: '{"n":1}',
      InputDetails: { Included: true },
      Name: child.name,
      Output: '{"n":1,"status":"copied"}',
      OutputDetails: { Included: true },
      RedriveCount: 0,
      RedriveStatus: 'NOT_REDRIVABLE',
      RedriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
      StartDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      StateMachineArn: child.stateMachineArn,
      Status: 'SUCCEEDED',
      StopDate: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  });

  it('lists failed children in FAILED_0.json with their error and cause, and never-started items in PENDING_0.json', async () => {
    // Act: the first item fails with no tolerance; one child at a time, so the rest never start.
    const { done, mapRunArn } = await run({ ResultWriter: WRITER, MaxConcurrency: 1 }, [
      { n: 0, fail: true },
      { n: 1 },
      { n: 2 },
    ]);
    const id = mapRunArn.split(':').at(-1)!;
    const manifest = f.s3.json<Manifest>('results', `backfills/run-1/${id}/manifest.json`);
    const failed = f.s3.json<Array<Record<string, unknown>>>(
      'results',
      `backfills/run-1/${id}/FAILED_0.json`,
    );
    const pending = f.s3.json<Array<Record<string, unknown>>>(
      'results',
      `backfills/run-1/${id}/PENDING_0.json`,
    );

    // Assert
    expect(done.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(manifest.ResultFiles.SUCCEEDED).toEqual([]);
    expect(manifest.ResultFiles.FAILED.map((file) => file.Key)).toEqual([
      `backfills/run-1/${id}/FAILED_0.json`,
    ]);
    expect(manifest.ResultFiles.PENDING.map((file) => file.Key)).toEqual([
      `backfills/run-1/${id}/PENDING_0.json`,
    ]);
    expect(failed).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Error: 'CopyFailed',
        Cause: expect.stringContaining('object 0 could not be copied'),
        Input: '{"n":0,"fail":true}',
        RedriveStatus: 'REDRIVABLE_BY_MAP_RUN',
      }),
    ]);
    expect(failed[0]).not.toHaveProperty('Output');
    expect(pending.map((entry) => entry.Input)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('evaluates Bucket.$ and Prefix.$ against the input, and writes at the bucket root for an empty prefix', async () => {
    // Act
    const { mapRunArn } = await run(
      {
        ItemsPath: '$.items',
        ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { 'Bucket.$': '$.bucket' } },
      },
      { bucket: 'results', items: [{ n: 1 }] },
    );
    const id = mapRunArn.split(':').at(-1)!;

    // Assert
    expect(f.s3.json<Manifest>('results', `${id}/manifest.json`).ResultFiles.SUCCEEDED).toHaveLength(1);
  });

  it('fails the Map state with States.ResultWriterFailed naming S3’s error when the bucket does not exist', async () => {
    // Act
    const { done, mapRunArn } = await run(
      { ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'nowhere' } } },
      [{ n: 1 }],
    );
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ResultWriterFailed' });
    expect(done.cause).toContain('NoSuchBucket');
    expect(described.status).toBe('FAILED');
  });

  it('refuses WriterConfig, which the local engine does not implement, with a States.Runtime saying so', async () => {
    // Act
    const { done } = await run(
      { ResultWriter: { ...WRITER, WriterConfig: { OutputType: 'JSONL', Transformation: 'COMPACT' } } },
      [{ n: 1 }],
    );

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(done.cause).toContain('WriterConfig');
  });

  it('names result keys under the prefix without doubling a trailing slash', () => {
    expect(resultKey('out/', 'id', 'manifest.json')).toBe('out/id/manifest.json');
    expect(resultKey('out', 'id', 'SUCCEEDED_0.json')).toBe('out/id/SUCCEEDED_0.json');
    expect(resultKey('', 'id', 'manifest.json')).toBe('id/manifest.json');
  });

  it('fails with States.DataLimitExceeded when the outputs exceed 256 KiB without a ResultWriter', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('big'), async () => ({ blob: 'x'.repeat(100_000) }));
    const stateMachineArn = await f.createMachine(distributedMachine(taskProcessor(fn('big'))), 'big');

    // Act
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: '[1,2,3]' });
    const done = await f.sfn.waitForExecution(executionArn);

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.DataLimitExceeded' });
    expect(done.cause).toContain('ResultWriter');
  });
});
