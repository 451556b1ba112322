import {
  CodePipelineClient,
  InvalidJobStateException,
  PutJobFailureResultCommand,
  type PutJobFailureResultInput,
  PutJobSuccessResultCommand,
  type PutJobSuccessResultInput,
} from '@aws-sdk/client-codepipeline';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionNotRedrivable,
  RedriveExecutionCommand,
  SFNClient,
  SFNServiceException,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type PipelineActionDeps, runPipelineAction } from '../../../../functions/pipeline-action/index.ts';
import { delivered, failed, jobWithParameters } from '../../core/pipeline/support.ts';

const MACHINE = 'arn:aws:states:us-west-2:111111111111:stateMachine:artifact-relay';
const PARAMS = {
  rule: 'web-bundles',
  destinationKey: 'build_artifacts/{pipeline}/{pipelineExecutionId}.zip',
  pipeline: 'web-release',
  pipelineExecutionId: '8d5f1a4e-3c2b-4a19-9e7d-6b0c2f1e9a37',
  stage: 'Relay',
  actionName: 'RelayToRegions',
};
const SOURCE = {
  bucket: 'codepipeline-us-west-2-1234567890',
  key: 'k',
  region: 'us-west-2',
  etag: 'e',
  size: 10,
};

const sfnMock = mockClient(SFNClient);
const codePipelineMock = mockClient(CodePipelineClient);

/** What the action sent CodePipeline: PutJobSuccessResult and PutJobFailureResult inputs, in order. */
function reported(): { successes: PutJobSuccessResultInput[]; failures: PutJobFailureResultInput[] } {
  return {
    successes: codePipelineMock.commandCalls(PutJobSuccessResultCommand).map((call) => call.args[0].input),
    failures: codePipelineMock.commandCalls(PutJobFailureResultCommand).map((call) => call.args[0].input),
  };
}

function deps(extra: Partial<PipelineActionDeps> = {}): PipelineActionDeps {
  return {
    sfn: new SFNClient({ region: 'us-west-2' }),
    codePipeline: new CodePipelineClient({ region: 'us-west-2' }),
    stateMachineArn: MACHINE,
    region: 'us-west-2',
    waitBudgetMs: 0,
    sleep: async () => undefined,
    ...extra,
  };
}

function continued(token: string) {
  return jobWithParameters(PARAMS, (event) => {
    event['CodePipeline.job'].data.continuationToken = token;
  });
}

beforeEach(() => {
  sfnMock.reset();
  codePipelineMock.reset();
  codePipelineMock.on(PutJobSuccessResultCommand).resolves({});
  codePipelineMock.on(PutJobFailureResultCommand).resolves({});
});

