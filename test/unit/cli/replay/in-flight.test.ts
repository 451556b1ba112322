import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mapConcurrently } from '../../../../cli/concurrency.ts';
import { InFlightWindow } from '../../../../cli/replay/in-flight.ts';

const sfnMock = mockClient(SFNClient);
const sfn = new SFNClient({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
const arn = (n: number) => `arn:aws:states:us-west-2:111122223333:execution:artifact-relay:e${n}`;

afterEach(() => {
  sfnMock.reset();
  vi.useRealTimers();
});

/** The ARNs DescribeExecution was asked about, in order. */
const described = () =>
  sfnMock.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn);

/** A window holding `count` started executions, e0 the oldest. */
async function fullWindow(max: number, options: ConstructorParameters<typeof InFlightWindow>[2] = {}) {
  const window = new InFlightWindow(sfn, max, { pollIntervalMs: 0, ...options });
  for (let n = 0; n < max; n++) {
    await window.admit();
    window.started(arn(n));
  }
  return window;
}

describe('InFlightWindow', () => {
  it('never has more executions running than the cap, with more starts in parallel than the cap', async () => {
    // Arrange: an execution ends once DescribeExecution has seen it running twice
    const running = new Set<string>();
    const seen = new Map<string, number>();
    let most = 0;
    sfnMock.on(DescribeExecutionCommand).callsFake(async ({ executionArn }: { executionArn: string }) => {
      const times = (seen.get(executionArn) ?? 0) + 1;
      seen.set(executionArn, times);
      if (times < 3) return { status: 'RUNNING' };
      running.delete(executionArn);
      return { status: 'SUCCEEDED' };
    });
    const window = new InFlightWindow(sfn, 3, { pollIntervalMs: 0 });

    // Act: 10 starts at a time, each answering a turn of the event loop later
    await mapConcurrently(
      Array.from({ length: 30 }, (_, n) => n),
      10,
      async (n) => {
        await window.admit();
        await new Promise((resolve) => setImmediate(resolve));
        running.add(arn(n));
        most = Math.max(most, running.size);
        window.started(arn(n));
      },
    );

    // Assert
    expect(most).toBe(3);
    expect(window.size).toBeLessThanOrEqual(3);
  });

  it('holds a start back until DescribeExecution reports an execution ended', async () => {
    // Arrange
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'FAILED' });
    const window = await fullWindow(1);

    // Act
    const asksBeforeAdmitted = await window.admit().then(() => described().length);

    // Assert
    expect(asksBeforeAdmitted).toBe(3);
    expect(described()).toEqual([arn(0), arn(0), arn(0)]);
    expect(window.size).toBe(1);
  });

  it('counts an execution that no longer exists as ended', async () => {
    // Arrange
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
    const window = await fullWindow(1);

    // Act
    await window.admit();

    // Assert
    expect(described()).toEqual([arn(0)]);
  });

  it('passes on any other DescribeExecution error', async () => {
    // Arrange
    sfnMock
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const window = await fullWindow(1);

    // Act / Assert
    await expect(window.admit()).rejects.toThrow('not authorized');
  });

  it('asks about a bounded number a round, the oldest first, then those not asked about yet', async () => {
    // Arrange: everything runs through two rounds; count the calls answering at once
    let answering = 0;
    let mostAtOnce = 0;
    sfnMock.on(DescribeExecutionCommand).callsFake(async () => {
      answering += 1;
      mostAtOnce = Math.max(mostAtOnce, answering);
      await new Promise((resolve) => setImmediate(resolve));
      answering -= 1;
      return { status: described().length > 20 ? 'SUCCEEDED' : 'RUNNING' };
    });
    const window = await fullWindow(30, { perRound: 10 });

    // Act
    await window.admit();

    // Assert
    expect(mostAtOnce).toBe(10);
    expect(described().slice(0, 20)).toEqual(Array.from({ length: 20 }, (_, n) => arn(n)));
    expect(described().slice(20, 30)).toEqual(Array.from({ length: 10 }, (_, n) => arn(n + 20)));
  });

  it('starts a round at most once a poll interval', async () => {
    // Arrange
    vi.useFakeTimers();
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const window = await fullWindow(20, { perRound: 10, pollIntervalMs: 1000 });

    // Act
    void window.admit();
    await vi.advanceTimersByTimeAsync(999);
    const inTheFirstSecond = described().length;
    await vi.advanceTimersByTimeAsync(1);

    // Assert
    expect(inTheFirstSecond).toBe(10);
    expect(described().length).toBe(20);
  });

  it('admits the next start when a start gives back its slot, asking nothing', async () => {
    // Arrange: the one slot is reserved, its start not answered yet
    const window = new InFlightWindow(sfn, 1, { pollIntervalMs: 0 });
    await window.admit();
    const next = window.admit();

    // Act
    window.release();
    await next;

    // Assert
    expect(window.size).toBe(1);
    expect(described()).toEqual([]);
  });

  it('with a cap of 0 admits every start at once and asks nothing', async () => {
    // Arrange
    const window = new InFlightWindow(sfn, 0, { pollIntervalMs: 0 });

    // Act
    for (let n = 0; n < 1000; n++) {
      await window.admit();
      window.started(arn(n));
    }

    // Assert
    expect(window.full).toBe(false);
    expect(described()).toEqual([]);
  });
});
