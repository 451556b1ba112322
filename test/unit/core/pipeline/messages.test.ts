import { describe, expect, it } from 'vitest';
import {
  allDelivered,
  causeMessage,
  failedExecutionMessage,
  successSummary,
  undeliveredMessage,
} from '../../../../core/pipeline/messages.ts';
import type { TargetResult } from '../../../../core/workflow.ts';
import { delivered, failed } from './support.ts';

const ARN = 'arn:aws:states:us-west-2:111111111111:execution:relay:run-1';

describe('undeliveredMessage', () => {
  it('names each target that did not receive the artifact, its error and what the error says to fix', () => {
    // Arrange
    const results = [
      delivered('artifacts-seoul', 'ap-northeast-2'),
      failed(
        'artifacts-virginia',
        'us-east-1',
        'AccessDenied',
        JSON.stringify({
          errorType: 'AccessDenied',
          errorMessage: 'Add s3:PutObject on artifacts-virginia/* to the copy role',
        }),
      ),
    ];

    // Act
    const message = undeliveredMessage(results, ARN);

    // Assert
    expect(message).toContain('1 of 2 target(s)');
    expect(message).toContain(
      '- artifacts-virginia@us-east-1: AccessDenied: Add s3:PutObject on artifacts-virginia/* to the copy role',
    );
    expect(message).not.toContain('artifacts-seoul');
    expect(message).toContain('retry the stage');
  });

  it('explains a superseded target: a newer build is there', () => {
    // Arrange
    const superseded = {
      ...delivered('artifacts-seoul', 'ap-northeast-2'),
      status: 'superseded',
    } as TargetResult;

    // Act
    const message = undeliveredMessage([superseded], ARN);

    // Assert
    expect(message).toMatch(/artifacts-seoul@ap-northeast-2: superseded: .*newer build/);
  });

  it('stays within 5,000 characters for many failures and says how many it left out', () => {
    // Arrange
    const results = Array.from({ length: 200 }, (_, i) =>
      failed(`bucket-${i}`, 'us-east-1', 'KmsKeyUnusable', 'x'.repeat(200)),
    );

    // Act
    const message = undeliveredMessage(results, ARN);

    // Assert
    expect(message.length).toBeLessThanOrEqual(5000);
    expect(message).toMatch(/\(\+\d+ more; see the relay execution\)/);
    expect(message).toContain('- bucket-0@us-east-1');
  });
});

describe('failedExecutionMessage', () => {
  it('reads a Lambda-shaped cause as its message', () => {
    // Arrange
    const cause = JSON.stringify({
      errorType: 'InvalidInput',
      errorMessage: 'No rule is named "web"',
      trace: [],
    });

    // Act
    const message = failedExecutionMessage({
      status: 'FAILED',
      executionArn: ARN,
      error: 'InvalidInput',
      cause,
    });

    // Assert
    expect(message).toContain(`The relay execution failed (${ARN}):\nInvalidInput: No rule is named "web"`);
  });

  it.each([
    ['TIMED_OUT', 'timed out'],
    ['ABORTED', 'was stopped'],
  ] as const)('words %s for people', (status, words) => {
    // Arrange / Act
    const message = failedExecutionMessage({ status, executionArn: ARN });

    // Assert
    expect(message).toContain(`The relay execution ${words}`);
  });

  it('cuts a huge cause to the message limit', () => {
    // Arrange / Act
    const message = failedExecutionMessage({
      status: 'FAILED',
      executionArn: ARN,
      error: 'E',
      cause: 'y'.repeat(9000),
    });

    // Assert
    expect(message.length).toBeLessThanOrEqual(5000);
  });
});

describe('summaries', () => {
  it('sums up a delivered relay per target, with its deployment', () => {
    // Arrange
    const results = [
      delivered('artifacts-seoul', 'ap-northeast-2', { deployment: { id: 'd-9', status: 'Succeeded' } }),
    ];

    // Act
    const summary = successSummary(results);

    // Assert
    expect(summary).toBe(
      'Relayed to 1 target(s):\nartifacts-seoul@ap-northeast-2 copied, deployment d-9 Succeeded',
    );
    expect(allDelivered(results)).toBe(true);
  });

  it('keeps a cause that is not JSON as it is', () => {
    // Arrange / Act / Assert
    expect(causeMessage('plain words')).toBe('plain words');
    expect(causeMessage(undefined)).toBeUndefined();
  });
});
