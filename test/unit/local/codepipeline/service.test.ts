import { describe, expect, it } from 'vitest';
import { CodePipelineService } from '../../../../local/codepipeline/service.ts';
import { PrincipalRegistry } from '../../../../local/iam/principals.ts';
import type { RequestContext } from '../../../../local/types.ts';

const ACCOUNT = '000000000000';
const CTX: RequestContext = { region: 'us-west-2', requestId: 'r-1', accountId: ACCOUNT };

/** A service with one pipeline, one execution and one job in progress. */
function withJob(principals?: PrincipalRegistry) {
  const service = new CodePipelineService({
    accountId: ACCOUNT,
    ...(principals ? { principals } : {}),
    now: () => 1_000,
  });
  service.declarePipeline({
    name: 'web-release',
    region: 'us-west-2',
    stages: [
      { name: 'Source', actions: ['Source'] },
      { name: 'Relay', actions: ['RelayToRegions'] },
    ],
  });
  const pipelineExecutionId = service.startPipelineExecution('us-west-2', 'web-release');
  const placement = {
    region: 'us-west-2',
    pipelineName: 'web-release',
    pipelineExecutionId,
    stageName: 'Relay',
    actionName: 'RelayToRegions',
  };
  const jobId = service.createJob(placement);
  return { service, jobId, placement, pipelineExecutionId };
}

async function errorOf(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected the call to fail');
}

describe('the local CodePipeline job results', () => {
  it('records a success with a continuation token and execution details', async () => {
    // Arrange
    const { service, jobId } = withJob();

    // Act
    await service.handle(
      'PutJobSuccessResult',
      { jobId, continuationToken: 'token-1', executionDetails: { summary: 'running', percentComplete: 10 } },
      CTX,
    );

    // Assert
    expect(service.job(jobId)).toMatchObject({
      status: 'Succeeded',
      result: { kind: 'success', continuationToken: 'token-1', summary: 'running', percentComplete: 10 },
    });
  });

  it('records a failure with its type and message', async () => {
    // Arrange
    const { service, jobId } = withJob();

    // Act
    await service.handle(
      'PutJobFailureResult',
      { jobId, failureDetails: { type: 'JobFailed', message: 'boom' } },
      CTX,
    );

    // Assert
    expect(service.job(jobId)).toMatchObject({
      status: 'Failed',
      result: { kind: 'failure', type: 'JobFailed', message: 'boom' },
    });
  });

  it('answers JobNotFoundException for a job it never created', async () => {
    // Arrange
    const { service } = withJob();

    // Act
    const error = await errorOf(
      service.handle('PutJobSuccessResult', { jobId: '11111111-abcd-1111-abcd-111111abcdef' }, CTX),
    );

    // Assert
    expect(error.code).toBe('JobNotFoundException');
  });

  it('answers JobNotFoundException for a job of another region', async () => {
    // Arrange
    const { service, jobId } = withJob();

    // Act
    const error = await errorOf(
      service.handle('PutJobSuccessResult', { jobId }, { ...CTX, region: 'eu-west-1' }),
    );

    // Assert
    expect(error.code).toBe('JobNotFoundException');
  });

  it('answers InvalidJobStateException for a job that already reported', async () => {
    // Arrange
    const { service, jobId } = withJob();
    await service.handle('PutJobSuccessResult', { jobId }, CTX);

    // Act
    const error = await errorOf(
      service.handle(
        'PutJobFailureResult',
        { jobId, failureDetails: { type: 'JobFailed', message: 'late' } },
        CTX,
      ),
    );

    // Assert
    expect(error.code).toBe('InvalidJobStateException');
  });

  it.each([
    [
      { jobId: 'job-1' },
      /at 'jobId' failed to satisfy constraint: Member must satisfy regular expression pattern/,
    ],
    [{ jobId: undefined }, /at 'jobId' failed to satisfy constraint: Member must not be null/],
    [{ outputVariables: { 'bad key': 'v' } }, /Map keys must satisfy constraint/],
    [{ outputVariables: { Key: 'v' }, continuationToken: 't' }, /only when there is no continuation token/],
    [{ continuationToken: 't'.repeat(2049) }, /at 'continuationToken'.*less than or equal to 2048/],
    [{ executionDetails: { percentComplete: 101 } }, /percentComplete/],
    [{ executionDetails: { externalExecutionId: '' } }, /externalExecutionId/],
  ])('refuses PutJobSuccessResult %j with ValidationException', async (input, message) => {
    // Arrange
    const { service, jobId } = withJob();

    // Act
    const error = await errorOf(service.handle('PutJobSuccessResult', { jobId, ...input }, CTX));

    // Assert
    expect(error.code).toBe('ValidationException');
    expect(error.message).toMatch(message);
    expect(service.job(jobId)?.status).toBe('InProgress');
  });

  it('answers OutputVariablesSizeExceededException past the size cap', async () => {
    // Arrange
    const { service, jobId } = withJob();
    const outputVariables = Object.fromEntries(
      Array.from({ length: 130 }, (_, i) => [`Key${i}`, 'v'.repeat(1000)]),
    );

    // Act
    const error = await errorOf(service.handle('PutJobSuccessResult', { jobId, outputVariables }, CTX));

    // Assert
    expect(error.code).toBe('OutputVariablesSizeExceededException');
  });

  it.each([
    [{}, /'failureDetails' failed to satisfy constraint: Member must not be null/],
    [{ failureDetails: { type: 'Oops', message: 'm' } }, /enum value set: \[JobFailed, ConfigurationError/],
    [{ failureDetails: { type: 'JobFailed' } }, /'failureDetails\.message'/],
    [{ failureDetails: { type: 'JobFailed', message: 'm'.repeat(5001) } }, /less than or equal to 5000/],
  ])('refuses PutJobFailureResult %j with ValidationException', async (input, message) => {
    // Arrange
    const { service, jobId } = withJob();

    // Act
    const error = await errorOf(service.handle('PutJobFailureResult', { jobId, ...input }, CTX));

    // Assert
    expect(error.code).toBe('ValidationException');
    expect(error.message).toMatch(message);
  });

  it('refuses a registered principal whose policies do not allow the call', async () => {
    // Arrange
    const principals = new PrincipalRegistry([
      {
        accessKeyId: 'role-key',
        arn: `arn:aws:iam::${ACCOUNT}:role/no-grants`,
        account: ACCOUNT,
        policies: [
          {
            Version: '2012-10-17',
            Statement: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: '*' }],
          },
        ],
      },
    ]);
    const { service, jobId } = withJob(principals);

    // Act
    const error = await errorOf(
      service.handle('PutJobSuccessResult', { jobId }, { ...CTX, accessKeyId: 'role-key' }),
    );

    // Assert
    expect(error.code).toBe('AccessDeniedException');
    expect(error.message).toContain(
      'is not authorized to perform: codepipeline:PutJobSuccessResult on resource: *',
    );
  });
});

