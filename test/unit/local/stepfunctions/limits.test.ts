import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_HISTORY_EVENTS } from '../../../../local/stepfunctions/history.ts';
import { StepFunctionsService } from '../../../../local/stepfunctions/service.ts';
import { MAX_PAYLOAD_BYTES } from '../../../../local/stepfunctions/task-invoker.ts';
import {
  ACCOUNT,
  CTX,
  type Fixture,
  fn,
  type HistoryEvent,
  historyOf,
  ROLE,
  startFixture,
} from './fixture.ts';

const big = (bytes: number): string => 'x'.repeat(bytes);

describe('the 256 KiB payload quota on Pass and Map outputs', () => {
  let f: Fixture;
  beforeEach(async () => {
    f = await startFixture(0.000001);
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function run(definition: object, input: unknown = {}) {
    const arn = await f.createMachine(definition);
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify(input),
    });
    const result = await f.sfn.waitForExecution(executionArn);
    return { result, events: await historyOf(f, executionArn) };
  }

  it('fails the execution with States.DataLimitExceeded when a Pass output is over 256 KiB, before the next state runs', async () => {
    // Arrange
    let nextRan = false;
    f.sfn.registerTaskHandler(fn('after'), async () => {
      nextRan = true;
      return {};
    });
    const definition = {
      StartAt: 'Grow',
      States: {
        Grow: { Type: 'Pass', Result: big(MAX_PAYLOAD_BYTES), ResultPath: '$.blob', Next: 'After' },
        After: { Type: 'Task', Resource: fn('after'), End: true },
      },
    };

    // Act
    const { result, events } = await run(definition);

    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.DataLimitExceeded');
    expect(result.cause).toContain("'Grow'");
    expect(nextRan).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered', 'ExecutionFailed']);
  });

  it('does not let a Catch on States.ALL catch an oversized Map output', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('item'), async () => big(100 * 1024));
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Item',
            States: { Item: { Type: 'Task', Resource: fn('item'), End: true } },
          },
          Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Succeed' },
      },
    };

    // Act
    const { result, events } = await run(definition, { items: [1, 2, 3] });

    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.DataLimitExceeded');
    expect(events.map((e) => e.type)).toContain('MapStateFailed');
    expect(events.map((e) => e.type)).not.toContain('MapStateExited');
  });

  it('passes Pass and Map outputs at the quota on unchanged', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('item'), async (input) => input);
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Item',
            States: { Item: { Type: 'Task', Resource: fn('item'), End: true } },
          },
          Next: 'Shape',
        },
        Shape: { Type: 'Pass', Parameters: { 'count.$': 'States.ArrayLength($)' }, End: true },
      },
    };

    // Act
    const { result } = await run(definition, { items: [1, 2, 3] });

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe('{"count":3}');
  });
});

describe('the execution history quota', () => {
  let dir: string;
  let sfn: StepFunctionsService | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-sfn-limit-'));
  });
  afterEach(async () => {
    await sfn?.close();
    sfn = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  async function open(maxHistoryEvents?: number): Promise<StepFunctionsService> {
    const service = new StepFunctionsService({
      dataDir: dir,
      accountId: ACCOUNT,
      timeScale: 0.000001,
      ...(maxHistoryEvents !== undefined ? { maxHistoryEvents } : {}),
    });
    await service.init();
    sfn = service;
    return service;
  }

  async function startLoop(service: StepFunctionsService): Promise<string> {
    const definition = {
      StartAt: 'Loop',
      States: {
        Loop: {
          Type: 'Choice',
          Choices: [{ Variable: '$.spin', BooleanEquals: true, Next: 'Loop' }],
          Default: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    };
    const { stateMachineArn } = (await service.handle(
      'CreateStateMachine',
      { name: 'loop', definition: JSON.stringify(definition), roleArn: ROLE },
      CTX,
    )) as { stateMachineArn: string };
    const { executionArn } = await service.startExecution({
      stateMachineArn,
      input: JSON.stringify({ spin: true }),
    });
    return executionArn;
  }

  it('is 25,000 events, as on AWS', () => {
    // Assert
    expect(MAX_HISTORY_EVENTS).toBe(25_000);
  });

  it('fails an endless execution with States.Runtime, the failure taking the last place', async () => {
    // Arrange
    const service = await open(50);
    const executionArn = await startLoop(service);

    // Act
    const result = await service.waitForExecution(executionArn);

    // Assert
    const { events } = (await service.handle(
      'GetExecutionHistory',
      { executionArn, maxResults: 1000 },
      CTX,
    )) as { events: HistoryEvent[] };
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
    expect(result.cause).toBe('The execution reached the maximum number of history events (50).');
    expect(events).toHaveLength(50);
    expect(events.at(-1)).toMatchObject({ id: 50, previousEventId: 49, type: 'ExecutionFailed' });
    expect(result.redriveStatus).toBe('NOT_REDRIVABLE');
    expect(result.redriveStatusReason).toBe('Execution history event limit exceeded.');
  });

  it('refuses to redrive an execution that reached the quota, also after a restart', async () => {
    // Arrange
    const first = await open(40);
    const executionArn = await startLoop(first);
    await first.waitForExecution(executionArn);
    await first.close();
    const service = await open(40);

    // Act
    const redrive = service.handle('RedriveExecution', { executionArn }, CTX);

    // Assert
    await expect(redrive).rejects.toMatchObject({ code: 'ExecutionNotRedrivable' });
  });
});
