import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  deferred,
  errorCode,
  type Fixture,
  fn,
  type HistoryEvent,
  historyOf,
  startFixture,
} from './fixture.ts';

const PASS = { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };
/** A state machine whose single Task waits until the test lets it go (or the execution stops). */
const BLOCKING = { StartAt: 'Block', States: { Block: { Type: 'Task', Resource: fn('block'), End: true } } };

let f: Fixture;
beforeEach(async () => {
  f = await startFixture();
});
afterEach(async () => {
  await f.dispose();
});

/** Registers the blocking handler; `release` lets every call return its input. */
function blockHandler(): { release: () => void; started: Promise<void>; aborted: Promise<void> } {
  const gate = deferred();
  const started = deferred();
  const aborted = deferred();
  f.sfn.registerTaskHandler(fn('block'), async (input, { signal }) => {
    signal.addEventListener('abort', () => aborted.resolve(), { once: true });
    started.resolve();
    await gate.promise;
    return input;
  });
  return { release: () => gate.resolve(), started: started.promise, aborted: aborted.promise };
}

describe('StartExecution / DescribeExecution', () => {
  it('starts an execution with a generated name and describes its result', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);

    // Act
    const started = await f.call<{ executionArn: string; startDate: Date }>('StartExecution', {
      stateMachineArn: arn,
      input: '{"key":"a.zip"}',
    });
    await f.sfn.waitForExecution(started.executionArn);
    const described = await f.call('DescribeExecution', { executionArn: started.executionArn });

    // Assert
    expect(started.executionArn).toMatch(
      /^arn:aws:states:us-east-1:000000000000:execution:relay:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(described).toMatchObject({
      executionArn: started.executionArn,
      stateMachineArn: arn,
      status: 'SUCCEEDED',
      input: '{"key":"a.zip"}',
      output: '{"key":"a.zip"}',
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution is SUCCEEDED and cannot be redriven',
    });
    expect(described.stopDate).toBeInstanceOf(Date);
    expect(described.startDate).toEqual(started.startDate);
  });

  it('returns the running execution for the same name and input, ExecutionAlreadyExists otherwise', async () => {
    // Arrange
    const arn = await f.createMachine(BLOCKING);
    const block = blockHandler();
    const first = await f.sfn.startExecution({ stateMachineArn: arn, name: 'evt-1', input: '{"a":1}' });

    // Act
    const again = await f.sfn.startExecution({ stateMachineArn: arn, name: 'evt-1', input: '{"a":1}' });
    const otherInput = await errorCode(
      f.sfn.startExecution({ stateMachineArn: arn, name: 'evt-1', input: '{"a":2}' }),
    );
    block.release();
    await f.sfn.waitForExecution(first.executionArn);
    const afterEnd = await errorCode(
      f.sfn.startExecution({ stateMachineArn: arn, name: 'evt-1', input: '{"a":1}' }),
    );

    // Assert
    expect(again).toEqual(first);
    expect(otherInput).toBe('ExecutionAlreadyExists');
    expect(afterEnd).toBe('ExecutionAlreadyExists');
  });

  it('rejects non-JSON input, bad names, unknown machines and unknown executions', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);

    // Act
    const codes = await Promise.all([
      errorCode(f.call('StartExecution', { stateMachineArn: arn, input: '{oops' })),
      errorCode(f.call('StartExecution', { stateMachineArn: arn, name: 'has space' })),
      errorCode(f.call('StartExecution', { stateMachineArn: `${arn}x` })),
      errorCode(
        f.call('DescribeExecution', { executionArn: `${arn.replace('stateMachine', 'execution')}:none` }),
      ),
      errorCode(f.call('DescribeExecution', { executionArn: 'arn:nope' })),
    ]);

    // Assert
    expect(codes).toEqual([
      'InvalidExecutionInput',
      'InvalidName',
      'StateMachineDoesNotExist',
      'ExecutionDoesNotExist',
      'InvalidArn',
    ]);
  });
});