describe('the pipeline action', () => {
  it('starts the relay for the artifact under the run\'s name and answers "still running" with the execution as token', async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: arn, status: 'RUNNING' });

    // Act
    const outcome = await runPipelineAction(jobWithParameters(PARAMS), deps());

    // Assert
    const { successes, failures } = reported();
    expect(outcome.result).toBe('running');
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(MACHINE);
    expect(start.name).toMatch(/^RelayToRegions-8d5f1a4e-3c2b-4a19-9e7d-6b0c2f1e9a37-[0-9a-f]{24}$/);
    expect(JSON.parse(start.input ?? '')).toEqual({
      bucket: 'codepipeline-us-west-2-1234567890',
      key: 'web-release/BuildOutpu/Ab3dE9x',
      pipeline: {
        rule: 'web-bundles',
        destinationKey: 'build_artifacts/web-release/8d5f1a4e-3c2b-4a19-9e7d-6b0c2f1e9a37.zip',
        region: 'us-west-2',
      },
    });
    expect(failures).toEqual([]);
    expect(successes).toEqual([
      {
        jobId: '11111111-abcd-1111-abcd-111111abcdef',
        continuationToken: arn,
        executionDetails: { summary: `Started the relay execution ${arn}`, externalExecutionId: arn },
      },
    ]);
  });

  it('answers a continued job whose relay succeeded with output variables and no token', async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    const output = {
      source: SOURCE,
      results: [
        delivered('artifacts-seoul', 'ap-northeast-2', { deployment: { id: 'd-42', status: 'Succeeded' } }),
      ],
    };
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: arn, status: 'SUCCEEDED', output: JSON.stringify(output) });

    // Act
    const outcome = await runPipelineAction(continued(arn), deps());

    // Assert
    const { successes } = reported();
    expect(outcome.result).toBe('succeeded');
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    const success = successes[0]!;
    expect(success.continuationToken).toBeUndefined();
    expect(success.outputVariables).toMatchObject({
      TargetCount: '1',
      Target1Bucket: 'artifacts-seoul',
      Target1Key: 'build_artifacts/app.zip',
      Target1VersionId: 'v-artifacts-seoul',
      Target1DeploymentId: 'd-42',
    });
    expect(success.executionDetails?.summary).toContain(
      'artifacts-seoul@ap-northeast-2 copied, deployment d-42 Succeeded',
    );
  });

  it('fails the job with the failed targets and what to fix when a target was not delivered', async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    const output = {
      source: SOURCE,
      results: [
        delivered('artifacts-seoul', 'ap-northeast-2'),
        failed(
          'artifacts-virginia',
          'us-east-1',
          'AccessDenied',
          JSON.stringify({ errorMessage: 'grant s3:PutObject' }),
        ),
      ],
    };
    sfnMock
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: arn, status: 'SUCCEEDED', output: JSON.stringify(output) });

    // Act
    const outcome = await runPipelineAction(continued(arn), deps());

    // Assert
    const { successes, failures } = reported();
    expect(outcome.result).toBe('failed');
    expect(successes).toEqual([]);
    expect(failures[0]!.failureDetails?.type).toBe('JobFailed');
    expect(failures[0]!.failureDetails?.message).toContain(
      '- artifacts-virginia@us-east-1: AccessDenied: grant s3:PutObject',
    );
    expect(failures[0]!.failureDetails?.externalExecutionId).toBe(arn);
  });

  it("fails the job with the execution's error and cause when the relay failed", async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    sfnMock.on(DescribeExecutionCommand).resolves({
      executionArn: arn,
      status: 'FAILED',
      error: 'KmsKeyUnusable',
      cause: JSON.stringify({ errorType: 'KmsKeyUnusable', errorMessage: 'The key is disabled: enable it' }),
    });

    // Act
    await runPipelineAction(continued(arn), deps());

    // Assert
    const { failures } = reported();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.failureDetails).toMatchObject({ type: 'JobFailed' });
    expect(failures[0]!.failureDetails?.message).toContain('KmsKeyUnusable: The key is disabled: enable it');
  });

  it('continues the relay of a retried stage (a new job) instead of starting a second one', async () => {
    // Arrange
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const retry = jobWithParameters(PARAMS, (event) => {
      event['CodePipeline.job'].id = '22222222-abcd-2222-abcd-222222abcdef';
    });

    // Act
    await runPipelineAction(retry, deps());

    // Assert
    const { successes } = reported();
    const name = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.name;
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
    expect(sfnMock.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
    expect(successes[0]).toMatchObject({
      jobId: '22222222-abcd-2222-abcd-222222abcdef',
      continuationToken: arn,
    });
  });

  it('redrives the failed relay of a retried stage', async () => {
    // Arrange
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'FAILED', error: 'AccessDenied' })
      .resolves({ status: 'RUNNING' });
    sfnMock.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });

    // Act
    const outcome = await runPipelineAction(jobWithParameters(PARAMS), deps());

    // Assert
    const { successes } = reported();
    expect(sfnMock.commandCalls(RedriveExecutionCommand)).toHaveLength(1);
    expect(outcome.result).toBe('running');
    expect(successes[0]!.executionDetails?.summary).toMatch(/^Started the relay execution/);
  });

  it('fails the retried stage when the failed relay cannot be redriven, saying how to carry on', async () => {
    // Arrange
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'AccessDenied' });
    sfnMock
      .on(RedriveExecutionCommand)
      .rejects(new ExecutionNotRedrivable({ message: 'older than 14 days', $metadata: {} }));

    // Act
    await runPipelineAction(jobWithParameters(PARAMS), deps());

    // Assert
    const { failures } = reported();
    expect(failures[0]!.failureDetails?.message).toMatch(
      /cannot be redriven \(older than 14 days\): release a new change/,
    );
  });

  it('reports an unexpected error as a failure of the job, and logs it', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).rejects(
      new SFNServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not authorized',
        $metadata: {},
      }),
    );
    const log = { info: vi.fn(), warn: vi.fn(), error: vi.fn() };

    // Act
    const outcome = await runPipelineAction(jobWithParameters(PARAMS), deps({ log }));

    // Assert
    const { successes, failures } = reported();
    expect(outcome.result).toBe('failed');
    expect(successes).toEqual([]);
    expect(failures[0]!.failureDetails).toMatchObject({ type: 'JobFailed' });
    expect(failures[0]!.failureDetails?.message).toContain('AccessDeniedException: not authorized');
    expect(log.error).toHaveBeenCalledWith(
      'The relay action failed',
      expect.objectContaining({ jobId: '11111111-abcd-1111-abcd-111111abcdef' }),
    );
  });

  it('fails the job as a configuration error, before starting anything, for wrong UserParameters', async () => {
    // Arrange

    // Act
    await runPipelineAction(jobWithParameters({ destinationKey: 'a.zip' }), deps());

    // Assert
    const { failures } = reported();
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(failures[0]!.failureDetails?.type).toBe('ConfigurationError');
    expect(failures[0]!.failureDetails?.message).toContain('UserParameters.rule is missing');
  });

  it('watches the relay within its budget and answers once when it ends in time', async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    const output = { source: SOURCE, results: [delivered('artifacts-seoul', 'ap-northeast-2')] };
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify(output) });
    let now = 0;
    const sleep = vi.fn(async (ms: number) => {
      now += ms;
    });

    // Act
    const outcome = await runPipelineAction(
      jobWithParameters(PARAMS),
      deps({ waitBudgetMs: 30_000, pollIntervalMs: 5_000, clock: () => now, sleep }),
      { remainingTimeMs: () => 120_000 },
    );

    // Assert
    const { successes } = reported();
    expect(outcome.result).toBe('succeeded');
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(successes).toHaveLength(1);
    expect(successes[0]!.continuationToken).toBeUndefined();
  });

  it('answers "still running" early when the Lambda has little time left', async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const sleep = vi.fn(async () => undefined);

    // Act
    await runPipelineAction(
      jobWithParameters(PARAMS),
      deps({ waitBudgetMs: 60_000, sleep, clock: () => 0 }),
      {
        remainingTimeMs: () => 15_000,
      },
    );

    // Assert
    const { successes } = reported();
    expect(sleep).not.toHaveBeenCalled();
    expect(successes[0]!.continuationToken).toBe(arn);
  });

  it('refuses a continuation token that is not an execution of the relay', async () => {
    // Arrange

    // Act
    await runPipelineAction(continued('arn:aws:states:us-west-2:111111111111:execution:other:run'), deps());

    // Assert
    const { failures } = reported();
    expect(sfnMock.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    expect(failures[0]!.failureDetails?.message).toMatch(/not an execution of the relay state machine/);
  });

  it('cannot report for an event without a job id, and says so', async () => {
    // Arrange

    // Act
    const act = runPipelineAction({ hello: 'world' }, deps());

    // Assert
    const { successes, failures } = reported();
    await expect(act).rejects.toThrow(/not a CodePipeline job event/);
    expect([...successes, ...failures]).toEqual([]);
  });

  it('fails the job when the relay succeeded but relayed nothing', async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'SUCCEEDED',
      output: JSON.stringify({ targets: [], settings: {}, reason: 'replica', detail: 'a replica' }),
    });

    // Act
    await runPipelineAction(continued(arn), deps());

    // Assert
    const { failures } = reported();
    expect(failures[0]!.failureDetails?.message).toMatch(/succeeded but relayed nothing/);
  });

  it("fails the job with CodePipeline's answer when it refuses the success result", async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    codePipelineMock
      .on(PutJobSuccessResultCommand)
      .rejects(new InvalidJobStateException({ message: 'the job is not in progress', $metadata: {} }));

    // Act
    const outcome = await runPipelineAction(continued(arn), deps());

    // Assert
    expect(outcome.result).toBe('failed');
    const { failures } = reported();
    expect(failures).toHaveLength(1);
    expect(failures[0]!.failureDetails?.message).toContain('the job is not in progress');
  });

  it('rejects when CodePipeline refuses the failure result too, so the invocation errors visibly', async () => {
    // Arrange
    sfnMock.on(StartExecutionCommand).rejects(new Error('boom'));
    codePipelineMock
      .on(PutJobFailureResultCommand)
      .rejects(new InvalidJobStateException({ message: 'the job is not in progress', $metadata: {} }));

    // Act
    const act = runPipelineAction(jobWithParameters(PARAMS), deps());

    // Assert
    await expect(act).rejects.toBeInstanceOf(InvalidJobStateException);
  });

  it("sends the job result with the invocation's abort signal", async () => {
    // Arrange
    const arn = `${MACHINE.replace(':stateMachine:', ':execution:')}:run`;
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const signal = new AbortController().signal;

    // Act
    await runPipelineAction(continued(arn), deps(), { signal });

    // Assert
    const call = codePipelineMock.commandCalls(PutJobSuccessResultCommand)[0]!;
    expect((call.args as readonly unknown[])[1]).toEqual({ abortSignal: signal });
  });
});
