import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { deferred, errorCode, type Fixture, fn, historyOf, named, startFixture } from './fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture(0.000001);
});
afterEach(async () => {
  vi.useRealTimers();
  await f.dispose();
});

/** Pass 1 isolates targets (Catch → failed); pass 2 re-copies failed ones without a Catch (DESIGN §1). */
const twoPasses = {
  StartAt: 'Resolve',
  States: {
    Resolve: { Type: 'Task', Resource: fn('resolve'), Next: 'RelayToTargets' },
    RelayToTargets: {
      Type: 'Map',
      ItemsPath: '$.targets',
      ItemProcessor: {
        StartAt: 'Copy',
        States: {
          Copy: {
            Type: 'Task',
            Resource: fn('copy'),
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }],
            End: true,
          },
          MarkFailed: { Type: 'Pass', Parameters: { 'target.$': '$.target', status: 'failed' }, End: true },
        },
      },
      Next: 'RetryFailedTargets',
    },
    RetryFailedTargets: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'Failed?',
        States: {
          'Failed?': {
            Type: 'Choice',
            Choices: [{ Variable: '$.status', StringEquals: 'failed', Next: 'CopyAgain' }],
            Default: 'Keep',
          },
          CopyAgain: { Type: 'Task', Resource: fn('copy'), End: true },
          Keep: { Type: 'Pass', End: true },
        },
      },
      Next: 'Summarize',
    },
    Summarize: { Type: 'Pass', End: true },
  },
};

function relayHandlers() {
  const calls = { resolve: 0, copy: new Map<string, number>() };
  let broken = true;
  f.sfn.registerTaskHandler(fn('resolve'), async (input) => {
    calls.resolve += 1;
    return input;
  });
  f.sfn.registerTaskHandler(fn('copy'), async (input) => {
    const { target } = input as { target: string };
    calls.copy.set(target, (calls.copy.get(target) ?? 0) + 1);
    if (target === 'seoul' && broken) throw named('AccessDenied', 'artifacts-seoul denies PutObject');
    return { target, status: 'copied' };
  });
  return { calls, fix: () => (broken = false) };
}

const TARGETS = { targets: [{ target: 'frankfurt' }, { target: 'seoul' }] };

describe('RedriveExecution', () => {
  it('continues a failed execution from the failed state, re-running only the failed iterations', async () => {
    // Arrange
    const { calls, fix } = relayHandlers();
    const arn = await f.createMachine(twoPasses);
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify(TARGETS),
    });
    const failed = await f.sfn.waitForExecution(executionArn);
    fix();

    // Act
    const out = await f.call('RedriveExecution', { executionArn });
    const result = await f.sfn.waitForExecution(executionArn);
    const events = await historyOf(f, executionArn);

    // Assert
    expect(failed).toMatchObject({ status: 'FAILED', error: 'AccessDenied', redriveStatus: 'REDRIVABLE' });
    expect(out.redriveDate).toBeInstanceOf(Date);
    expect(result).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, redriveDate: out.redriveDate });
    expect(JSON.parse(String(result.output))).toEqual([
      { target: 'frankfurt', status: 'copied' },
      { target: 'seoul', status: 'copied' },
    ]);
    expect(calls.resolve).toBe(1);
    expect(calls.copy.get('frankfurt')).toBe(1);
    expect(calls.copy.get('seoul')).toBe(3);
    const redriven = events.findIndex((e) => e.type === 'ExecutionRedriven');
    expect(events[redriven - 1]?.type).toBe('ExecutionFailed');
    expect(events[redriven]?.executionRedrivenEventDetails).toEqual({ redriveCount: 1 });
    const after = events.slice(redriven + 1);
    expect(after[0]).toMatchObject({
      type: 'MapStateEntered',
      stateEnteredEventDetails: { name: 'RetryFailedTargets' },
    });
    expect(
      after.filter((e) => e.type === 'MapIterationStarted').map((e) => e.mapIterationStartedEventDetails),
    ).toEqual([{ name: 'RetryFailedTargets', index: 1 }]);
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  });

  it('refuses running and succeeded executions with ExecutionNotRedrivable and the reason', async () => {
    // Arrange
    const gate = deferred();
    f.sfn.registerTaskHandler(fn('block'), async () => gate.promise);
    const blocking = await f.createMachine(
      { StartAt: 'B', States: { B: { Type: 'Task', Resource: fn('block'), End: true } } },
      'blocking',
    );
    const running = await f.sfn.startExecution({ stateMachineArn: blocking });

    // Act
    const whileRunning = await f.sfn
      .handle(
        'RedriveExecution',
        { executionArn: running.executionArn },
        {
          region: 'us-east-1',
          requestId: 'r',
          accountId: '000000000000',
        },
      )
      .catch((error: Error & { code: string }) => error);
    gate.resolve();
    await f.sfn.waitForExecution(running.executionArn);
    const whenSucceeded = await errorCode(f.call('RedriveExecution', { executionArn: running.executionArn }));
    const unknown = await errorCode(
      f.call('RedriveExecution', { executionArn: running.executionArn.replace(/:[^:]+$/, ':none') }),
    );

    // Assert
    expect(whileRunning).toMatchObject({ code: 'ExecutionNotRedrivable' });
    expect((whileRunning as Error).message).toContain('Execution is RUNNING and cannot be redriven');
    expect(whenSucceeded).toBe('ExecutionNotRedrivable');
    expect(unknown).toBe('ExecutionDoesNotExist');
  });

  it('refuses an execution that stopped more than 14 days ago', async () => {
    // Arrange
    relayHandlers();
    const arn = await f.createMachine(twoPasses);
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify(TARGETS),
    });
    await f.sfn.waitForExecution(executionArn);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 15 * 24 * 60 * 60 * 1000);

    // Act
    const described = await f.call('DescribeExecution', { executionArn });
    const code = await errorCode(f.call('RedriveExecution', { executionArn }));

    // Assert
    expect(described).toMatchObject({
      redriveStatus: 'NOT_REDRIVABLE',
      redriveStatusReason: 'Execution redrivable period exceeded.',
    });
    expect(code).toBe('ExecutionNotRedrivable');
  });

  it('redrives an aborted execution and counts every redrive; ListExecutions filters redriven ones', async () => {
    // Arrange
    const gate = deferred();
    let calls = 0;
    f.sfn.registerTaskHandler(fn('block'), async () => {
      calls += 1;
      if (calls === 1) await gate.promise;
      return 'done';
    });
    const arn = await f.createMachine({
      StartAt: 'B',
      States: { B: { Type: 'Task', Resource: fn('block'), End: true } },
    });
    const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, name: 'stopped-once' });
    await f.call('StopExecution', { executionArn, error: 'Operator' });
    gate.resolve();

    // Act
    await f.call('RedriveExecution', { executionArn });
    const result = await f.sfn.waitForExecution(executionArn);
    const redriven = await f.call<{ executions: { name: string }[] }>('ListExecutions', {
      stateMachineArn: arn,
      redriveFilter: 'REDRIVEN',
    });
    const notRedriven = await f.call<{ executions: unknown[] }>('ListExecutions', {
      stateMachineArn: arn,
      redriveFilter: 'NOT_REDRIVEN',
    });

    // Assert
    expect(result).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1, output: '"done"' });
    expect(result.error).toBeUndefined();
    expect(redriven.executions.map((e) => e.name)).toEqual(['stopped-once']);
    expect(notRedriven.executions).toEqual([]);
  });
});
