import { CodePipelineClient, PutJobFailureResultCommand } from '@aws-sdk/client-codepipeline';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  failMisconfiguredJob,
  RELAY_STATE_MACHINE_ARN_ENV,
  relayStateMachineArnFromEnv,
} from '../../../../functions/pipeline-action/index.ts';
import { jobEventFixture } from '../../core/pipeline/support.ts';

describe('the state machine ARN of the pipeline action', () => {
  it('is read from RELAY_STATE_MACHINE_ARN', () => {
    // Arrange
    const arn = 'arn:aws:states:us-west-2:111111111111:stateMachine:artifact-relay';

    // Act
    const read = relayStateMachineArnFromEnv({ [RELAY_STATE_MACHINE_ARN_ENV]: arn });

    // Assert
    expect(read).toBe(arn);
  });

  it.each([
    [{}, /RELAY_STATE_MACHINE_ARN is not set/],
    [{ RELAY_STATE_MACHINE_ARN: 'artifact-relay' }, /not a state machine ARN/],
  ])('is refused from %j', (env, message) => {
    // Arrange / Act
    const act = () => relayStateMachineArnFromEnv(env);

    // Assert
    expect(act).toThrow(message);
  });

  it('missing, fails the job as a configuration error instead of leaving it to time out', async () => {
    // Arrange
    const codePipelineMock = mockClient(CodePipelineClient);
    codePipelineMock.on(PutJobFailureResultCommand).resolves({});

    // Act
    const outcome = await failMisconfiguredJob(
      jobEventFixture(),
      new CodePipelineClient({ region: 'us-west-2' }),
      new Error('RELAY_STATE_MACHINE_ARN is not set'),
    );

    // Assert
    expect(outcome.result).toBe('failed');
    const failures = codePipelineMock.commandCalls(PutJobFailureResultCommand).map((c) => c.args[0].input);
    codePipelineMock.restore();
    expect(failures).toEqual([
      {
        jobId: '11111111-abcd-1111-abcd-111111abcdef',
        failureDetails: {
          type: 'ConfigurationError',
          message: 'The relay action could not run: Error: RELAY_STATE_MACHINE_ARN is not set',
        },
      },
    ]);
  });
});
