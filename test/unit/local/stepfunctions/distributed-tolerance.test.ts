import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  childrenOf,
  DISTRIBUTED,
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
  // Items whose `fail` is true fail their child.
  f.sfn.registerTaskHandler(fn('relay'), async (input) => {
    const item = input as { n: number; fail?: boolean };
    if (item.fail) throw named('CopyFailed', `object ${item.n} could not be copied`);
    return { n: item.n, status: 'copied' };
  });
});
afterEach(async () => {
  await f.dispose();
});

/** Ten items, the first `failing` of which fail. */
function items(failing: number): Array<{ n: number; fail: boolean }> {
  return Array.from({ length: 10 }, (_, n) => ({ n, fail: n < failing }));
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

describe('Distributed Map: tolerated failures', () => {
  it('fails on the first failed item when no threshold is set', async () => {
    // Act
    const { done, mapRunArn, executionArn } = await run({ MaxConcurrency: 1 }, items(1));
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });
    const events = await eventsOf(f, executionArn);

    // Assert
    expect(done).toMatchObject({
      status: 'FAILED',
      error: 'States.ExceedToleratedFailureThreshold',
      cause: 'The specified tolerated failure threshold was exceeded',
    });
    expect(described).toMatchObject({
      status: 'FAILED',
      itemCounts: { failed: 1, succeeded: 0, pending: 9 },
    });
    expect(events.map((e) => e.type)).toContain('MapRunFailed');
    expect(events.find((e) => e.type === 'MapRunFailed')).toMatchObject({
      mapRunFailedEventDetails: { error: 'States.ExceedToleratedFailureThreshold' },
    });
  });

  it('succeeds while failed items stay within ToleratedFailurePercentage, their results in the output', async () => {
    // Act
    const { done, mapRunArn } = await run({ ToleratedFailurePercentage: 30 }, items(3));
    const described = await f.call<{ itemCounts: Record<string, number> }>('DescribeMapRun', { mapRunArn });
    const output = JSON.parse(done.output ?? '[]') as Array<Record<string, unknown>>;

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(described.itemCounts).toMatchObject({ succeeded: 7, failed: 3, total: 10 });
    expect(output.slice(3)).toEqual(Array.from({ length: 7 }, (_, i) => ({ n: i + 3, status: 'copied' })));
    expect(output[0]).toMatchObject({ Status: 'FAILED', Error: 'CopyFailed', Input: '{"n":0,"fail":true}' });
  });

  it('fails once failed items exceed ToleratedFailurePercentage', async () => {
    // Act
    const { done } = await run({ ToleratedFailurePercentage: 20 }, items(3));

    // Assert
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('tolerates up to ToleratedFailureCount failed items, and no more', async () => {
    // Act
    const within = await run({ ToleratedFailureCount: 2 }, items(2));
    const beyond = await run({ ToleratedFailureCount: 2 }, items(3));

    // Assert
    expect(within.done.status).toBe('SUCCEEDED');
    expect(beyond.done).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
  });

  it('reads the thresholds from the input with ToleratedFailurePercentagePath and ToleratedFailureCountPath', async () => {
    // Act
    const { done, mapRunArn } = await run(
      {
        ItemsPath: '$.items',
        ToleratedFailurePercentagePath: '$.percent',
        ToleratedFailureCountPath: '$.count',
      },
      { items: items(1), percent: 50, count: 4 },
    );
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(described).toMatchObject({ toleratedFailurePercentage: 50, toleratedFailureCount: 4 });
  });

  it('lets a Catch on the Map state handle States.ExceedToleratedFailureThreshold', async () => {
    // Arrange
    const stateMachineArn = await f.createMachine({
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemProcessor: { ProcessorConfig: DISTRIBUTED, ...taskProcessor(fn('relay')) },
          ItemsPath: '$.items',
          Catch: [
            {
              ErrorEquals: ['States.ExceedToleratedFailureThreshold'],
              ResultPath: '$.error',
              Next: 'Report',
            },
          ],
          ResultPath: '$.results',
          End: true,
        },
        Report: { Type: 'Pass', End: true },
      },
    });

    // Act
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn,
      input: JSON.stringify({ items: items(1) }),
    });
    const done = await f.sfn.waitForExecution(executionArn);

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}').error).toEqual({
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause: 'The specified tolerated failure threshold was exceeded',
    });
  });

  it('stops the running children and starts no more once the threshold is exceeded', async () => {
    // Arrange: item 0 fails once the others are running; they wait until stopped.
    const othersRunning = deferred();
    let running = 0;
    f.sfn.registerTaskHandler(fn('slow'), async (input, { signal }) => {
      const { n } = input as { n: number };
      if (n === 0) {
        await othersRunning.promise;
        throw named('CopyFailed');
      }
      running += 1;
      if (running === 2) othersRunning.resolve();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      throw named('Stopped');
    });
    const stateMachineArn = await f.createMachine(
      distributedMachine(taskProcessor(fn('slow')), { MaxConcurrency: 3 }),
      'slow',
    );

    // Act
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn,
      input: JSON.stringify(Array.from({ length: 6 }, (_, n) => ({ n }))),
    });
    const done = await f.sfn.waitForExecution(executionArn);
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    const children = await childrenOf(f, mapRunArn!);
    const described = await f.call<{ itemCounts: Record<string, number> }>('DescribeMapRun', { mapRunArn });

    // Assert
    expect(done.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(children.map((c) => c.status).sort()).toEqual(['ABORTED', 'ABORTED', 'FAILED']);
    expect(described.itemCounts).toMatchObject({ failed: 1, aborted: 2, pending: 3 });
  });

  it('applies UpdateMapRun to a running map run: a higher tolerance lets it succeed', async () => {
    // Arrange: the failing item waits until the tolerance is raised.
    const raised = deferred();
    const started = deferred();
    f.sfn.registerTaskHandler(fn('gate'), async (input) => {
      const { n } = input as { n: number };
      if (n === 0) {
        started.resolve();
        await raised.promise;
        throw named('CopyFailed');
      }
      return { n };
    });
    const stateMachineArn = await f.createMachine(distributedMachine(taskProcessor(fn('gate'))), 'gate');
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn,
      input: JSON.stringify([{ n: 0 }, { n: 1 }]),
    });
    await started.promise;
    const [mapRunArn] = await mapRunsOf(f, executionArn);

    // Act
    await f.call('UpdateMapRun', { mapRunArn, toleratedFailureCount: 1, maxConcurrency: 5 });
    raised.resolve();
    const done = await f.sfn.waitForExecution(executionArn);
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(described).toMatchObject({ toleratedFailureCount: 1, maxConcurrency: 5, status: 'SUCCEEDED' });
  });

  it('refuses UpdateMapRun values out of range with ValidationException', async () => {
    // Arrange
    const { mapRunArn } = await run({}, items(0));

    // Act
    const update = f.call('UpdateMapRun', { mapRunArn, toleratedFailurePercentage: 120 });

    // Assert
    await expect(update).rejects.toMatchObject({ code: 'ValidationException' });
  });
});
