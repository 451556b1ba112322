import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ExecutionRecord } from '../../../../local/stepfunctions/model.ts';
import { DataDirInUseError, StepFunctionsService } from '../../../../local/stepfunctions/service.ts';
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

/** Second sees `$$.Execution.RedriveCount`. */
const COUNTED = {
  StartAt: 'First',
  States: {
    First: { Type: 'Task', Resource: fn('first'), Next: 'Second' },
    Second: {
      Type: 'Task',
      Resource: fn('second'),
      Parameters: { 'redriveCount.$': '$$.Execution.RedriveCount' },
      End: true,
    },
  },
};

const MAP = {
  StartAt: 'Items',
  States: {
    Items: {
      Type: 'Map',
      ItemsPath: '$.items',
      ItemProcessor: { StartAt: 'Item', States: { Item: { Type: 'Task', Resource: fn('item'), End: true } } },
      End: true,
    },
  },
};

/** The execution's record as it is on disk. */
async function readRecord(dir: string, executionArn: string): Promise<ExecutionRecord> {
  const name = executionArn.split(':').at(-1) ?? '';
  return JSON.parse(
    await readFile(join(dir, 'executions', 'us-east-1', 'relay', `${name}.json`), 'utf8'),
  ) as ExecutionRecord;
}

/** Polls `condition` until it holds (or fails after a deadline). */
async function until(condition: () => Promise<boolean>, deadlineMs = 10_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await condition().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

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

  it('names the definition by hash in each record, kept once on disk, and still reads a record holding it inline', async () => {
    // Arrange: two executions of one state machine, and one record written the older way (definition inline)
    const definition = { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } };
    const arn = await f.createMachine(definition);
    for (const name of ['first', 'second', 'inline']) {
      const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name });
      await f.sfn.waitForExecution(executionArn);
    }
    const dir = join(f.dir, 'executions', 'us-east-1', 'relay');
    const first = JSON.parse(await readFile(join(dir, 'first.json'), 'utf8'));
    const second = JSON.parse(await readFile(join(dir, 'second.json'), 'utf8'));
    const { definitionSha256, ...inline } = JSON.parse(await readFile(join(dir, 'inline.json'), 'utf8'));
    await writeFile(join(dir, 'inline.json'), JSON.stringify({ ...inline, definition: '{"edited":true}' }));

    // Act: a new service on the directory
    const other = await f.reopen();
    const definitions = await readdir(join(f.dir, 'definitions'));
    const stored = await readFile(join(f.dir, 'definitions', definitions[0]!), 'utf8');
    const described = await other.handle(
      'DescribeExecution',
      { executionArn: `${arn.replace(':stateMachine:', ':execution:')}:second` },
      CTX,
    );
    const old = await other.handle(
      'DescribeExecution',
      { executionArn: `${arn.replace(':stateMachine:', ':execution:')}:inline` },
      CTX,
    );
    const list = (await other.handle('ListExecutions', { stateMachineArn: arn }, CTX)) as {
      executions: unknown[];
    };

    // Assert
    expect(first.definition).toBeUndefined();
    expect(first.definitionSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(second.definitionSha256).toBe(first.definitionSha256);
    expect(definitions).toEqual([`${first.definitionSha256}.json`]);
    expect(JSON.parse(stored)).toEqual(definition);
    expect(described).toMatchObject({ status: 'SUCCEEDED' });
    expect(old).toMatchObject({ status: 'SUCCEEDED' });
    expect(list.executions).toHaveLength(3);
    expect(definitionSha256).toBe(first.definitionSha256);
  });

  it('continues an execution a crashed process left RUNNING from the state that was running, without a redrive', async () => {
    // Arrange
    const stuck = deferred();
    f.sfn.registerTaskHandler(fn('first'), async (input) => input);
    f.sfn.registerTaskHandler(fn('second'), async () => {
      stuck.resolve();
      return new Promise(() => undefined); // the "process" dies here
    });
    const arn = await f.createMachine(COUNTED);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, input: '{"k":1}' });
    await stuck.promise;
    await f.sfn.flush();

    // Act: a new service loads it; its handlers are registered only afterwards, as `relay local` does
    const restarted = await f.reopen();
    let firstCalls = 0;
    restarted.registerTaskHandler(fn('first'), async (input) => {
      firstCalls += 1;
      return input;
    });
    restarted.registerTaskHandler(fn('second'), async (input) => ({ finished: true, seen: input }));
    const done = await restarted.waitForExecution(executionArn);
    const history = (await restarted.handle('GetExecutionHistory', { executionArn }, CTX)) as {
      events: Array<{ id: number; previousEventId: number; type: string }>;
    };

    // Assert
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0 });
    expect(done.redriveDate).toBeUndefined();
    expect(JSON.parse(done.output ?? '')).toEqual({ finished: true, seen: { redriveCount: 0 } });
    expect(firstCalls).toBe(0);
    const types = history.events.map((event) => event.type);
    expect(types).not.toContain('ExecutionAborted');
    expect(types).not.toContain('ExecutionRedriven');
    expect(types.filter((type) => type === 'TaskStateEntered')).toHaveLength(3); // Second entered twice
    expect(history.events.map((event) => event.id)).toEqual(history.events.map((_, i) => i + 1));
    for (const event of history.events) expect(event.previousEventId).toBeLessThan(event.id);
  });

  it('keeps the iterations of a top-level Map that had succeeded when it continues', async () => {
    // Arrange
    const calls: string[] = [];
    f.sfn.registerTaskHandler(fn('item'), async (input) => {
      const { name } = input as { name: string };
      if (name === 'b') return new Promise(() => undefined); // in flight when the process dies
      return { name, copied: true };
    });
    const arn = await f.createMachine(MAP);
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify({ items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] }),
    });
    await until(async () => {
      const record = await readRecord(f.dir, executionArn);
      return Object.keys(record.redrivePoint?.map?.outputs ?? {}).length === 2;
    });
    await f.sfn.flush();

    // Act
    const restarted = await f.reopen();
    restarted.registerTaskHandler(fn('item'), async (input) => {
      const { name } = input as { name: string };
      calls.push(name);
      return { name, copied: true };
    });
    const done = await restarted.waitForExecution(executionArn);

    // Assert
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 0 });
    expect(JSON.parse(done.output ?? '')).toEqual([
      { name: 'a', copied: true },
      { name: 'b', copied: true },
      { name: 'c', copied: true },
    ]);
    expect(calls).toEqual(['b']);
  });

  it('does not run again an execution that was stopped or had ended', async () => {
    // Arrange
    let calls = 0;
    f.sfn.registerTaskHandler(fn('first'), async (input) => {
      calls += 1;
      return (input as { hang?: boolean }).hang ? new Promise(() => undefined) : input;
    });
    f.sfn.registerTaskHandler(fn('second'), async () => 'done');
    const arn = await f.createMachine(TWO_STEPS);
    const stopped = await f.sfn.startExecution({ stateMachineArn: arn, input: '{"hang":true}' });
    await until(async () => calls === 1);
    await f.sfn.handle('StopExecution', { executionArn: stopped.executionArn, error: 'Operator' }, CTX);
    const ended = await f.sfn.startExecution({ stateMachineArn: arn, input: '{}' });
    await f.sfn.waitForExecution(ended.executionArn);
    const historiesBefore = await Promise.all(
      [stopped, ended].map((e) => f.sfn.handle('GetExecutionHistory', { executionArn: e.executionArn }, CTX)),
    );
    calls = 0;

    // Act
    const restarted = await f.reopen();
    restarted.registerTaskHandler(fn('first'), async (input) => {
      calls += 1;
      return input;
    });
    restarted.registerTaskHandler(fn('second'), async () => 'again');
    const describedStopped = await restarted.waitForExecution(stopped.executionArn);
    const describedEnded = await restarted.waitForExecution(ended.executionArn);
    const historiesAfter = await Promise.all(
      [stopped, ended].map((e) =>
        restarted.handle('GetExecutionHistory', { executionArn: e.executionArn }, CTX),
      ),
    );

    // Assert
    expect(describedStopped).toMatchObject({ status: 'ABORTED', error: 'Operator' });
    expect(describedEnded).toMatchObject({ status: 'SUCCEEDED', output: '"done"' });
    expect(historiesAfter).toEqual(historiesBefore);
    expect(calls).toBe(0);
  });

  it("takes the end from the history when a crash lost the record's last write", async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('first'), async (input) => input);
    f.sfn.registerTaskHandler(fn('second'), async () => 'done');
    const arn = await f.createMachine(TWO_STEPS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name: 'lost-write' });
    await f.sfn.waitForExecution(executionArn);
    const path = join(f.dir, 'executions', 'us-east-1', 'relay', 'lost-write.json');
    const record = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(
      path,
      JSON.stringify({ ...record, status: 'RUNNING', stopDate: undefined, output: undefined }),
    );
    let calls = 0;

    // Act
    const restarted = await f.reopen();
    restarted.registerTaskHandler(fn('first'), async () => {
      calls += 1;
      return {};
    });
    const described = await restarted.waitForExecution(executionArn);

    // Assert
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '"done"', redriveCount: 0 });
    expect(calls).toBe(0);
  });

  it('drops a history line a crash cut short before the execution continues', async () => {
    // Arrange
    const stuck = deferred();
    f.sfn.registerTaskHandler(fn('first'), async () => {
      stuck.resolve();
      return new Promise(() => undefined);
    });
    const arn = await f.createMachine(TWO_STEPS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name: 'cut' });
    await stuck.promise;
    await f.sfn.flush();
    const historyPath = join(f.dir, 'executions', 'us-east-1', 'relay', 'cut.history.jsonl');
    const kept = (await readFile(historyPath, 'utf8')).trim().split('\n');
    await writeFile(historyPath, `${kept.join('\n')}\n{"id":${kept.length + 1},"previousEv`);

    // Act
    const restarted = await f.reopen();
    restarted.registerTaskHandler(fn('first'), async (input) => input);
    restarted.registerTaskHandler(fn('second'), async () => 'done');
    await restarted.waitForExecution(executionArn);
    const other = await f.reopen();
    const history = (await other.handle('GetExecutionHistory', { executionArn }, CTX)) as {
      events: Array<{ id: number; type: string }>;
    };

    // Assert
    expect(history.events.slice(0, kept.length).map((e) => e.type)).toEqual(
      kept.map((line) => JSON.parse(line).type),
    );
    expect(history.events.at(-1)?.type).toBe('ExecutionSucceeded');
    expect(history.events.map((event) => event.id)).toEqual(history.events.map((_, i) => i + 1));
  });

  it('on close, leaves running executions RUNNING on disk, and the next service continues them', async () => {
    // Arrange
    const started = deferred();
    const aborted = deferred();
    f.sfn.registerTaskHandler(fn('first'), async (_input, { signal }) => {
      signal.addEventListener('abort', () => aborted.resolve(), { once: true });
      started.resolve();
      return new Promise(() => undefined);
    });
    const arn = await f.createMachine(TWO_STEPS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, input: '{"k":2}' });
    await started.promise;

    // Act
    await f.sfn.close();
    await aborted.promise;
    const onDisk = await readRecord(f.dir, executionArn);
    const other = await f.reopen();
    other.registerTaskHandler(fn('first'), async (input) => input);
    other.registerTaskHandler(fn('second'), async () => 'after restart');
    const described = await other.waitForExecution(executionArn);

    // Assert
    expect(onDisk.status).toBe('RUNNING');
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '"after restart"', redriveCount: 0 });
  });
});

