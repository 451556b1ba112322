import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deferred, type Fixture, fn, type HistoryEvent, historyOf, named, startFixture } from './fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture(0.000001);
});
afterEach(async () => {
  await f.dispose();
});

async function run(definition: object, input: unknown = {}) {
  const arn = await f.createMachine(definition);
  const { executionArn } = await f.sfn.startExecution({ stateMachineArn: arn, input: JSON.stringify(input) });
  const result = await f.sfn.waitForExecution(executionArn);
  return { result, events: await historyOf(f, executionArn), executionArn };
}

const types = (events: HistoryEvent[]): string[] => events.map((e) => e.type);

describe('Retry', () => {
  it('retries with the definition’s (scaled) backoff, logging every attempt', async () => {
    // Arrange
    let calls = 0;
    f.sfn.registerTaskHandler(fn('copy'), async () => {
      calls += 1;
      if (calls < 4) throw named('Throttled', `attempt ${calls}`);
      return { copied: true };
    });
    const definition = {
      StartAt: 'Copy',
      States: {
        Copy: {
          Type: 'Task',
          Resource: fn('copy'),
          // Unscaled this would wait 1 h + 2 h + 4 h.
          Retry: [{ ErrorEquals: ['Throttled'], IntervalSeconds: 3600, BackoffRate: 2, MaxAttempts: 3 }],
          End: true,
        },
      },
    };

    // Act
    const { result, events } = await run(definition);

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe('{"copied":true}');
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      ...['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed'],
      ...['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed'],
      ...['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionFailed'],
      ...['LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded'],
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    const failures = events.filter((e) => e.type === 'LambdaFunctionFailed');
    expect(failures.map((e) => (e.lambdaFunctionFailedEventDetails as { error: string }).error)).toEqual([
      'Throttled',
      'Throttled',
      'Throttled',
    ]);
  });

  it('fails the execution with the handler’s error once the attempts are used up', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('copy'), async () => {
      throw named('Throttled', 'slow down');
    });
    const definition = {
      StartAt: 'Copy',
      States: {
        Copy: {
          Type: 'Task',
          Resource: fn('copy'),
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 2 }],
          End: true,
        },
      },
    };

    // Act
    const { result, events } = await run(definition);

    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Throttled');
    expect(JSON.parse(String(result.cause))).toMatchObject({
      errorType: 'Throttled',
      errorMessage: 'slow down',
    });
    expect(types(events).filter((t) => t === 'LambdaFunctionScheduled')).toHaveLength(3);
    expect(events.at(-1)?.type).toBe('ExecutionFailed');
  });
});

describe('Catch', () => {
  it('catches a handler error by its name and continues with the error at the ResultPath', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('verify'), async () => {
      throw named('VerificationFailed', 'checksum mismatch');
    });
    const definition = {
      StartAt: 'Verify',
      States: {
        Verify: {
          Type: 'Task',
          Resource: fn('verify'),
          Catch: [
            { ErrorEquals: ['SomethingElse'], Next: 'Wrong' },
            { ErrorEquals: ['VerificationFailed'], ResultPath: '$.error', Next: 'Report' },
          ],
          End: true,
        },
        Wrong: { Type: 'Fail', Error: 'Wrong' },
        Report: { Type: 'Pass', Parameters: { status: 'failed', 'error.$': '$.error.Error' }, End: true },
      },
    };

    // Act
    const { result, events } = await run(definition, { key: 'a.zip' });

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(result.output))).toEqual({ status: 'failed', error: 'VerificationFailed' });
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });
});

