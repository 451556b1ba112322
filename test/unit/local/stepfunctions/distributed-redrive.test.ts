import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerStartExecutionIntegration } from '../../../../local/stepfunctions/start-execution-integration.ts';
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
/** How often each item ran, by `n`. */
let calls: Map<number, number>;
/** Items that fail while `broken`. */
let broken: Set<number>;

function register(): void {
  f.sfn.registerTaskHandler(fn('relay'), async (input) => {
    const { n } = input as { n: number };
    calls.set(n, (calls.get(n) ?? 0) + 1);
    if (broken.has(n)) throw named('AccessDenied', `target bucket denies object ${n}`);
    return { n, status: 'copied' };
  });
}

beforeEach(async () => {
  f = await startDistributedFixture();
  calls = new Map();
  broken = new Set();
  register();
});
afterEach(async () => {
  await f.dispose();
});

/** The files named `name` under `dir`. */
async function findFiles(dir: string, name: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name === name).map((e) => join(e.parentPath, e.name));
}

const TEN = Array.from({ length: 10 }, (_, n) => ({ n }));

async function failedRun(map: Record<string, unknown>, failing: number[]) {
  broken = new Set(failing);
  const stateMachineArn = await f.createMachine(distributedMachine(taskProcessor(fn('relay')), map));
  const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: JSON.stringify(TEN) });
  const done = await f.sfn.waitForExecution(executionArn);
  const [mapRunArn] = await mapRunsOf(f, executionArn);
  return { executionArn, done, mapRunArn: mapRunArn! };
}