describe('the local CodePipeline pipeline state', () => {
  it('shows each stage and action with its latest execution, without the output variables', async () => {
    // Arrange
    const { service, placement, pipelineExecutionId } = withJob();
    service.setStageState(placement, 'Failed');
    service.setActionState(placement, {
      actionExecutionId: 'a-1',
      status: 'Failed',
      errorDetails: { code: 'JobFailed', message: 'target failed' },
      outputVariables: { Secret: 'not shown' },
    });

    // Act
    const state = (await service.handle('GetPipelineState', { name: 'web-release' }, CTX)) as {
      stageStates: Array<{
        stageName: string;
        latestExecution?: unknown;
        actionStates: Array<{ latestExecution?: Record<string, unknown> }>;
      }>;
    };

    // Assert
    expect(state.stageStates.map((s) => s.stageName)).toEqual(['Source', 'Relay']);
    expect(state.stageStates[1]!.latestExecution).toEqual({ pipelineExecutionId, status: 'Failed' });
    expect(state.stageStates[1]!.actionStates[0]!.latestExecution).toMatchObject({
      status: 'Failed',
      errorDetails: { code: 'JobFailed', message: 'target failed' },
    });
    expect(JSON.stringify(state)).not.toContain('not shown');
  });

  it('shows a pipeline execution and its status', async () => {
    // Arrange
    const { service, pipelineExecutionId } = withJob();
    service.endPipelineExecution('us-west-2', 'web-release', pipelineExecutionId, 'Succeeded');

    // Act
    const answer = (await service.handle(
      'GetPipelineExecution',
      { pipelineName: 'web-release', pipelineExecutionId },
      CTX,
    )) as {
      pipelineExecution: { status: string; pipelineExecutionId: string };
    };

    // Assert
    expect(answer.pipelineExecution).toMatchObject({ status: 'Succeeded', pipelineExecutionId });
  });

  it.each([
    ['GetPipelineState', { name: 'nope' }, 'PipelineNotFoundException'],
    [
      'GetPipelineExecution',
      { pipelineName: 'web-release', pipelineExecutionId: 'nope' },
      'PipelineExecutionNotFoundException',
    ],
    ['GetPipelineExecution', { pipelineName: 'web-release' }, 'ValidationException'],
    ['StartPipelineExecution', { name: 'web-release' }, 'UnknownOperationException'],
  ])('answers %s %j with %s', async (operation, input, code) => {
    // Arrange
    const { service } = withJob();

    // Act
    const error = await errorOf(service.handle(operation, input, CTX));

    // Assert
    expect(error.code).toBe(code);
  });
});
