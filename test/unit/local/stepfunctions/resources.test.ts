import { describe, expect, it } from 'vitest';
import {
  describeResource,
  lambdaFunctionName,
  noHandlerCause,
  TaskHandlerRegistry,
} from '../../../../local/stepfunctions/resources.ts';

const LAMBDA = 'arn:aws:lambda:us-east-1:000000000000:function:relay-copy';
const INVOKE = 'arn:aws:states:::lambda:invoke';

describe('describeResource', () => {
  it('reads the optimised Lambda integration as resourceType lambda, resource invoke', () => {
    // Act
    const info = describeResource(INVOKE);

    // Assert
    expect(info).toMatchObject({
      family: 'task',
      resourceType: 'lambda',
      resource: 'invoke',
      lambdaInvoke: true,
    });
  });

  it('reads a Lambda function ARN as a LambdaFunction resource and an SDK integration by service', () => {
    // Act
    const lambda = describeResource(LAMBDA);
    const sdk = describeResource('arn:aws:states:::aws-sdk:s3:getObject');
    const activity = describeResource('arn:aws:states:us-east-1:000000000000:activity:approve');

    // Assert
    expect(lambda).toMatchObject({ family: 'lambda', resource: LAMBDA, lambdaErrors: true });
    expect(sdk).toMatchObject({ family: 'task', resourceType: 'aws-sdk:s3', resource: 'getObject' });
    expect(activity.family).toBe('activity');
  });
});

describe('TaskHandlerRegistry', () => {
  const handler = async (): Promise<string> => 'ok';

  it('resolves lambda:invoke by FunctionName and passes the Payload', () => {
    // Arrange
    const registry = new TaskHandlerRegistry();
    registry.register(LAMBDA, handler);

    // Act
    const resolved = registry.resolve(INVOKE, describeResource(INVOKE), {
      FunctionName: `${LAMBDA}:$LATEST`,
      Payload: { key: 'a.zip' },
    });

    // Assert
    expect(resolved?.handler).toBe(handler);
    expect(resolved?.payload).toEqual({ key: 'a.zip' });
    expect(resolved?.registeredAs).toBe(LAMBDA);
  });

  it('resolves a function by bare name when exactly one registration names it', () => {
    // Arrange
    const registry = new TaskHandlerRegistry();
    registry.register(LAMBDA, handler);

    // Act
    const byName = registry.resolve(INVOKE, describeResource(INVOKE), { FunctionName: 'relay-copy' });
    const other = registry.resolve(INVOKE, describeResource(INVOKE), { FunctionName: 'relay-verify' });

    // Assert
    expect(byName?.handler).toBe(handler);
    expect(other).toBeUndefined();
  });

  it('resolves other resources by their literal ARN only, and forgets a removed handler', () => {
    // Arrange
    const registry = new TaskHandlerRegistry();
    const sdk = 'arn:aws:states:::aws-sdk:s3:getObject';
    const unregister = registry.register(sdk, handler);

    // Act
    const before = registry.resolve(sdk, describeResource(sdk), { Bucket: 'b' });
    unregister();
    const after = registry.resolve(sdk, describeResource(sdk), { Bucket: 'b' });

    // Assert
    expect(before?.payload).toEqual({ Bucket: 'b' });
    expect(after).toBeUndefined();
  });

  it('explains in the no-handler cause what was asked for and how to register it', () => {
    // Act
    const cause = noHandlerCause(INVOKE, { FunctionName: LAMBDA }, describeResource(INVOKE));

    // Assert
    expect(cause).toContain(`FunctionName '${LAMBDA}'`);
    expect(cause).toContain(`registerTaskHandler('${LAMBDA}'`);
  });

  it('extracts function names from ARNs, partial ARNs and qualified names', () => {
    // Act
    const names = [LAMBDA, `${LAMBDA}:prod`, '000000000000:function:relay-copy', 'relay-copy:1', 'a b'].map(
      lambdaFunctionName,
    );

    // Assert
    expect(names).toEqual(['relay-copy', 'relay-copy', 'relay-copy', 'relay-copy', undefined]);
  });
});
