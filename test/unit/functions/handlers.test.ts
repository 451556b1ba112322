import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as checkDeployment } from '../../../functions/check-deployment/handler.ts';
import { handler as copyObject } from '../../../functions/copy-object/handler.ts';
import { createTaskHandlers, TASK_NAMES } from '../../../functions/index.ts';
import { handler as resolveTargets } from '../../../functions/resolve-targets/handler.ts';
import { handler as startDeployment } from '../../../functions/start-deployment/handler.ts';
import { handler as verifyCopy } from '../../../functions/verify-copy/handler.ts';
import { regionalS3Clients } from './fixtures.ts';

const context = {
  functionName: 'artifact-relay-task',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-west-2:111122223333:function:artifact-relay-task',
  memoryLimitInMB: '512',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/artifact-relay-task',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 300_000,
} as Context;

describe('the Lambda entry points', () => {
  it.each([
    ['copy-object', copyObject],
    ['verify-copy', verifyCopy],
    ['start-deployment', startDeployment],
    ['check-deployment', checkDeployment],
  ])(
    '%s refuses an input that is not a per-target state with InvalidInput, before any AWS call',
    async (_name, handler) => {
      // Arrange
      const input = { source: { bucket: 'b' } };

      // Act
      const invocation = handler(input, context);

      // Assert
      await expect(invocation).rejects.toMatchObject({ name: 'InvalidInput' });
    },
  );

  it('resolve-targets refuses an input of no accepted shape', async () => {
    // Arrange / Act
    const invocation = resolveTargets({ nothing: true }, context);

    // Assert
    await expect(invocation).rejects.toMatchObject({ name: 'InvalidInput' });
  });

  it('offers every task function for in-process use under its folder name', () => {
    // Arrange
    const { s3ClientFor } = regionalS3Clients(['us-west-2']);

    // Act
    const handlers = createTaskHandlers({
      s3ClientFor,
      codeDeployClientFor: () => {
        throw new Error('not used');
      },
      loadConfig: () => Promise.reject(new Error('not used')),
    });

    // Assert
    expect(Object.keys(handlers).sort()).toEqual([...TASK_NAMES].sort());
  });
});