describe('Map', () => {
  it('runs at most MaxConcurrency iterations at once and keeps the results in item order', async () => {
    // Arrange
    let active = 0;
    let most = 0;
    const secondStarted = deferred();
    f.sfn.registerTaskHandler(fn('copy'), async (input) => {
      const item = input as { n: number };
      active += 1;
      most = Math.max(most, active);
      if (item.n === 1) secondStarted.resolve();
      if (item.n === 0) await secondStarted.promise; // only completes if two run at once
      active -= 1;
      return item.n * 10;
    });
    const definition = {
      StartAt: 'Targets',
      States: {
        Targets: {
          Type: 'Map',
          ItemsPath: '$.targets',
          MaxConcurrency: 2,
          ItemSelector: { 'n.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index' },
          ItemProcessor: {
            StartAt: 'Copy',
            States: { Copy: { Type: 'Task', Resource: fn('copy'), End: true } },
          },
          End: true,
        },
      },
    };

    // Act
    const { result, events } = await run(definition, { targets: [0, 1, 2, 3, 4] });

    // Assert
    expect(result.output).toBe('[0,10,20,30,40]');
    expect(most).toBe(2);
    expect(events.find((e) => e.type === 'MapStateStarted')?.mapStateStartedEventDetails).toEqual({
      length: 5,
    });
    const started = events.filter((e) => e.type === 'MapIterationStarted');
    const succeeded = events.filter((e) => e.type === 'MapIterationSucceeded');
    expect(started.map((e) => e.mapIterationStartedEventDetails)).toEqual(
      [0, 1, 2, 3, 4].map((index) => ({ name: 'Targets', index })),
    );
    expect(succeeded).toHaveLength(5);
  });

  it('fails the Map with the first failing iteration’s error and aborts the others', async () => {
    // Arrange
    const failNow = deferred();
    f.sfn.registerTaskHandler(fn('copy'), async (input, { signal }) => {
      if (input === 'bad') {
        await failNow.promise;
        throw named('AccessDenied', 'no access to artifacts-seoul');
      }
      failNow.resolve();
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
      return 'late';
    });
    const definition = {
      StartAt: 'Targets',
      States: {
        Targets: {
          Type: 'Map',
          ItemProcessor: {
            StartAt: 'Copy',
            States: { Copy: { Type: 'Task', Resource: fn('copy'), End: true } },
          },
          Catch: [{ ErrorEquals: ['AccessDenied'], Next: 'Caught' }],
          End: true,
        },
        Caught: { Type: 'Pass', End: true },
      },
    };

    // Act
    const { result, events } = await run(definition, ['bad', 'slow']);

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(String(result.output))).toMatchObject({ Error: 'AccessDenied' });
    const mapEvents = types(events).filter((t) => t.startsWith('Map') || t === 'TaskStateAborted');
    expect(mapEvents).toEqual([
      'MapStateEntered',
      'MapStateStarted',
      'MapIterationStarted',
      'MapIterationStarted',
      'MapIterationFailed',
      'TaskStateAborted',
      'MapIterationAborted',
      'MapStateFailed',
    ]);
  });

  it('gives every iteration the execution input as $$.Execution.Input', async () => {
    // Arrange
    const definition = {
      StartAt: 'Each',
      States: {
        Each: {
          Type: 'Map',
          ItemsPath: '$.items',
          ItemProcessor: {
            StartAt: 'Echo',
            States: {
              Echo: {
                Type: 'Pass',
                Parameters: { 'item.$': '$', 'source.$': '$$.Execution.Input.source' },
                End: true,
              },
            },
          },
          End: true,
        },
      },
    };

    // Act
    const { result } = await run(definition, { source: 'build-artifacts', items: ['x'] });

    // Assert
    expect(JSON.parse(String(result.output))).toEqual([{ item: 'x', source: 'build-artifacts' }]);
  });
});

describe('Wait', () => {
  it('honours Seconds, SecondsPath and Timestamp waits scaled by the time scale', async () => {
    // Arrange
    const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
    const definition = {
      StartAt: 'Fixed',
      States: {
        Fixed: { Type: 'Wait', Seconds: 3600, Next: 'FromInput' },
        FromInput: { Type: 'Wait', SecondsPath: '$.delay', Next: 'Until' },
        Until: { Type: 'Wait', TimestampPath: '$.until', OutputPath: '$.delay', End: true },
      },
    };

    // Act
    const { result, events } = await run(definition, { delay: 7200, until: inAnHour });

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toBe('7200');
    expect(types(events).filter((t) => t.startsWith('Wait'))).toEqual([
      'WaitStateEntered',
      'WaitStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'WaitStateEntered',
      'WaitStateExited',
    ]);
  });

  it('fails with States.Runtime when SecondsPath does not select a non-negative integer', async () => {
    // Arrange
    const definition = { StartAt: 'W', States: { W: { Type: 'Wait', SecondsPath: '$.delay', End: true } } };

    // Act
    const { result } = await run(definition, { delay: 'soon' });

    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('States.Runtime');
  });
});

