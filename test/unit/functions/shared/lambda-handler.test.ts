import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SourceGone, TransientAwsError } from '../../../../core/errors.ts';
import { createLambdaHandler, TIMEOUT_EARLY_MS } from '../../../../functions/shared/lambda-handler.ts';
import type { TaskOptions } from '../../../../functions/shared/task.ts';

function lambdaContext(remainingMs: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'artifact-relay-copy-object',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:artifact-relay-copy-object',
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: '/aws/lambda/artifact-relay-copy-object',
    logStreamName: '2026/11/24/[$LATEST]abc',
    getRemainingTimeInMillis: () => remainingMs,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

describe('createLambdaHandler', () => {
  it('hands the task the event, an abort signal and the remaining time', async () => {
    // Arrange
    let seen: { input: unknown; options: TaskOptions | undefined } | undefined;
    const handler = createLambdaHandler('copy-object', async (input, options) => {
      seen = { input, options };
      return { ok: true };
    });

    // Act
    const result = await handler({ bucket: 'b' }, lambdaContext(300_000));

    // Assert
    expect(result).toEqual({ ok: true });
    expect(seen?.input).toEqual({ bucket: 'b' });
    expect(seen?.options?.signal).toBeInstanceOf(AbortSignal);
    expect(seen?.options?.remainingTimeMs?.()).toBe(300_000);
  });

  it('lets a relay error through with its name, for the state machine to match', async () => {
    // Arrange
    const handler = createLambdaHandler('copy-object', async () => {
      throw new SourceGone('gone');
    });

    // Act
    const invocation = handler({}, lambdaContext(300_000));

    // Assert
    await expect(invocation).rejects.toMatchObject({ name: 'SourceGone', message: 'gone' });
  });

  it('aborts the signal and fails retryably just before the Lambda times out', async () => {
    // Arrange
    let aborted = false;
    const handler = createLambdaHandler('verify-copy', (_input, options) => {
      return new Promise<never>((_resolve, reject) => {
        options?.signal?.addEventListener('abort', () => {
          aborted = true;
          reject(new Error('aborted'));
        });
      });
    });

    // Act
    const invocation = handler({}, lambdaContext(TIMEOUT_EARLY_MS + 1));

    // Assert
    await expect(invocation).rejects.toBeInstanceOf(TransientAwsError);
    expect(aborted).toBe(true);
  });
});
