import { HistoryEventType } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Fixture, fn, type HistoryEvent, historyOf, named, startFixture } from './fixture.ts';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture(0.000001);
});
afterEach(async () => {
  await f.dispose();
});

const NO_DETAILS = new Set([
  'LambdaFunctionStarted',
  'MapStateSucceeded',
  'MapStateFailed',
  'ParallelStateStarted',
  'ParallelStateSucceeded',
  'ParallelStateFailed',
  'TaskStateAborted',
  'WaitStateAborted',
  'MapStateAborted',
  'ParallelStateAborted',
]);

/** The details member AWS uses for an event type. */
function detailsKey(type: string): string {
  if (type.endsWith('StateEntered')) return 'stateEnteredEventDetails';
  if (type.endsWith('StateExited')) return 'stateExitedEventDetails';
  return `${type[0]?.toLowerCase()}${type.slice(1)}EventDetails`;
}

const relayLike = {
  StartAt: 'Resolve',
  States: {
    Resolve: { Type: 'Pass', Next: 'Targets' },
    Targets: {
      Type: 'Map',
      ItemsPath: '$.targets',
      MaxConcurrency: 2,
      ItemProcessor: {
        StartAt: 'Copy',
        States: {
          Copy: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: fn('copy'), 'Payload.$': '$.target' },
            Retry: [{ ErrorEquals: ['SlowDown'], IntervalSeconds: 2, MaxAttempts: 2 }],
            Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }],
            Next: 'Pause',
          },
          Pause: { Type: 'Wait', Seconds: 5, Next: 'Done' },
          Done: { Type: 'Succeed' },
          MarkFailed: { Type: 'Pass', Parameters: { status: 'failed' }, End: true },
        },
      },
      Next: 'Summarize',
    },
    Summarize: { Type: 'Pass', End: true },
  },
};

describe('execution history', () => {
  it('numbers events from 1 and chains each to an earlier one, in AWS shapes', async () => {
    // Arrange
    const calls = new Map<string, number>();
    f.sfn.registerTaskHandler(fn('copy'), async (payload) => {
      const target = String(payload);
      const n = (calls.get(target) ?? 0) + 1;
      calls.set(target, n);
      if (target === 'flaky' && n === 1) throw named('SlowDown', 'please reduce your request rate');
      if (target === 'broken') throw named('AccessDenied', 'denied');
      return { target, status: 'copied' };
    });
    const arn = await f.createMachine(relayLike);
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify({ targets: [{ target: 'ok' }, { target: 'flaky' }, { target: 'broken' }] }),
    });

    // Act
    const result = await f.sfn.waitForExecution(executionArn);
    const events = await historyOf(f, executionArn);

    // Assert
    expect(result.status).toBe('SUCCEEDED');
    expect(events.filter((e) => e.type === 'TaskFailed')).toHaveLength(2);
    const validTypes = new Set<string>(Object.values(HistoryEventType));
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    for (const event of events) {
      expect(validTypes.has(event.type), event.type).toBe(true);
      expect(event.previousEventId).toBeLessThan(event.id);
      expect(event.previousEventId).toBeGreaterThanOrEqual(0);
      expect(event.timestamp).toBeInstanceOf(Date);
      const members = Object.keys(event).filter((k) => k.endsWith('EventDetails'));
      expect(members).toEqual(NO_DETAILS.has(event.type) ? [] : [detailsKey(event.type)]);
    }
  });

  it('shows each task attempt and each Map iteration with its index', async () => {
    // Arrange
    let attempts = 0;
    f.sfn.registerTaskHandler(fn('copy'), async (payload) => {
      if (payload === 'flaky' && attempts++ === 0) throw named('SlowDown', 'please reduce your request rate');
      return payload;
    });
    const arn = await f.createMachine(relayLike);
    const { executionArn } = await f.sfn.startExecution({
      stateMachineArn: arn,
      input: JSON.stringify({ targets: [{ target: 'ok' }, { target: 'flaky' }] }),
    });

    // Act
    await f.sfn.waitForExecution(executionArn);
    const events = await historyOf(f, executionArn);

    // Assert
    const byId = new Map(events.map((e) => [e.id, e]));
    /** Follows previousEventId back to the MapIterationStarted the event belongs to. */
    const iterationOf = (event: HistoryEvent): number | undefined => {
      let at: HistoryEvent | undefined = event;
      while (at && at.type !== 'MapIterationStarted') at = byId.get(at.previousEventId);
      return (at?.mapIterationStartedEventDetails as { index: number } | undefined)?.index;
    };
    const scheduled = events.filter((e) => e.type === 'TaskScheduled');
    expect(scheduled.map(iterationOf).sort()).toEqual([0, 1, 1]);
    const failed = events.filter((e) => e.type === 'TaskFailed');
    expect(failed.map(iterationOf)).toEqual([1]);
    expect(failed[0]?.taskFailedEventDetails).toMatchObject({
      resourceType: 'lambda',
      resource: 'invoke',
      error: 'SlowDown',
    });
    const iterationEnds = events
      .filter((e) => e.type === 'MapIterationSucceeded')
      .map((e) => e.mapIterationSucceededEventDetails);
    expect(iterationEnds).toEqual(
      expect.arrayContaining([
        { name: 'Targets', index: 0 },
        { name: 'Targets', index: 1 },
      ]),
    );
    const startedIndex = events.findIndex((e) => e.type === 'MapStateStarted');
    const succeededIndex = events.findIndex((e) => e.type === 'MapStateSucceeded');
    expect(
      events.slice(startedIndex, succeededIndex).filter((e) => e.type.startsWith('MapIteration')),
    ).toHaveLength(4);
  });
});