describe('RedriveExecution of a parent that failed in a Distributed Map', () => {
  it('redrives its map run: only the failed children run again, with the same ARNs', async () => {
    // Arrange: 3 of 10 fail, 20% tolerated → the map run fails after every child ran.
    const { executionArn, done, mapRunArn } = await failedRun({ ToleratedFailurePercentage: 20 }, [2, 5, 7]);
    const before = await childrenOf(f, mapRunArn);
    broken.clear();

    // Act
    await f.call('RedriveExecution', { executionArn });
    const redriven = await f.sfn.waitForExecution(executionArn);
    const after = await childrenOf(f, mapRunArn);
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });
    const events = await eventsOf(f, executionArn);

    // Assert
    expect(done.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(redriven.status).toBe('SUCCEEDED');
    expect(await mapRunsOf(f, executionArn)).toEqual([mapRunArn]);
    expect(
      [...calls]
        .filter(([, count]) => count === 2)
        .map(([n]) => n)
        .sort(),
    ).toEqual([2, 5, 7]);
    expect([...calls.values()].reduce((a, b) => a + b)).toBe(13);
    expect(after.map((c) => c.executionArn).sort()).toEqual(before.map((c) => c.executionArn).sort());
    expect(after.filter((c) => c.redriveCount === 1)).toHaveLength(3);
    expect(after.every((c) => c.status === 'SUCCEEDED')).toBe(true);
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      itemCounts: { succeeded: 10, failed: 0, pendingRedrive: 0 },
    });
    expect(described.redriveDate).toBeInstanceOf(Date);
    expect(events.find((e) => e.type === 'MapRunRedriven')).toMatchObject({
      mapRunRedrivenEventDetails: { mapRunArn, redriveCount: 1 },
    });
    expect(JSON.parse(redriven.output ?? '[]')).toEqual(TEN.map(({ n }) => ({ n, status: 'copied' })));
  });

  it('redrives a failed child from its failed state, ExecutionRedriven in its own history', async () => {
    // Arrange
    const { executionArn, mapRunArn } = await failedRun({}, [0]);
    broken.clear();

    // Act
    await f.call('RedriveExecution', { executionArn });
    await f.sfn.waitForExecution(executionArn);
    const [child] = await childrenOf(f, mapRunArn, { redriveFilter: 'REDRIVEN' });
    const events = await eventsOf(f, child!.executionArn);
    const described = await f.call<Record<string, unknown>>('DescribeExecution', {
      executionArn: child!.executionArn,
    });

    // Assert
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'ExecutionFailed',
      'ExecutionRedriven',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(described).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, mapRunArn });
  });

  it('starts the items that never started, and keeps the children that succeeded', async () => {
    // Arrange: one at a time, the third fails; seven never start.
    const { executionArn, mapRunArn } = await failedRun({ MaxConcurrency: 1 }, [2]);
    const pendingBefore = await f.call<{ itemCounts: Record<string, number> }>('DescribeMapRun', {
      mapRunArn,
    });
    broken.clear();

    // Act
    await f.call('RedriveExecution', { executionArn });
    const redriven = await f.sfn.waitForExecution(executionArn);
    const children = await childrenOf(f, mapRunArn);

    // Assert
    expect(pendingBefore.itemCounts).toMatchObject({ succeeded: 2, failed: 1, pending: 7 });
    expect(redriven.status).toBe('SUCCEEDED');
    expect(children).toHaveLength(10);
    expect(children.filter((c) => c.redriveCount === 1)).toHaveLength(1);
    expect(TEN.every(({ n }) => calls.get(n) === (n === 2 ? 2 : 1))).toBe(true);
  });

  it('shows children waiting to be redriven as PENDING_REDRIVE while the map run is redriven', async () => {
    // Arrange: 2 of 10 fail (20% tolerated is not exceeded by 1; 2 exceed 10%).
    const { executionArn, mapRunArn } = await failedRun(
      { ToleratedFailurePercentage: 10, MaxConcurrency: 1 },
      [0, 9],
    );
    broken.clear();
    const gate = deferred();
    const first = deferred();
    f.sfn.registerTaskHandler(fn('relay'), async (input) => {
      first.resolve();
      await gate.promise;
      return input;
    });

    // Act
    await f.call('RedriveExecution', { executionArn });
    await first.promise;
    const pending = await childrenOf(f, mapRunArn, { statusFilter: 'PENDING_REDRIVE' });
    const described = await f.call<{ itemCounts: Record<string, number> }>('DescribeMapRun', { mapRunArn });
    gate.resolve();
    await f.sfn.waitForExecution(executionArn);

    // Assert
    expect(pending).toHaveLength(1);
    expect(described.itemCounts).toMatchObject({ running: 1, pendingRedrive: 1 });
  });

  it('refuses RedriveExecution of a child, which its map run redrives, and says so', async () => {
    // Arrange
    const { mapRunArn } = await failedRun({}, [0]);
    const [child] = await childrenOf(f, mapRunArn, { statusFilter: 'FAILED' });
    const described = await f.call<Record<string, unknown>>('DescribeExecution', {
      executionArn: child!.executionArn,
    });

    // Act
    const redrive = f.call('RedriveExecution', { executionArn: child!.executionArn });

    // Assert
    expect(described).toMatchObject({ status: 'FAILED', redriveStatus: 'REDRIVABLE_BY_MAP_RUN', mapRunArn });
    await expect(redrive).rejects.toMatchObject({ code: 'ExecutionNotRedrivable' });
  });

  it('refuses a PENDING_REDRIVE filter without mapRunArn, and both ARNs at once', async () => {
    // Arrange
    const { mapRunArn } = await failedRun({}, []);
    const stateMachineArn = 'arn:aws:states:us-east-1:000000000000:stateMachine:backfill';

    // Act
    const pendingRedrive = f.call('ListExecutions', { stateMachineArn, statusFilter: 'PENDING_REDRIVE' });
    const both = f.call('ListExecutions', { stateMachineArn, mapRunArn });

    // Assert
    await expect(pendingRedrive).rejects.toMatchObject({ code: 'ValidationException' });
    await expect(both).rejects.toMatchObject({ code: 'ValidationException' });
  });
});

