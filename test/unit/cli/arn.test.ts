import { describe, expect, it } from 'vitest';
import { consoleUrl, executionArnOf, parseExecutionArn, parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { DEFAULT_LOCAL_ENDPOINT } from '../../../cli/aws/endpoints.ts';
import { DEFAULT_STATE_MACHINE_NAME } from '../../../cli/aws/state-machine.ts';
import { LOCAL_DEFAULTS } from '../../../local/index.ts';
import { DEFAULT_STATE_MACHINE_NAME as LOCAL_STATE_MACHINE_NAME } from '../../../local/relay.ts';

const MACHINE = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';

describe('Step Functions ARNs', () => {
  it('builds an execution ARN from a state machine and a name, and reads it back', () => {
    // Arrange
    const machine = parseStateMachineArn(MACHINE)!;

    // Act
    const arn = executionArnOf(machine, 'web-1-abc');

    // Assert
    expect(arn).toBe('arn:aws:states:us-west-2:111122223333:execution:artifact-relay:web-1-abc');
    expect(parseExecutionArn(arn)).toEqual({
      arn,
      region: 'us-west-2',
      name: 'web-1-abc',
      stateMachineArn: MACHINE,
    });
  });

  it('rejects what is not a state machine or execution ARN', () => {
    // Act / Assert
    expect(parseStateMachineArn('arn:aws:lambda:us-west-2:111122223333:function:x')).toBeUndefined();
    expect(parseExecutionArn(MACHINE)).toBeUndefined();
  });

  it('links to the execution in the console of its region', () => {
    // Act / Assert
    expect(consoleUrl('arn:aws:states:eu-central-1:111122223333:execution:artifact-relay:x')).toBe(
      'https://eu-central-1.console.aws.amazon.com/states/home?region=eu-central-1#/v2/executions/details/arn:aws:states:eu-central-1:111122223333:execution:artifact-relay:x',
    );
  });

  it('uses the local stack defaults the CLI repeats to stay light', () => {
    // Act / Assert
    expect(DEFAULT_LOCAL_ENDPOINT).toBe(`http://${LOCAL_DEFAULTS.host}:${LOCAL_DEFAULTS.port}`);
    expect(DEFAULT_STATE_MACHINE_NAME).toBe(LOCAL_STATE_MACHINE_NAME);
  });
});
