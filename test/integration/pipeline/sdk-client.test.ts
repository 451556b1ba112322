import {
  CodePipelineClient,
  GetPipelineExecutionCommand,
  GetPipelineStateCommand,
  InvalidJobStateException,
  JobNotFoundException,
  OutputVariablesSizeExceededException,
  PipelineExecutionNotFoundException,
  PipelineNotFoundException,
  PutJobFailureResultCommand,
  PutJobSuccessResultCommand,
  ValidationException,
} from '@aws-sdk/client-codepipeline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_OUTPUT_VARIABLES_BYTES } from '../../../core/pipeline/limits.ts';
import { startTestStack, TEST_AUTH, TEST_CREDENTIALS, type TestStack } from '../../helpers/local-stack.ts';

/**
 * The local CodePipeline answers the AWS SDK's own CodePipeline client (`@aws-sdk/client-codepipeline`)
 * over the stack's endpoint, signatures verified: the job result calls the pipeline action makes, the
 * modelled exceptions the SDK raises for CodePipeline's refusals (CodePipeline API Reference,
 * PutJobSuccessResult / PutJobFailureResult errors), and the pipeline reads with their timestamps.
 */
describe('the local CodePipeline through the AWS SDK client', () => {
  const REGION = 'us-west-2';
  let stack: TestStack;
  let client: CodePipelineClient;
  let counter = 0;

  beforeAll(async () => {
    stack = await startTestStack({ auth: TEST_AUTH });
    client = new CodePipelineClient({
      endpoint: stack.endpoint,
      region: REGION,
      credentials: TEST_CREDENTIALS,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await stack?.dispose();
  });

  /** A declared pipeline with one execution running its `Relay` stage: the execution and a job in progress. */
  function pipelineWithJob(): { name: string; pipelineExecutionId: string; jobId: string } {
    const name = `sdk-${++counter}`;
    stack.codePipeline.declarePipeline({
      name,
      region: REGION,
      stages: [
        { name: 'Source', actions: ['Source'] },
        { name: 'Relay', actions: ['RelayToRegions'] },
      ],
    });
    const pipelineExecutionId = stack.codePipeline.startPipelineExecution(REGION, name);
    const jobId = stack.codePipeline.createJob({
      region: REGION,
      pipelineName: name,
      pipelineExecutionId,
      stageName: 'Relay',
      actionName: 'RelayToRegions',
    });
    return { name, pipelineExecutionId, jobId };
  }

  it('records a success with a continuation token and execution details sent by the SDK client', async () => {
    // Arrange
    const { jobId } = pipelineWithJob();

    // Act
    await client.send(
      new PutJobSuccessResultCommand({
        jobId,
        continuationToken: 'arn:aws:states:us-west-2:111111111111:execution:relay:run',
        executionDetails: { summary: 'Started the relay', externalExecutionId: 'run', percentComplete: 10 },
      }),
    );

    // Assert
    expect(stack.codePipeline.job(jobId)).toMatchObject({
      status: 'Succeeded',
      result: {
        kind: 'success',
        continuationToken: 'arn:aws:states:us-west-2:111111111111:execution:relay:run',
        summary: 'Started the relay',
        externalExecutionId: 'run',
        percentComplete: 10,
      },
    });
  });

  it('records the final success with its output variables', async () => {
    // Arrange
    const { jobId } = pipelineWithJob();

    // Act
    await client.send(
      new PutJobSuccessResultCommand({
        jobId,
        outputVariables: { TargetCount: '1', Target1Bucket: 'artifacts-seoul' },
      }),
    );

    // Assert
    expect(stack.codePipeline.job(jobId)?.result).toEqual({
      kind: 'success',
      outputVariables: { TargetCount: '1', Target1Bucket: 'artifacts-seoul' },
    });
  });

  it('records a failure with its type and message', async () => {
    // Arrange
    const { jobId } = pipelineWithJob();

    // Act
    await client.send(
      new PutJobFailureResultCommand({
        jobId,
        failureDetails: {
          type: 'JobFailed',
          message: 'artifacts-frankfurt: AccessDenied',
          externalExecutionId: 'x',
        },
      }),
    );

    // Assert
    expect(stack.codePipeline.job(jobId)).toMatchObject({
      status: 'Failed',
      result: { kind: 'failure', type: 'JobFailed', message: 'artifacts-frankfurt: AccessDenied' },
    });
  });

  it('raises InvalidJobStateException for a second result of the same job', async () => {
    // Arrange
    const { jobId } = pipelineWithJob();
    await client.send(new PutJobSuccessResultCommand({ jobId }));

    // Act
    const again = client.send(
      new PutJobFailureResultCommand({ jobId, failureDetails: { type: 'JobFailed', message: 'late' } }),
    );

    // Assert
    await expect(again).rejects.toBeInstanceOf(InvalidJobStateException);
    expect(stack.codePipeline.job(jobId)?.status).toBe('Succeeded');
  });

  it.each([
    ['a job nobody created', () => '00000000-0000-4000-8000-000000000000', REGION],
    ['a job of another region', () => pipelineWithJob().jobId, 'eu-central-1'],
  ])('raises JobNotFoundException for %s', async (_, jobIdOf, region) => {
    // Arrange
    const jobId = jobIdOf();
    const other = new CodePipelineClient({ endpoint: stack.endpoint, region, credentials: TEST_CREDENTIALS });

    // Act
    const act = other.send(new PutJobSuccessResultCommand({ jobId }));

    // Assert
    await expect(act).rejects.toBeInstanceOf(JobNotFoundException);
    other.destroy();
  });

  it.each([
    ['output variables with a continuation token', { continuationToken: 't', outputVariables: { A: '1' } }],
    ['an output variable key outside [A-Za-z0-9@-_]', { outputVariables: { 'Target 1': 'x' } }],
    ['a percentComplete above 100', { executionDetails: { percentComplete: 101 } }],
  ])('raises ValidationException for %s', async (_, input) => {
    // Arrange
    const { jobId } = pipelineWithJob();

    // Act
    const act = client.send(new PutJobSuccessResultCommand({ jobId, ...input }));

    // Assert
    await expect(act).rejects.toBeInstanceOf(ValidationException);
    expect(stack.codePipeline.job(jobId)?.status).toBe('InProgress');
  });

  it('raises OutputVariablesSizeExceededException past the size cap', async () => {
    // Arrange
    const { jobId } = pipelineWithJob();
    const outputVariables = { Big: 'x'.repeat(MAX_OUTPUT_VARIABLES_BYTES) };

    // Act
    const act = client.send(new PutJobSuccessResultCommand({ jobId, outputVariables }));

    // Assert
    await expect(act).rejects.toBeInstanceOf(OutputVariablesSizeExceededException);
  });

  it('answers GetPipelineState and GetPipelineExecution with stage states and timestamps the SDK parses', async () => {
    // Arrange
    const { name, pipelineExecutionId } = pipelineWithJob();
    const placement = { region: REGION, pipelineName: name, pipelineExecutionId, stageName: 'Relay' };
    stack.codePipeline.setStageState(placement, 'Failed');
    stack.codePipeline.setActionState(
      { ...placement, actionName: 'RelayToRegions' },
      {
        actionExecutionId: 'a-1',
        status: 'Failed',
        errorDetails: { code: 'JobFailed', message: 'artifacts-frankfurt: AccessDenied' },
      },
    );
    stack.codePipeline.endPipelineExecution(
      REGION,
      name,
      pipelineExecutionId,
      'Failed',
      'Stage Relay failed',
    );

    // Act
    const state = await client.send(new GetPipelineStateCommand({ name }));
    const execution = await client.send(
      new GetPipelineExecutionCommand({ pipelineName: name, pipelineExecutionId }),
    );

    // Assert
    expect(state.created).toBeInstanceOf(Date);
    expect(Number.isNaN(state.created?.getTime())).toBe(false);
    const relay = state.stageStates?.find((s) => s.stageName === 'Relay');
    expect(relay?.latestExecution).toEqual({ pipelineExecutionId, status: 'Failed' });
    const action = relay?.actionStates?.[0]?.latestExecution;
    expect(action?.lastStatusChange).toBeInstanceOf(Date);
    expect(action).toMatchObject({
      actionExecutionId: 'a-1',
      status: 'Failed',
      errorDetails: { code: 'JobFailed', message: 'artifacts-frankfurt: AccessDenied' },
    });
    expect(execution.pipelineExecution).toMatchObject({
      pipelineName: name,
      pipelineExecutionId,
      status: 'Failed',
      statusSummary: 'Stage Relay failed',
    });
  });

  it('raises PipelineNotFoundException and PipelineExecutionNotFoundException for what does not exist', async () => {
    // Arrange
    const { name } = pipelineWithJob();

    // Act
    const noPipeline = client.send(new GetPipelineStateCommand({ name: 'no-such-pipeline' }));
    const noExecution = client.send(
      new GetPipelineExecutionCommand({
        pipelineName: name,
        pipelineExecutionId: '00000000-0000-4000-8000-000000000000',
      }),
    );

    // Assert
    await expect(noPipeline).rejects.toBeInstanceOf(PipelineNotFoundException);
    await expect(noExecution).rejects.toBeInstanceOf(PipelineExecutionNotFoundException);
  });
});