describe('A Distributed Map when the local stack restarts', () => {
  it('continues its map run: finished children are kept, running ones continue, the rest start', async () => {
    // Arrange: children 0–1 finish; 2–3 hang until the service closes; 4–9 have not started.
    const hanging = deferred();
    let hung = 0;
    f.sfn.registerTaskHandler(fn('relay'), async (input, { signal }) => {
      const { n } = input as { n: number };
      calls.set(n, (calls.get(n) ?? 0) + 1);
      if (n >= 2) {
        hung += 1;
        if (hung === 2) hanging.resolve();
        await new Promise<void>((resolve) =>
          signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        throw named('Interrupted');
      }
      return { n };
    });
    const stateMachineArn = await f.createMachine(
      distributedMachine(taskProcessor(fn('relay')), { MaxConcurrency: 2 }),
    );
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: JSON.stringify(TEN) });
    await hanging.promise;
    const [mapRunArn] = await mapRunsOf(f, executionArn);

    // Act
    await f.restart();
    register();
    const done = await f.sfn.waitForExecution(executionArn);
    const children = await childrenOf(f, mapRunArn!);
    const described = await f.call<Record<string, unknown>>('DescribeMapRun', { mapRunArn });

    // Assert
    expect(done.status).toBe('SUCCEEDED');
    expect(await mapRunsOf(f, executionArn)).toEqual([mapRunArn]);
    expect(children).toHaveLength(10);
    expect(children.every((c) => c.status === 'SUCCEEDED' && c.redriveCount === 0)).toBe(true);
    expect(calls.get(0)).toBe(1);
    expect(calls.get(2)).toBe(2);
    expect(calls.get(9)).toBe(1);
    expect(described).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0, itemCounts: { succeeded: 10 } });
  });

  it('starts anew a child its map run logged as running but whose own record never reached the disk', async () => {
    // Arrange: children 0–1 hang until the service closes; the crash loses child 1's record
    const hanging = deferred();
    let hung = 0;
    f.sfn.registerTaskHandler(fn('relay'), async (input, { signal }) => {
      const { n } = input as { n: number };
      calls.set(n, (calls.get(n) ?? 0) + 1);
      hung += 1;
      if (hung === 2) hanging.resolve();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      throw named('Interrupted');
    });
    const stateMachineArn = await f.createMachine(
      distributedMachine(taskProcessor(fn('relay')), { MaxConcurrency: 2 }),
    );
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: JSON.stringify(TEN) });
    await hanging.promise;
    const [mapRunArn] = await mapRunsOf(f, executionArn);
    const lost = (await childrenOf(f, mapRunArn!)).find((c) => c.status === 'RUNNING')!;

    // Act
    await f.restart({
      between: async () => {
        const [file] = await findFiles(f.dir, `${lost.name}.json`);
        await rm(file!);
      },
    });
    register();
    const done = await f.sfn.waitForExecution(executionArn);
    const children = await childrenOf(f, mapRunArn!);
    const again = await f.call<Record<string, unknown>>('DescribeExecution', {
      executionArn: lost.executionArn,
    });

    // Assert: the lost child ran again under its own ARN, and nothing failed
    expect(done.status).toBe('SUCCEEDED');
    expect(children.every((c) => c.status === 'SUCCEEDED')).toBe(true);
    expect(again).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0 });
  });

  it('with deferResume, continues nothing until resumeExecutions, so new executions it starts find their handlers', async () => {
    // Arrange: a parent starts one execution per item through startExecution.sync; the items hang
    const hanging = deferred();
    f.sfn.registerTaskHandler(fn('relay'), async (_input, { signal }) => {
      hanging.resolve();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      throw named('Interrupted');
    });
    registerStartExecutionIntegration(f.sfn);
    const worker = await f.createMachine(taskProcessor(fn('relay')), 'worker');
    const stateMachineArn = await f.createMachine(
      distributedMachine(
        {
          StartAt: 'Start',
          States: {
            Start: {
              Type: 'Task',
              Resource: 'arn:aws:states:::states:startExecution.sync:2',
              Parameters: { StateMachineArn: worker, 'Input.$': '$' },
              End: true,
            },
          },
        },
        { MaxConcurrency: 2 },
      ),
    );
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn, input: JSON.stringify(TEN) });
    await hanging.promise;

    // Act: the new service's resumed parent waits while the handlers are registered
    await f.restart({ deferResume: true });
    registerStartExecutionIntegration(f.sfn);
    const waiting = await f.call<{ status: string }>('DescribeExecution', { executionArn });
    const callsBeforeResume = calls.size;
    register();
    await f.sfn.resumeExecutions();
    const done = await f.sfn.waitForExecution(executionArn);

    // Assert
    expect(waiting.status).toBe('RUNNING');
    expect(callsBeforeResume).toBe(0);
    expect(done.status).toBe('SUCCEEDED');
    expect(calls.size).toBe(10);
  });
});
