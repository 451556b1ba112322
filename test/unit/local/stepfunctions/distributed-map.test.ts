import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOCAL_MAX_CONCURRENCY } from '../../../../local/stepfunctions/distributed/map-run.ts';
import {
  childrenOf,
  type DistributedFixture,
  distributedMachine,
  eventsOf,
  mapRunsOf,
  startDistributedFixture,
  taskProcessor,
} from './distributed-fixture.ts';
import { deferred, fn, named } from './fixture.ts';

let f: DistributedFixture;
beforeEach(async () => {
  f = await startDistributedFixture();
});
afterEach(async () => {
  await f.dispose();
});

const PASS = { StartAt: 'Keep', States: { Keep: { Type: 'Pass', End: true } } };

async function run(definition: object, input: unknown, name = 'backfill') {
  const stateMachineArn = await f.createMachine(definition, name);
  const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: JSON.stringify(input) });
  const done = await f.sfn.waitForExecution(executionArn);
  return { stateMachineArn, executionArn, done };
}

describe('Distributed Map: child workflow executions', () => {
  it('runs each item as a child execution of the processor, with its own ARN, record and history', async () => {
    // Arrange
    const definition = distributedMachine(PASS, { Label: 'Backfill' });

    // Act
    const { executionArn, done } = await run(definition, [{ key: 'a' }, { key: 'b' }, { key: 'c' }]);
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    const children = await childrenOf(f, mapRunArn!);
    const child = children.find((c) => c.status === 'SUCCEEDED')!;
    const described = await f.call<Record<string, unknown>>('DescribeExecution', {
      executionArn: child.executionArn,
    });
    const childEvents = await eventsOf(f, child.executionArn);

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? 'null')).toEqual([{ key: 'a' }, { key: 'b' }, { key: 'c' }]);
    expect(mapRunArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:mapRun:backfill\/Backfill:[0-9a-f-]{36}$/,
    );
    expect(children).toHaveLength(3);
    for (const c of children) {
      expect(c.executionArn).toBe(
        `arn:aws:states:us-east-1:000000000000:execution:backfill/Backfill:${c.name}`,
      );
      expect(c).toMatchObject({
        mapRunArn,
        itemCount: 1,
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:backfill/Backfill',
      });
    }
    expect(described).toMatchObject({ mapRunArn, status: 'SUCCEEDED', redriveStatus: 'NOT_REDRIVABLE' });
    expect(childEvents.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('keeps nothing in memory for a child once it has ended: it is read back from disk', async () => {
    // Act
    const { executionArn } = await run(
      distributedMachine(PASS),
      Array.from({ length: 25 }, (_, i) => i),
    );
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    const [child] = await childrenOf(f, mapRunArn!);
    // White box: the execution manager's entries (what a map run of 100,000 children must not fill).
    const entries = Reflect.get(Reflect.get(f.sfn, 'executions') as object, 'entries') as Map<
      string,
      unknown
    >;
    const described = await f.call<Record<string, unknown>>('DescribeExecution', {
      executionArn: child!.executionArn,
    });

    // Assert
    // (ended executions leave the entries, the parent too: a compact index lists them — ended-index.ts)
    expect([...entries.keys()]).toEqual([]);
    expect(described).toMatchObject({ status: 'SUCCEEDED', mapRunArn });
  });

  it('logs the map run in the parent history as AWS does, and none of the children’s events', async () => {
    // Act
    const { executionArn } = await run(distributedMachine(PASS), [1, 2]);
    const events = await eventsOf(f, executionArn);
    const [mapRunArn] = await mapRunsOf(f, executionArn);

    // Assert
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'MapStateEntered',
      'MapStateStarted',
      'MapRunStarted',
      'MapRunSucceeded',
      'MapStateSucceeded',
      'MapStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[2]).toMatchObject({ mapStateStartedEventDetails: { length: 0 } });
    expect(events[3]).toMatchObject({ mapRunStartedEventDetails: { mapRunArn } });
  });

  it('gives a Map state without Label the same name-based label in every run', async () => {
    // Act
    const first = await run(distributedMachine(PASS), [1]);
    const stateMachineArn = first.stateMachineArn;
    const second = await f.sfn.startExecution({ stateMachineArn, input: '[2]' });
    await f.sfn.waitForExecution(second.executionArn);
    const [a] = await mapRunsOf(f, first.executionArn);
    const [b] = await mapRunsOf(f, second.executionArn);

    // Assert
    const label = (arn: string) => /mapRun:backfill\/([^:]+):/.exec(arn)?.[1];
    expect(label(a!)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(label(a!)).toBe(label(b!));
    expect(a).not.toBe(b);
  });

  it('answers DescribeMapRun with its status, settings and item and execution counts', async () => {
    // Act
    const { executionArn } = await run(
      distributedMachine(PASS, {
        MaxConcurrency: 2,
        ToleratedFailurePercentage: 5,
        ToleratedFailureCount: 1,
      }),
      [1, 2, 3],
    );
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });

    // Assert
    expect(described).toMatchObject({
      mapRunArn,
      executionArn,
      status: 'SUCCEEDED',
      maxConcurrency: 2,
      toleratedFailurePercentage: 5,
      toleratedFailureCount: 1,
      redriveCount: 0,
      itemCounts: { total: 3, succeeded: 3, pending: 0, running: 0, failed: 0, resultsWritten: 3 },
      executionCounts: { total: 3, succeeded: 3, pending: 0, running: 0, failed: 0 },
    });
    expect(described.stopDate).toBeInstanceOf(Date);
  });

  it('applies ItemSelector to each item, with $$.Map.Item.Index and Value', async () => {
    // Act
    const { done } = await run(
      distributedMachine(PASS, {
        ItemsPath: '$.keys',
        ItemSelector: {
          'key.$': '$$.Map.Item.Value',
          'index.$': '$$.Map.Item.Index',
          'bucket.$': '$.bucket',
        },
      }),
      { bucket: 'src', keys: ['x', 'y'] },
    );

    // Assert
    expect(JSON.parse(done.output ?? 'null')).toEqual([
      { key: 'x', index: 0, bucket: 'src' },
      { key: 'y', index: 1, bucket: 'src' },
    ]);
  });

  it('batches items with ItemBatcher as { BatchInput, Items }, one child per batch', async () => {
    // Act
    const { executionArn, done } = await run(
      distributedMachine(PASS, {
        ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { 'run.$': '$.run' } },
        ItemsPath: '$.items',
      }),
      { run: 'r1', items: [1, 2, 3, 4, 5] },
    );
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    const children = await childrenOf(f, mapRunArn!);
    const described = await f.call<{ itemCounts: { total: number }; executionCounts: { total: number } }>(
      'DescribeMapRun',
      { mapRunArn },
    );

    // Assert
    expect(JSON.parse(done.output ?? 'null')).toEqual([
      { BatchInput: { run: 'r1' }, Items: [1, 2] },
      { BatchInput: { run: 'r1' }, Items: [3, 4] },
      { BatchInput: { run: 'r1' }, Items: [5] },
    ]);
    expect(children.map((c) => c.itemCount).sort()).toEqual([1, 2, 2]);
    expect(described.itemCounts.total).toBe(5);
    expect(described.executionCounts.total).toBe(3);
  });

  it('runs at most MaxConcurrency children at once', async () => {
    // Arrange
    let running = 0;
    let most = 0;
    f.sfn.registerTaskHandler(fn('work'), async (input) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running -= 1;
      return input;
    });

    // Act
    const { done } = await run(
      distributedMachine(taskProcessor(fn('work')), { MaxConcurrency: 3 }),
      Array.from({ length: 12 }, (_, i) => i),
    );

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(most).toBe(3);
  });

  it(`caps the concurrency at ${LOCAL_MAX_CONCURRENCY} children locally, whatever MaxConcurrency says`, async () => {
    // Arrange
    let running = 0;
    let most = 0;
    const release = deferred();
    f.sfn.registerTaskHandler(fn('work'), async (input) => {
      running += 1;
      most = Math.max(most, running);
      if (running >= LOCAL_MAX_CONCURRENCY) release.resolve();
      await release.promise;
      running -= 1;
      return input;
    });

    // Act
    const { done } = await run(
      distributedMachine(taskProcessor(fn('work'))),
      Array.from({ length: LOCAL_MAX_CONCURRENCY + 20 }, (_, i) => i),
    );

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(most).toBe(LOCAL_MAX_CONCURRENCY);
  });

  it('aborts the running children when the parent is stopped, and the map run ends ABORTED', async () => {
    // Arrange
    const started = deferred();
    let calls = 0;
    f.sfn.registerTaskHandler(fn('work'), async (_input, { signal }) => {
      calls += 1;
      if (calls === 2) started.resolve();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      throw named('Stopped');
    });
    const stateMachineArn = await f.createMachine(distributedMachine(taskProcessor(fn('work'))));
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: '[1,2]' });
    await started.promise;

    // Act
    await f.call('StopExecution', { executionArn });
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    let described: { status: string } = { status: 'RUNNING' };
    for (let i = 0; i < 200 && described.status === 'RUNNING'; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      described = await f.call('DescribeMapRun', { mapRunArn });
    }
    const children = await childrenOf(f, mapRunArn!);

    // Assert
    expect(described.status).toBe('ABORTED');
    expect(children.map((c) => c.status)).toEqual(['ABORTED', 'ABORTED']);
  });

  it('fails with States.ItemReaderFailed, saying how to fix it, when the service has no S3', async () => {
    // Arrange
    await f.dispose();
    f = await startDistributedFixture({ s3: null });

    // Act
    const { done } = await run(
      distributedMachine(PASS, {
        ItemReader: { Resource: 'arn:aws:states:::s3:listObjectsV2', Parameters: { Bucket: 'b' } },
      }),
      {},
    );

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ItemReaderFailed' });
    expect(done.cause).toContain('distributedMapS3');
  });

  it('fails with States.Runtime before the map run starts when a Path field selects no integer', async () => {
    // Act
    const { executionArn, done } = await run(distributedMachine(PASS, { MaxConcurrencyPath: '$.limit' }), {
      limit: 'many',
    });

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(done.cause).toContain('MaxConcurrencyPath');
    expect(await mapRunsOf(f, executionArn)).toEqual([]);
  });

  it('answers ResourceNotFound for an unknown map run and ExecutionDoesNotExist to ListMapRuns of none', async () => {
    // Act
    const describe = f.call('DescribeMapRun', {
      mapRunArn:
        'arn:aws:states:us-east-1:000000000000:mapRun:backfill/Label:00000000-0000-0000-0000-000000000000',
    });
    const list = f.call('ListMapRuns', {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:backfill:nope',
    });

    // Assert
    await expect(describe).rejects.toMatchObject({ code: 'ResourceNotFound' });
    await expect(list).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
  });
});
