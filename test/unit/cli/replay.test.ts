import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionLimitExceeded,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { executionArnOf, parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { renderReplayProgress } from '../../../cli/render/replay.ts';
import { InFlightWindow } from '../../../cli/replay/in-flight.ts';
import { replayInput, replayItem, startReplay } from '../../../cli/replay/start.ts';
import { executionName, isValidExecutionName } from '../../../core/naming.ts';

const object = {
  key: 'build_artifacts/web 1.zip',
  etag: '9445cb3da784a55e289a483a6de9858e',
  size: 3,
  lastModified: new Date(0),
};

describe('replay executions', () => {
  it('are named after bucket, key and version, so a second replay reuses the name', () => {
    // Act
    const item = replayItem('src', { ...object, versionId: 'v1' });

    // Assert
    expect(item.name).toBe(executionName('src', 'build_artifacts/web 1.zip', 'v1'));
    expect(isValidExecutionName(item.name)).toBe(true);
    expect(replayItem('src', { ...object, versionId: 'v2' }).name).not.toBe(item.name);
  });

  it('pin the version, or the ETag when the bucket is not versioned', () => {
    // Act / Assert
    expect(replayInput('src', { ...object, versionId: 'v1' })).toEqual({
      bucket: 'src',
      key: object.key,
      versionId: 'v1',
    });
    expect(replayInput('src', object)).toEqual({ bucket: 'src', key: object.key, etag: object.etag });
    expect(replayItem('src', object).name).toBe(executionName('src', object.key, object.etag));
  });
});

describe('the replay progress line', () => {
  it('says when the starts wait for executions in flight to end', () => {
    // Arrange
    const report = {
      url: { bucket: 'src', key: '' },
      config: 'relay.config.json',
      stateMachineArn: 'arn',
      listed: 2,
      since: undefined,
      dryRun: false,
      items: [replayItem('src', object)],
    };

    // Act
    const [waiting, going] = [renderReplayProgress(report, 0, 200), renderReplayProgress(report, 0)];

    // Assert
    expect(waiting).toMatch(/^replay \[\.+\] 0\/1 {2}waiting: 200 in flight {2}0 started, /);
    expect(going).not.toContain('waiting');
  });
});

describe('replay starts under --max-in-flight', () => {
  const sfnMock = mockClient(SFNClient);
  const sfn = new SFNClient({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const machine = parseStateMachineArn('arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay')!;
  const startedAfter = new Date('2026-12-01T10:00:00Z');
  const objects = ['a.zip', 'b.zip', 'c.zip', 'd.zip'].map((key) => ({ ...object, key }));

  afterEach(() => {
    sfnMock.reset();
  });

  it('keep a slot for each execution that runs, new or still running from an earlier replay, and none for one that ended or was refused', async () => {
    // Arrange: a.zip starts now, b.zip is still running from before, c.zip ended before, d.zip is refused
    const window = new InFlightWindow(sfn, 10, { pollIntervalMs: 0 });
    sfnMock
      .on(StartExecutionCommand)
      .resolvesOnce({ executionArn: 'arn-a', startDate: new Date('2026-12-01T10:00:05Z') })
      .resolvesOnce({ executionArn: 'arn-b', startDate: new Date('2026-12-01T09:00:00Z') })
      .rejectsOnce(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }))
      .rejectsOnce(new ExecutionLimitExceeded({ message: 'too many', $metadata: { httpStatusCode: 400 } }));
    const items = objects.map((o) => replayItem('src', o));

    // Act
    for (const [i, o] of objects.entries()) {
      await startReplay(sfn, machine, 'src', o, items[i]!, { dryRun: false, startedAfter, inFlight: window });
    }

    // Assert
    expect(items.map((item) => item.status)).toEqual([
      'started',
      'already-relayed',
      'already-relayed',
      'failed',
    ]);
    expect(window.size).toBe(2);
  });

  it('wait for a slot before starting, and a dry run never waits', async () => {
    // Arrange: the one slot is taken by an execution that runs through one more look
    const window = new InFlightWindow(sfn, 1, { pollIntervalMs: 0 });
    await window.admit();
    window.started('arn-running');
    const looks: string[] = [];
    sfnMock.on(DescribeExecutionCommand).callsFake(({ executionArn }: { executionArn: string }) => {
      looks.push(executionArn);
      const running = executionArn === 'arn-running' && looks.filter((a) => a === executionArn).length < 2;
      return { status: running ? 'RUNNING' : 'SUCCEEDED' };
    });
    sfnMock
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn-b', startDate: new Date('2026-12-01T10:00:05Z') });
    const [dry, real] = [replayItem('src', objects[0]!), replayItem('src', objects[1]!)];

    // Act
    await startReplay(sfn, machine, 'src', objects[0]!, dry, {
      dryRun: true,
      startedAfter,
      inFlight: window,
    });
    const looksInDryRun = [...looks];
    await startReplay(sfn, machine, 'src', objects[1]!, real, {
      dryRun: false,
      startedAfter,
      inFlight: window,
    });

    // Assert
    expect(looksInDryRun).toEqual([executionArnOf(machine, dry.name)]);
    expect(looks.slice(1)).toEqual(['arn-running', 'arn-running']);
    expect([dry.status, real.status]).toEqual(['already-relayed', 'started']);
    expect(window.size).toBe(1);
  });
});
