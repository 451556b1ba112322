import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWorkflowHarness, type WorkflowHarness } from '../workflow/harness.ts';
import { codePipelineCall, PIPELINE_REGION, setUpPipeline } from './harness.ts';

/**
 * The relay as a CodePipeline stage on the local stack: a pipeline run whose relay stage succeeds with
 * output variables, one whose target fails and whose stage fails with the message (then a retried stage
 * redrives the same relay), and one long enough that the action answers with a continuation token.
 */
describe('the relay as a pipeline stage (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    h?.stack.faults.clear();
    await h?.dispose();
  });

  it('relays the KMS-encrypted build artifact to every target, deploys it, and succeeds with output variables', async () => {
    // Arrange
    const setup = await setUpPipeline(h, 'ok');

    // Act
    const run = await setup.runner.run();

    // Assert
    expect(run.status).toBe('Succeeded');
    const relayAction = run.actions.find((a) => a.action === 'RelayToRegions');
    const key = `build_artifacts/${setup.pipelineName}/${run.pipelineExecutionId}.zip`;
    const artifact = run.artifacts.BuildOutput!;
    expect((await h.head(PIPELINE_REGION, setup.store, artifact.key)).SSEKMSKeyId).toBe(setup.storeKey);
    expect(await h.read('ap-northeast-2', setup.seoul, key)).toEqual(setup.bundle);
    expect(await h.read('eu-central-1', setup.frankfurt, key)).toEqual(setup.bundle);
    const variables = relayAction?.outputVariables ?? {};
    expect(variables).toMatchObject({
      TargetCount: '2',
      Target1Bucket: setup.seoul,
      Target1Region: 'ap-northeast-2',
      Target1Key: key,
      Target2Bucket: setup.frankfurt,
      Target2Key: key,
    });
    const seoulHead = await h.head('ap-northeast-2', setup.seoul, key);
    expect(variables.Target1VersionId).toBe(seoulHead.VersionId);
    const deployments = await h.deployments('ap-northeast-2', setup.application, setup.deploymentGroup);
    expect(deployments.map((d) => d.deploymentId)).toEqual([variables.Target1DeploymentId]);
    expect(await setup.executions()).toHaveLength(1);
    const state = await codePipelineCall(h.stack.endpoint, 'GetPipelineState', { name: setup.pipelineName });
    expect(state.status).toBe(200);
    const stages = state.body.stageStates as Array<{
      stageName: string;
      latestExecution?: { status: string };
    }>;
    expect(stages.map((s) => [s.stageName, s.latestExecution?.status])).toEqual([
      ['Source', 'Succeeded'],
      ['Build', 'Succeeded'],
      ['Relay', 'Succeeded'],
    ]);
    setup.runner.dispose();
  });

  it('fails the relay stage with the failed target and what to fix; a retried stage redrives the same relay', async () => {
    // Arrange
    const setup = await setUpPipeline(h, 'denied');
    const fault = h.stack.faults.add({ kind: 'access-denied', bucket: setup.frankfurt });

    // Act
    const failed = await setup.runner.run();
    h.stack.faults.remove(fault);
    const retried = await setup.runner.retryFailedStage(failed);

    // Assert
    expect(failed.status).toBe('Failed');
    expect(failed.failedStage).toBe('Relay');
    const relayAction = failed.actions.find((a) => a.action === 'RelayToRegions');
    expect(relayAction?.errorDetails?.code).toBe('JobFailed');
    expect(relayAction?.errorDetails?.message).toMatch(/The relay execution failed/);
    expect(relayAction?.errorDetails?.message).toContain('AccessDenied');
    expect(relayAction?.errorDetails?.message).toContain(setup.frankfurt);
    expect(relayAction?.errorDetails?.message).toMatch(/retry the stage/);
    const execution = await codePipelineCall(h.stack.endpoint, 'GetPipelineExecution', {
      pipelineName: setup.pipelineName,
      pipelineExecutionId: failed.pipelineExecutionId,
    });
    expect((execution.body.pipelineExecution as { status: string }).status).toBe('Succeeded');
    expect(retried.status).toBe('Succeeded');
    expect(retried.pipelineExecutionId).toBe(failed.pipelineExecutionId);
    expect(await setup.executions()).toHaveLength(1);
    const key = `build_artifacts/${setup.pipelineName}/${failed.pipelineExecutionId}.zip`;
    expect(await h.read('eu-central-1', setup.frankfurt, key)).toEqual(setup.bundle);
    setup.runner.dispose();
  });

  it.each([
    [{ rule: 'web' }, /No rule of the relay configuration is named "web".*one of: web-bundles/],
    [
      { destinationKey: 'releases/{pipelineExecutionId}.zip' },
      /must start with "build_artifacts\/" and end with "\.zip"/,
    ],
    [{ destinationKey: 'build_artifacts/{commit}.zip' }, /unknown placeholder \{commit\}/],
  ])(
    'fails the relay stage with what to fix for the action configuration %j',
    async (parameters, message) => {
      // Arrange
      const setup = await setUpPipeline(h, 'misconfigured', {}, parameters);

      // Act
      const run = await setup.runner.run();

      // Assert
      expect(run).toMatchObject({ status: 'Failed', failedStage: 'Relay' });
      expect(run.actions.find((a) => a.action === 'RelayToRegions')?.errorDetails?.message).toMatch(message);
      setup.runner.dispose();
    },
  );

  it('answers with a continuation token while the relay runs, and succeeds on a later job', async () => {
    // Arrange
    const setup = await setUpPipeline(h, 'long', { waitBudgetMs: 0 });

    // Act
    const run = await setup.runner.run();

    // Assert
    expect(run.status).toBe('Succeeded');
    const relayAction = run.actions.find((a) => a.action === 'RelayToRegions');
    expect(relayAction?.jobs).toBeGreaterThan(1);
    expect(relayAction?.outputVariables?.TargetCount).toBe('2');
    expect(await setup.executions()).toHaveLength(1);
    setup.runner.dispose();
  });
});