describe('Parallel', () => {
  it('runs every branch on the same input and outputs their results in branch order', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('verify'), async (input) => ({ verified: input }));
    const definition = {
      StartAt: 'Both',
      States: {
        Both: {
          Type: 'Parallel',
          Branches: [
            { StartAt: 'V', States: { V: { Type: 'Task', Resource: fn('verify'), End: true } } },
            { StartAt: 'P', States: { P: { Type: 'Pass', Result: 'passed', End: true } } },
          ],
          End: true,
        },
      },
    };

    // Act
    const { result, events } = await run(definition, 'a.zip');

    // Assert
    expect(JSON.parse(String(result.output))).toEqual([{ verified: 'a.zip' }, 'passed']);
    expect(types(events)).toContain('ParallelStateStarted');
    expect(types(events)).toContain('ParallelStateSucceeded');
  });
});

describe('Task resources', () => {
  it('calls the lambda:invoke handler with Payload and wraps its result as the integration does', async () => {
    // Arrange
    let received: unknown;
    f.sfn.registerTaskHandler(fn('resolve'), async (payload) => {
      received = payload;
      return { targets: 2 };
    });
    const definition = {
      StartAt: 'Resolve',
      States: {
        Resolve: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fn('resolve'), 'Payload.$': '$' },
          ResultSelector: { 'result.$': '$.Payload', 'status.$': '$.StatusCode' },
          End: true,
        },
      },
    };

    // Act
    const { result, events } = await run(definition, { key: 'a.zip' });

    // Assert
    expect(received).toEqual({ key: 'a.zip' });
    expect(JSON.parse(String(result.output))).toEqual({ result: { targets: 2 }, status: 200 });
    const scheduled = events.find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
      parameters: JSON.stringify({ FunctionName: fn('resolve'), Payload: { key: 'a.zip' } }),
    });
  });

  it('fails a Task without a registered handler with Local.NoTaskHandler, without retrying or calling AWS', async () => {
    // Arrange
    const definition = {
      StartAt: 'Deploy',
      States: {
        Deploy: {
          Type: 'Task',
          Resource: 'arn:aws:states:::lambda:invoke',
          Parameters: { FunctionName: fn('nobody-registered-me'), 'Payload.$': '$' },
          Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 5 }],
          End: true,
        },
      },
    };

    // Act
    const { result, events } = await run(definition);

    // Assert
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('Local.NoTaskHandler');
    expect(result.cause).toContain(`registerTaskHandler('${fn('nobody-registered-me')}'`);
    expect(types(events)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskStarted',
      'TaskFailed',
      'ExecutionFailed',
    ]);
  });

  it('times a Task out after its TimeoutSeconds, aborting the handler, and lets Catch see States.Timeout', async () => {
    // Arrange
    const aborted = deferred();
    f.sfn.registerTaskHandler(fn('slow'), (_input, { signal }) => {
      signal.addEventListener('abort', () => aborted.resolve(), { once: true });
      return new Promise(() => undefined);
    });
    const definition = {
      StartAt: 'Slow',
      States: {
        Slow: {
          Type: 'Task',
          Resource: fn('slow'),
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ['States.Timeout'], Next: 'TimedOut' }],
          End: true,
        },
        TimedOut: { Type: 'Pass', End: true },
      },
    };

    // Act
    const { result, events } = await run(definition);
    await aborted.promise;

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    const timedOut = events.find((e) => e.type === 'LambdaFunctionTimedOut');
    expect(timedOut?.lambdaFunctionTimedOutEventDetails).toMatchObject({ error: 'States.Timeout' });
  });

  it('ends an execution that outlives the state machine’s TimeoutSeconds as TIMED_OUT', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('slow'), () => new Promise(() => undefined));
    const definition = {
      StartAt: 'Slow',
      TimeoutSeconds: 1,
      States: { Slow: { Type: 'Task', Resource: fn('slow'), End: true } },
    };

    // Act
    const { result, events } = await run(definition);

    // Assert
    expect(result).toMatchObject({
      status: 'TIMED_OUT',
      error: 'States.Timeout',
      redriveStatus: 'REDRIVABLE',
    });
    expect(events.at(-1)?.type).toBe('ExecutionTimedOut');
  });

  it('fails with a Fail state’s error and cause', async () => {
    // Arrange
    const definition = {
      StartAt: 'Stop',
      States: { Stop: { Type: 'Fail', Error: 'NoTargets', Cause: 'nothing to do' } },
    };

    // Act
    const { result, events } = await run(definition);

    // Assert
    expect(result).toMatchObject({ status: 'FAILED', error: 'NoTargets', cause: 'nothing to do' });
    expect(types(events)).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
  });
});
