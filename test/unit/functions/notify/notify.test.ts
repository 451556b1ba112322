import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidInput } from '../../../../core/errors.ts';
import { notifyExecutionEnded } from '../../../../functions/notify/notify.ts';
import type { PutEventsEntry } from '../../../../functions/notify/ports.ts';

const EXECUTION = 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:run-1';
const MACHINE = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const sfnMock = mockClient(SFNClient);
const source = {
  bucket: 'build-artifacts',
  key: 'builds/app.zip',
  region: 'us-west-2',
  etag: 'abc',
  size: 5,
};
const settings = {
  verify: 'auto',
  multipartThresholdBytes: 5_368_709_120,
  partSizeBytes: 67_108_864,
  copyTimeBudgetSeconds: 600,
};
const seoul = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };
const frankfurt = {
  bucket: 'artifacts-frankfurt',
  region: 'eu-central-1',
  deploy: { application: 'web', deploymentGroup: 'prod', bundleType: 'zip', wave: 2 },
};

function statusChange(status: string): unknown {
  return {
    source: 'aws.states',
    'detail-type': 'Step Functions Execution Status Change',
    detail: { executionArn: EXECUTION, stateMachineArn: MACHINE, status },
  };
}

function recorder(): {
  calls: PutEventsEntry[][];
  putEvents: (entries: readonly PutEventsEntry[]) => Promise<void>;
} {
  const calls: PutEventsEntry[][] = [];
  return { calls, putEvents: async (entries) => void calls.push([...entries]) };
}

/** A history event, linked to the one before it in its thread. */
function event(id: number, previousEventId: number, fields: Partial<HistoryEvent>): HistoryEvent {
  return { id, previousEventId, timestamp: new Date(0), type: 'PassStateExited', ...fields };
}

const entered = (id: number, prev: number, input: unknown) =>
  event(id, prev, {
    type: 'TaskStateEntered',
    stateEnteredEventDetails: { name: 'Copy', input: JSON.stringify(input) },
  });
const exited = (id: number, prev: number, output: unknown) =>
  event(id, prev, {
    type: 'TaskStateExited',
    stateExitedEventDetails: { name: 'x', output: JSON.stringify(output) },
  });
const lambdaFailed = (id: number, prev: number, error: string, message: string) =>
  event(id, prev, {
    type: 'LambdaFunctionFailed',
    lambdaFunctionFailedEventDetails: {
      error,
      cause: JSON.stringify({ errorType: error, errorMessage: message }),
    },
  });

afterEach(() => {
  sfnMock.reset();
});

