import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnection } from '../../../cli/aws/connection.ts';
import { resolveStateMachine } from '../../../cli/aws/state-machine.ts';

const cfn = mockClient(CloudFormationClient);
const sfn = mockClient(SFNClient);
const ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:RelayStateMachine1A2B3C';

describe('finding the relay state machine against AWS', () => {
  afterEach(() => {
    cfn.reset();
    sfn.reset();
  });

  it('takes the state machine ARN from the ArtifactRelay stack outputs', async () => {
    // Arrange
    cfn.on(DescribeStacksCommand, { StackName: 'ArtifactRelay' }).resolves({
      Stacks: [
        {
          StackName: 'ArtifactRelay',
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: [
            {
              OutputKey: 'RelayDeadLetterQueueUrl',
              OutputValue: 'https://sqs.us-west-2.amazonaws.com/1/dlq',
            },
            { OutputKey: 'RelayStateMachineArnABC', OutputValue: ARN },
          ],
        },
      ],
    });
    const conn = createConnection({ region: 'us-west-2' });

    // Act
    const ref = await resolveStateMachine(conn, {});

    // Assert
    expect(ref.arn).toBe(ARN);
    expect(sfn.commandCalls(ListStateMachinesCommand)).toHaveLength(0);
    conn.destroy();
  });

  it('falls back to the state machine named artifact-relay when there is no such stack', async () => {
    // Arrange
    cfn
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('Stack with id ArtifactRelay does not exist'), { name: 'ValidationError' }),
      );
    sfn.on(ListStateMachinesCommand).resolves({
      stateMachines: [
        {
          name: 'artifact-relay',
          stateMachineArn: 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay',
          type: 'STANDARD',
          creationDate: new Date(),
        },
      ],
    });
    const conn = createConnection({ region: 'us-west-2' });

    // Act
    const ref = await resolveStateMachine(conn, {});

    // Assert
    expect(ref.arn).toBe('arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay');
    conn.destroy();
  });

  it('names the stack when an explicit --stack cannot be read', async () => {
    // Arrange
    cfn
      .on(DescribeStacksCommand)
      .rejects(Object.assign(new Error('Stack with id Mine does not exist'), { name: 'ValidationError' }));
    const conn = createConnection({ region: 'us-west-2' });

    // Act
    const outcome = resolveStateMachine(conn, { stack: 'Mine' });

    // Assert
    await expect(outcome).rejects.toThrow(/could not read stack Mine in us-west-2/);
    conn.destroy();
  });
});