describe('finished executions', () => {
  it('are read from disk, not kept in memory: DescribeExecution, GetExecutionHistory and ListExecutions', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('first'), async (input) => input);
    f.sfn.registerTaskHandler(fn('second'), async () => 'done');
    const arn = await f.createMachine(TWO_STEPS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name: 'on-disk-only' });
    await f.sfn.waitForExecution(executionArn);
    const dir = join(f.dir, 'executions', 'us-east-1', 'relay');
    const record = JSON.parse(await readFile(join(dir, 'on-disk-only.json'), 'utf8'));
    const lines = (await readFile(join(dir, 'on-disk-only.history.jsonl'), 'utf8')).trim().split('\n');

    // Act: change the files behind the service's back
    await writeFile(join(dir, 'on-disk-only.json'), JSON.stringify({ ...record, output: '"edited"' }));
    await writeFile(join(dir, 'on-disk-only.history.jsonl'), `${lines.slice(0, 2).join('\n')}\n`);
    const described = await f.call('DescribeExecution', { executionArn });
    const history = await f.call<{ events: unknown[] }>('GetExecutionHistory', { executionArn });
    const list = await f.call<{ executions: Array<{ executionArn: string; status: string }> }>(
      'ListExecutions',
      { stateMachineArn: arn },
    );

    // Assert
    expect(described).toMatchObject({ status: 'SUCCEEDED', output: '"edited"' });
    expect(history.events).toHaveLength(2);
    expect(list.executions).toEqual([expect.objectContaining({ executionArn, status: 'SUCCEEDED' })]);
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
