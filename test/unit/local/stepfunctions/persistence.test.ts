import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataDirInUseError,
  INTERRUPTED_ERROR,
  StepFunctionsService,
} from '../../../../local/stepfunctions/service.ts';
import { CTX, deferred, type Fixture, fn, startFixture } from './fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.dispose();
});

const TWO_STEPS = {
  StartAt: 'First',
  States: {
    First: { Type: 'Task', Resource: fn('first'), Next: 'Second' },
    Second: { Type: 'Task', Resource: fn('second'), End: true },
  },
};

describe('persistence', () => {
  it('lets a new service on the same data directory see state machines, executions and histories', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('first'), async (input) => input);
    f.sfn.registerTaskHandler(fn('second'), async () => ({ done: true }));
    const arn = await f.createMachine(TWO_STEPS);
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn: arn,
      name: 'kept',
      input: '{"k":1}',
    });
    const before = await f.sfn.waitForExecution(executionArn);
    const historyBefore = await f.sfn.handle('GetExecutionHistory', { executionArn }, CTX);

    // Act
    const other = await f.reopen();
    const machine = (await other.handle('DescribeStateMachine', { stateMachineArn: arn }, CTX)) as Record<
      string,
      unknown
    >;
    const after = await other.handle('DescribeExecution', { executionArn }, CTX);
    const historyAfter = await other.handle('GetExecutionHistory', { executionArn }, CTX);
    const list = (await other.handle('ListExecutions', { stateMachineArn: arn }, CTX)) as {
      executions: unknown[];
    };

    // Assert
    expect(machine.definition).toBe(JSON.stringify(TWO_STEPS));
    expect(after).toEqual(before);
    expect(historyAfter).toEqual(historyBefore);
    expect(list.executions).toHaveLength(1);
  });

  it('writes records as whole JSON files and the history one event per line', async () => {
    // Arrange
    const arn = await f.createMachine({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } });
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name: 'on-disk' });
    await f.sfn.waitForExecution(executionArn);

    // Act
    const dir = join(f.dir, 'executions', 'us-east-1', 'relay');
    const files = (await readdir(dir)).sort();
    const record = JSON.parse(await readFile(join(dir, 'on-disk.json'), 'utf8'));
    const lines = (await readFile(join(dir, 'on-disk.history.jsonl'), 'utf8')).trim().split('\n');

    // Assert
    expect(files).toEqual(['on-disk.history.jsonl', 'on-disk.json']);
    expect(record).toMatchObject({ executionArn, status: 'SUCCEEDED' });
    expect(lines.map((line) => JSON.parse(line).type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('marks an execution a crashed process left RUNNING as ABORTED, and a redrive continues it', async () => {
    // Arrange
    const stuck = deferred();
    f.sfn.registerTaskHandler(fn('first'), async (input) => input);
    f.sfn.registerTaskHandler(fn('second'), async () => {
      stuck.resolve();
      return new Promise(() => undefined); // the "process" dies here
    });
    const arn = await f.createMachine(TWO_STEPS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, input: '{"k":1}' });
    await stuck.promise;
    await f.sfn.flush();

    // Act
    const restarted = await f.reopen();
    const interrupted = await restarted.waitForExecution(executionArn);
    let firstCalls = 0;
    restarted.registerTaskHandler(fn('first'), async (input) => {
      firstCalls += 1;
      return input;
    });
    restarted.registerTaskHandler(fn('second'), async () => 'finished');
    await restarted.handle('RedriveExecution', { executionArn }, CTX);
    const redriven = await restarted.waitForExecution(executionArn);

    // Assert
    expect(interrupted).toMatchObject({
      status: 'ABORTED',
      error: INTERRUPTED_ERROR,
      redriveStatus: 'REDRIVABLE',
    });
    expect(interrupted.cause).toContain('local stack stopped');
    expect(redriven).toMatchObject({ status: 'SUCCEEDED', output: '"finished"', redriveCount: 1 });
    expect(firstCalls).toBe(0);
  });

  it('on close, stops running executions as interrupted and keeps that on disk', async () => {
    // Arrange
    const started = deferred();
    const aborted = deferred();
    f.sfn.registerTaskHandler(fn('first'), async (_input, { signal }) => {
      signal.addEventListener('abort', () => aborted.resolve(), { once: true });
      started.resolve();
      return new Promise(() => undefined);
    });
    const arn = await f.createMachine(TWO_STEPS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn });
    await started.promise;

    // Act
    await f.sfn.close();
    await aborted.promise;
    const other = await f.reopen();
    const described = await other.waitForExecution(executionArn);
    const history = (await other.handle(
      'GetExecutionHistory',
      { executionArn, reverseOrder: true },
      CTX,
    )) as {
      events: Record<string, unknown>[];
    };

    // Assert
    expect(described).toMatchObject({ status: 'ABORTED', error: INTERRUPTED_ERROR });
    expect(history.events[0]).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: INTERRUPTED_ERROR },
    });
  });
});

describe('data directory ownership', () => {
  it('refuses a data directory that another live process is using, and takes over one left by a dead process', async () => {
    // Arrange
    const open = async (): Promise<StepFunctionsService> => {
      const service = new StepFunctionsService({ dataDir: f.dir, accountId: '000000000000' });
      await service.init();
      return service;
    };
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;

    // Act
    await writeFile(join(f.dir, 'owner.pid'), String(process.ppid));
    const refused = await open().catch((error: unknown) => error);
    await writeFile(join(f.dir, 'owner.pid'), String(deadPid));
    const takenOver = await open();

    // Assert
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toContain(String(process.ppid));
    expect(takenOver).toBeInstanceOf(StepFunctionsService);
    expect(await readFile(join(f.dir, 'owner.pid'), 'utf8')).toBe(String(process.pid));
    await takenOver.close();
  });
});