describe('StopExecution', () => {
  it('aborts a running execution with the given error and cause and aborts its handler', async () => {
    // Arrange
    const arn = await f.createMachine(BLOCKING);
    const block = blockHandler();
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn });
    await block.started;

    // Act
    const out = await f.call('StopExecution', { executionArn, error: 'Operator', cause: 'stopped by hand' });
    await block.aborted;
    const described = await f.sfn.waitForExecution(executionArn);
    const events = await historyOf(f, executionArn);

    // Assert
    expect(out.stopDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by hand' });
    expect(described.redriveStatus).toBe('REDRIVABLE');
    expect(events.at(-1)).toMatchObject({
      type: 'ExecutionAborted',
      executionAbortedEventDetails: { error: 'Operator', cause: 'stopped by hand' },
    });
  });

  it('leaves an execution that already ended as it was', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn });
    const done = await f.sfn.waitForExecution(executionArn);

    // Act
    const out = await f.call('StopExecution', { executionArn });

    // Assert
    expect(out.stopDate).toEqual(done.stopDate);
    expect((await f.sfn.waitForExecution(executionArn)).status).toBe('SUCCEEDED');
  });
});

describe('ListExecutions', () => {
  it('lists newest first, filters by status and pages with nextToken', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);
    const names = ['e1', 'e2', 'e3'];
    for (const name of names) {
      const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name });
      await f.sfn.waitForExecution(executionArn);
    }

    // Act
    type Page = { executions: { name: string; status: string }[]; nextToken?: string };
    const first = await f.call<Page>('ListExecutions', { stateMachineArn: arn, maxResults: 2 });
    const second = await f.call<Page>('ListExecutions', {
      stateMachineArn: arn,
      maxResults: 2,
      nextToken: first.nextToken,
    });
    const failed = await f.call<Page>('ListExecutions', { stateMachineArn: arn, statusFilter: 'FAILED' });
    const badFilter = await errorCode(
      f.call('ListExecutions', { stateMachineArn: arn, statusFilter: 'DONE' }),
    );

    // Assert
    const all = [...first.executions, ...second.executions].map((e) => e.name);
    expect(all).toEqual(['e3', 'e2', 'e1']);
    expect(first.executions).toHaveLength(2);
    expect(second.nextToken).toBeUndefined();
    expect(failed.executions).toEqual([]);
    expect(badFilter).toBe('ValidationException');
  });

  it('answers StateMachineDoesNotExist for an unknown state machine', async () => {
    // Act
    const code = await errorCode(
      f.call('ListExecutions', {
        stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:none',
      }),
    );

    // Assert
    expect(code).toBe('StateMachineDoesNotExist');
  });
});

describe('GetExecutionHistory', () => {
  it('pages forward and in reverse, and leaves out data when asked', async () => {
    // Arrange
    const arn = await f.createMachine(PASS);
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, input: '{"secret":1}' });
    await f.sfn.waitForExecution(executionArn);
    type Page = { events: HistoryEvent[]; nextToken?: string };

    // Act
    const first = await f.call<Page>('GetExecutionHistory', { executionArn, maxResults: 2 });
    const rest = await f.call<Page>('GetExecutionHistory', {
      executionArn,
      maxResults: 2,
      nextToken: first.nextToken,
    });
    const reverse = await f.call<Page>('GetExecutionHistory', { executionArn, reverseOrder: true });
    const noData = await f.call<Page>('GetExecutionHistory', { executionArn, includeExecutionData: false });
    const crossed = await errorCode(
      f.call('GetExecutionHistory', { executionArn, reverseOrder: true, nextToken: first.nextToken }),
    );

    // Assert
    expect(first.events.map((e) => e.type)).toEqual(['ExecutionStarted', 'PassStateEntered']);
    expect(rest.events.map((e) => e.type)).toEqual(['PassStateExited', 'ExecutionSucceeded']);
    expect(reverse.events.map((e) => e.id)).toEqual([4, 3, 2, 1]);
    expect(noData.events[0]?.executionStartedEventDetails).toEqual({ roleArn: expect.any(String) });
    expect(first.events[0]?.executionStartedEventDetails).toMatchObject({ input: '{"secret":1}' });
    expect(crossed).toBe('InvalidToken');
  });
});
