import { describe, expect, it } from 'vitest';
import {
  causeMessageOf,
  deploymentFinishedDetailSchema,
  type ExecutionFacts,
  executionEndedPattern,
  RELAY_EVENT_SOURCE,
  relayEventsOf,
  type TargetFact,
  targetFailedDetailSchema,
  targetHeldDetailSchema,
  targetSupersededDetailSchema,
} from '../../../core/relay-events.ts';

const EXECUTION = 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:run-1';
const seoul = { bucket: 'artifacts-seoul', region: 'ap-northeast-2' };
const frankfurt = { bucket: 'artifacts-frankfurt', region: 'eu-central-1', wave: 2 };

function facts(status: ExecutionFacts['status'], targets: TargetFact[]): ExecutionFacts {
  return { executionArn: EXECUTION, status, source: { bucket: 'builds', key: 'app.zip' }, targets };
}

describe('relayEventsOf', () => {
  it('publishes nothing for a clean success without deployments', () => {
    // Arrange
    const ended = facts('SUCCEEDED', [
      { index: 0, target: seoul, status: 'copied' },
      { index: 1, target: frankfurt, status: 'in-sync' },
    ]);

    // Act
    const events = relayEventsOf(ended);

    // Assert
    expect(events).toEqual([]);
  });

  it('publishes Target Failed with the error, the cause message and what to fix when a target failed', () => {
    // Arrange
    const cause = JSON.stringify({
      errorType: 'NoSuchTargetBucket',
      errorMessage: 'bucket artifacts-seoul is missing',
    });
    const ended = facts('FAILED', [
      { index: 0, target: seoul, status: 'failed', error: 'NoSuchTargetBucket', cause },
    ]);

    // Act
    const [event, ...rest] = relayEventsOf(ended);

    // Assert
    expect(rest).toEqual([]);
    expect(event?.source).toBe(RELAY_EVENT_SOURCE);
    expect(event?.detailType).toBe('Target Failed');
    const detail = targetFailedDetailSchema.parse(event?.detail);
    expect(detail).toMatchObject({
      executionArn: EXECUTION,
      executionStatus: 'FAILED',
      index: 0,
      target: seoul,
      error: 'NoSuchTargetBucket',
      message: 'bucket artifacts-seoul is missing',
    });
    expect(detail.fix).toMatch(/create the target bucket/);
  });

  it('publishes Target Superseded with the reason when a newer build won', () => {
    // Arrange
    const ended = facts('SUCCEEDED', [
      { index: 0, target: seoul, status: 'superseded', detail: 'not deployed: build 42 is deployed' },
    ]);

    // Act
    const events = relayEventsOf(ended);

    // Assert
    expect(events.map((e) => e.detailType)).toEqual(['Target Superseded']);
    expect(targetSupersededDetailSchema.parse(events[0]?.detail).reason).toBe(
      'not deployed: build 42 is deployed',
    );
  });

  it('publishes Target Held naming the wave when a later wave was held', () => {
    // Arrange
    const ended = facts('FAILED', [{ index: 1, target: frankfurt, status: 'held' }]);

    // Act
    const events = relayEventsOf(ended);

    // Assert
    expect(events.map((e) => e.detailType)).toEqual(['Target Held']);
    const detail = targetHeldDetailSchema.parse(events[0]?.detail);
    expect(detail.wave).toBe(2);
    expect(detail.reason).toMatch(/redrive/);
  });

  it('publishes Deployment Finished with the deployment id and status when a target deployed', () => {
    // Arrange
    const ended = facts('SUCCEEDED', [
      { index: 0, target: seoul, status: 'copied', deployment: { id: 'd-ABC123', status: 'Succeeded' } },
    ]);

    // Act
    const events = relayEventsOf(ended);

    // Assert
    expect(events.map((e) => e.detailType)).toEqual(['Deployment Finished']);
    expect(deploymentFinishedDetailSchema.parse(events[0]?.detail)).toMatchObject({
      deploymentId: 'd-ABC123',
      deploymentStatus: 'Succeeded',
      target: seoul,
    });
  });

  it('publishes one event per target that needs a person, in target order', () => {
    // Arrange
    const ended = facts('FAILED', [
      { index: 0, target: seoul, status: 'failed', error: 'DeploymentFailed' },
      { index: 1, target: frankfurt, status: 'held' },
    ]);

    // Act
    const events = relayEventsOf(ended);

    // Assert
    expect(events.map((e) => [e.detailType, e.detail['index']])).toEqual([
      ['Target Failed', 0],
      ['Target Held', 1],
    ]);
  });
});

describe('causeMessageOf', () => {
  it('reads the message out of a Lambda error document, and keeps a plain cause as it is', () => {
    // Act / Assert
    expect(causeMessageOf('{"errorType":"X","errorMessage":"what went wrong"}')).toBe('what went wrong');
    expect(causeMessageOf('plain words')).toBe('plain words');
    expect(causeMessageOf('  ')).toBeUndefined();
  });
});

describe('executionEndedPattern', () => {
  it("matches only the relay state machine's ended executions", () => {
    // Act
    const pattern = executionEndedPattern(
      'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay',
    );

    // Assert
    expect(pattern).toEqual({
      source: ['aws.states'],
      'detail-type': ['Step Functions Execution Status Change'],
      detail: {
        stateMachineArn: ['arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay'],
        status: ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'],
      },
    });
  });
});
