import { CodePipeline } from '@aws-sdk/client-codepipeline';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_EVENT_MEMBER } from '../../../core/pipeline/job.ts';
import type { LocalPipelineActionHandler } from '../../../local/codepipeline/action-handler.ts';
import { InvalidLocalPipeline, runLocalPipeline } from '../../../local/codepipeline/runner.ts';
import { startTestStack, TEST_AUTH, TEST_CREDENTIALS, type TestStack } from '../../helpers/local-stack.ts';

/**
 * The local pipeline runner with stand-in Lambda functions (no relay): jobs in the documented shape,
 * continuation tokens, variables, and every way an invoke action can end.
 */
describe('the local pipeline runner', () => {
  let stack: TestStack;
  let s3: S3Client;
  let counter = 0;

  beforeAll(async () => {
    stack = await startTestStack({ auth: TEST_AUTH });
    s3 = stack.s3Client('us-west-2');
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  /** A pipeline Source → Invoke(handler), in a fresh artifact store. */
  async function pipelineWith(handler: LocalPipelineActionHandler, userParameters?: string) {
    const bucket = `runner-store-${++counter}`;
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
      }),
    );
    return runLocalPipeline(
      stack,
      {
        name: `runner-${counter}`,
        artifactStore: { bucket, region: 'us-west-2' },
        stages: [
          {
            name: 'Source',
            actions: [{ kind: 'source', name: 'Source', outputArtifact: 'Src', produce: async () => 'x' }],
          },
          {
            name: 'Invoke',
            actions: [
              {
                kind: 'invoke',
                name: 'Fn',
                inputArtifacts: ['Src'],
                functionName: 'fn',
                ...(userParameters === undefined ? {} : { userParameters }),
                handler,
              },
            ],
          },
        ],
      },
      { continuationDelayMs: 0 },
    );
  }

  /** Reports to the stack's CodePipeline as the test administrator. */
  const jobs = () =>
    new CodePipeline({ region: 'us-west-2', endpoint: stack.endpoint, credentials: TEST_CREDENTIALS });

  function jobOf(event: unknown): { id: string; data: Record<string, unknown> } {
    return (event as Record<string, { id: string; data: Record<string, unknown> }>)[JOB_EVENT_MEMBER]!;
  }

  it('invokes again with the continuation token, as a new job, until the function reports a final result', async () => {
    // Arrange
    const seen: Array<{ id: string; token: unknown }> = [];
    const handler: LocalPipelineActionHandler = async (event) => {
      const job = jobOf(event);
      seen.push({ id: job.id, token: job.data.continuationToken });
      const round = seen.length;
      if (round < 3) {
        await jobs().putJobSuccessResult({ jobId: job.id, continuationToken: `round-${round}` });
      } else {
        await jobs().putJobSuccessResult({ jobId: job.id, outputVariables: { Rounds: String(round) } });
      }
      return { result: 'succeeded', jobId: job.id, executionArn: 'x', outputVariables: {} };
    };

    // Act
    const run = await pipelineWith(handler);

    // Assert
    expect(run.status).toBe('Succeeded');
    expect(seen.map((s) => s.token)).toEqual([undefined, 'round-1', 'round-2']);
    expect(new Set(seen.map((s) => s.id)).size).toBe(3);
    expect(run.actions.find((a) => a.action === 'Fn')).toMatchObject({
      jobs: 3,
      outputVariables: { Rounds: '3' },
    });
  });

  it('resolves #{codepipeline.PipelineExecutionId} in UserParameters and hands over the artifact location', async () => {
    // Arrange
    let data: Record<string, unknown> = {};
    const handler: LocalPipelineActionHandler = async (event) => {
      const job = jobOf(event);
      data = job.data;
      await jobs().putJobSuccessResult({ jobId: job.id });
      return { result: 'succeeded', jobId: job.id, executionArn: 'x', outputVariables: {} };
    };

    // Act
    const run = await pipelineWith(handler, '{"id":"#{codepipeline.PipelineExecutionId}"}');

    // Assert
    const configuration = (data.actionConfiguration as { configuration: Record<string, string> })
      .configuration;
    expect(configuration).toEqual({
      FunctionName: 'fn',
      UserParameters: `{"id":"${run.pipelineExecutionId}"}`,
    });
    expect(data.inputArtifacts).toEqual([
      {
        name: 'Src',
        revision: null,
        location: {
          type: 'S3',
          s3Location: { bucketName: run.artifacts.Src!.bucket, objectKey: run.artifacts.Src!.key },
        },
      },
    ]);
  });

  it('fails the action with the reported type and message, and the stage and pipeline execution with it', async () => {
    // Arrange
    const handler: LocalPipelineActionHandler = async (event) => {
      const job = jobOf(event);
      await jobs().putJobFailureResult({
        jobId: job.id,
        failureDetails: { type: 'JobFailed', message: 'target x failed' },
      });
      return { result: 'failed', jobId: job.id, message: 'target x failed' };
    };

    // Act
    const run = await pipelineWith(handler);

    // Assert
    expect(run).toMatchObject({ status: 'Failed', failedStage: 'Invoke' });
    expect(run.actions.find((a) => a.action === 'Fn')?.errorDetails).toEqual({
      code: 'JobFailed',
      message: 'target x failed',
    });
  });

  it.each([
    [
      'returns without reporting',
      async () => ({ result: 'running' as const, jobId: 'j', executionArn: 'x' }),
      /without calling PutJobSuccessResult/,
    ],
    [
      'throws',
      async () => {
        throw new Error('crashed');
      },
      /failed without reporting a result: crashed/,
    ],
  ])('fails an action whose function %s', async (_what, handler, message) => {
    // Arrange / Act
    const run = await pipelineWith(handler as LocalPipelineActionHandler);

    // Assert
    expect(run.status).toBe('Failed');
    expect(run.actions.find((a) => a.action === 'Fn')?.errorDetails?.message).toMatch(message);
  });

  it('fails an action whose configuration references an unknown variable, without invoking it', async () => {
    // Arrange
    let invoked = false;
    const handler: LocalPipelineActionHandler = async () => {
      invoked = true;
      throw new Error('not expected');
    };

    // Act
    const run = await pipelineWith(handler, '{"v":"#{Build.Missing}"}');

    // Assert
    expect(invoked).toBe(false);
    expect(run.actions.find((a) => a.action === 'Fn')?.errorDetails).toMatchObject({
      code: 'ConfigurationError',
    });
  });

  it('refuses a pipeline with a single stage', async () => {
    // Arrange / Act
    const act = runLocalPipeline(stack, {
      name: 'one-stage',
      artifactStore: { bucket: 'none', region: 'us-west-2' },
      stages: [{ name: 'Only', actions: [] }],
    });

    // Assert
    await expect(act).rejects.toBeInstanceOf(InvalidLocalPipeline);
  });
});