describe('notifyExecutionEnded', () => {
  it('publishes nothing and reads nothing when the status is not an end', async () => {
    // Arrange
    const { calls, putEvents } = recorder();

    // Act
    const result = await notifyExecutionEnded(statusChange('RUNNING'), { sfn: new SFNClient({}), putEvents });

    // Assert
    expect(result.published).toEqual([]);
    expect(calls).toEqual([]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('refuses an event that is not an execution status change', async () => {
    // Arrange
    const putEvents = vi.fn(async () => {});

    // Act / Assert
    await expect(
      notifyExecutionEnded({ source: 'aws.s3', detail: {} }, { sfn: new SFNClient({}), putEvents }),
    ).rejects.toBeInstanceOf(InvalidInput);
    expect(putEvents).not.toHaveBeenCalled();
  });

  it('publishes Target Failed for a target that failed its second pass, and Target Held for a later wave', async () => {
    // Arrange: target 0 fails both passes; target 1 (wave 2) is copied, its wave never ran
    const resolved = { source, targets: [seoul, frankfurt], settings };
    const history = [
      event(1, 0, { type: 'ExecutionStarted' }),
      event(2, 1, {
        type: 'TaskStateExited',
        stateExitedEventDetails: { name: 'ResolveTargets', output: JSON.stringify(resolved) },
      }),
      event(3, 2, {
        type: 'MapIterationStarted',
        mapIterationStartedEventDetails: { name: 'RelayToTargets', index: 0 },
      }),
      entered(4, 3, { source, settings, target: seoul, index: 0 }),
      lambdaFailed(5, 4, 'AccessDenied', 'first try'),
      exited(6, 5, { target: seoul, index: 0, status: 'failed', error: 'AccessDenied' }),
      event(7, 2, {
        type: 'MapIterationStarted',
        mapIterationStartedEventDetails: { name: 'RelayToTargets', index: 1 },
      }),
      entered(8, 7, { source, settings, target: frankfurt, index: 1 }),
      exited(9, 8, {
        target: frankfurt,
        index: 1,
        status: 'copied',
        bytes: 5,
        verifiedBy: 'etag',
        destination: { bucket: frankfurt.bucket, key: 'builds/app.zip', etag: 'abc' },
      }),
      event(10, 9, {
        type: 'MapIterationSucceeded',
        mapIterationSucceededEventDetails: { name: 'RelayToTargets', index: 1 },
      }),
      event(11, 6, {
        type: 'MapIterationSucceeded',
        mapIterationSucceededEventDetails: { name: 'RelayToTargets', index: 0 },
      }),
      event(12, 2, {
        type: 'MapIterationStarted',
        mapIterationStartedEventDetails: { name: 'RetryFailedTargets', index: 0 },
      }),
      entered(13, 12, { source, settings, target: seoul, index: 0 }),
      lambdaFailed(14, 13, 'AccessDenied', 'grant s3:PutObject on artifacts-seoul'),
      event(15, 14, {
        type: 'MapIterationFailed',
        mapIterationFailedEventDetails: { name: 'RetryFailedTargets', index: 0 },
      }),
      event(16, 15, { type: 'ExecutionFailed' }),
    ];
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: history });
    const { calls, putEvents } = recorder();

    // Act
    const result = await notifyExecutionEnded(statusChange('FAILED'), { sfn: new SFNClient({}), putEvents });

    // Assert
    expect(result.published).toEqual(['Target Failed', 'Target Held']);
    const [failed, held] = (calls[0] ?? []).map(
      (entry) => JSON.parse(entry.Detail) as Record<string, unknown>,
    );
    expect(failed).toMatchObject({
      index: 0,
      target: seoul,
      error: 'AccessDenied',
      message: 'grant s3:PutObject on artifacts-seoul',
      source: { bucket: 'build-artifacts', key: 'builds/app.zip' },
    });
    expect(held).toMatchObject({ index: 1, wave: 2, target: { bucket: 'artifacts-frankfurt', wave: 2 } });
    expect(
      calls[0]?.every((entry) => entry.Source === 'artifact-relay' && entry.Resources?.[0] === EXECUTION),
    ).toBe(true);
  });

  it('publishes at most ten entries per PutEvents call', async () => {
    // Arrange: a succeeded execution whose twelve targets all failed
    const results = Array.from({ length: 12 }, (_, index) => ({
      target: { bucket: `artifacts-${index}`, region: 'eu-west-1' },
      index,
      status: 'failed',
      error: 'NoSuchTargetBucket',
    }));
    sfnMock.on(DescribeExecutionCommand).resolves({ output: JSON.stringify({ source, results }) });
    const { calls, putEvents } = recorder();

    // Act
    const result = await notifyExecutionEnded(statusChange('SUCCEEDED'), {
      sfn: new SFNClient({}),
      putEvents,
    });

    // Assert
    expect(result.published).toHaveLength(12);
    expect(calls.map((entries) => entries.length)).toEqual([10, 2]);
    expect(sfnMock.commandCalls(GetExecutionHistoryCommand)).toHaveLength(0);
  });

  it('publishes nothing when a succeeded execution had nothing to relay', async () => {
    // Arrange
    sfnMock.on(DescribeExecutionCommand).resolves({
      output: JSON.stringify({ targets: [], settings, reason: 'no-rule' }),
    });
    const { calls, putEvents } = recorder();

    // Act
    const result = await notifyExecutionEnded(statusChange('SUCCEEDED'), {
      sfn: new SFNClient({}),
      putEvents,
    });

    // Assert
    expect(result.published).toEqual([]);
    expect(calls).toEqual([]);
  });
});
