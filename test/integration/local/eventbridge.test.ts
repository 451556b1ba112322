/** S3 "Object Created" events reach the EventBridge bridge and start executions with the event as input. */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildEventPattern } from '../../../core/event-pattern.ts';
import { parseEventPattern } from '../../../local/eventbridge/pattern.ts';
import { startTestStack, type TestStack } from '../../helpers/local-stack.ts';

describe('the EventBridge bridge on the local stack', () => {
  let stack: TestStack;

  beforeEach(async () => {
    stack = await startTestStack();
  });

  afterEach(async () => {
    await stack.dispose();
  });

  it('starts one execution per matching upload, with the raw key in the event', async () => {
    // Arrange
    const s3 = stack.s3Client('us-west-2');
    const sfn = stack.sfnClient('us-west-2');
    await s3.send(
      new CreateBucketCommand({
        Bucket: 'builds',
        CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
      }),
    );
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'echo',
        roleArn: 'arn:aws:iam::000000000000:role/echo',
        definition: JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', End: true } } }),
      }),
    );
    const pattern = buildEventPattern({
      bucket: 'builds',
      rules: [{ name: 'zips', prefix: 'build_artifacts/', suffix: '.zip', targets: [] }],
    } as unknown as Parameters<typeof buildEventPattern>[0]);
    stack.events.addRule({
      name: 'relay-builds',
      eventPattern: parseEventPattern(pattern),
      target: async (event) => {
        await stack.stepFunctions.startExecution({
          stateMachineArn: stateMachineArn!,
          input: JSON.stringify(event),
        });
      },
    });

    // Act
    await s3.send(
      new PutObjectCommand({ Bucket: 'builds', Key: 'build_artifacts/10:47:07 web+1.zip', Body: 'zip' }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: 'builds', Key: 'build_artifacts/notes.txt', Body: 'not a zip' }),
    );
    await s3.send(new PutObjectCommand({ Bucket: 'builds', Key: 'other/web.zip', Body: 'wrong prefix' }));
    await stack.events.idle();

    // Assert
    const { executions } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions).toHaveLength(1);
    const described = await sfn.send(
      new DescribeExecutionCommand({ executionArn: executions![0]!.executionArn }),
    );
    const input = JSON.parse(described.input!) as {
      source: string;
      'detail-type': string;
      region: string;
      detail: { bucket: { name: string }; object: { key: string; size: number; sequencer: string } };
    };
    expect(input).toMatchObject({
      source: 'aws.s3',
      'detail-type': 'Object Created',
      region: 'us-west-2',
      detail: { bucket: { name: 'builds' }, object: { key: 'build_artifacts/10:47:07 web+1.zip', size: 3 } },
    });
    expect(input.detail.object.sequencer).toMatch(/^[0-9A-F]+$/);
  });
});
