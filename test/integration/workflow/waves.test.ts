/**
 * Deployment waves on the local stack (docs/waves.md): copies and verification everywhere at once,
 * deployments wave by wave; a failed wave-1 deployment fails the execution before wave 2 deploys
 * (its target shows `held`), and a redrive deploys wave 1 again and then wave 2.
 */
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeExecution } from '../../../cli/executions/describe.ts';
import { fetchHistory } from '../../../cli/executions/history.ts';
import { targetOutcome } from '../../../core/executions/outcome.ts';
import { buildTimeline } from '../../../core/executions/timeline.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { relayOutput, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

const SOURCE_REGION = 'us-west-2';

describe('deployment waves (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    h?.stack.codeDeploy.clearFailures();
    await h?.dispose();
  });

  it('holds wave 2 when a wave-1 deployment fails, and deploys it after the redrive', async () => {
    // Arrange: Seoul deploys in wave 1, Frankfurt in wave 2; Seoul's first deployment fails
    const source = h.name('waves-src');
    const seoul = h.name('waves-seoul');
    const frankfurt = h.name('waves-frankfurt');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.bucket(frankfurt, 'eu-central-1');
    await h.deploymentGroup('ap-northeast-2', 'waves-web', 'waves-prod');
    await h.deploymentGroup('eu-central-1', 'waves-web', 'waves-prod');
    const deploy = (wave: number) => ({
      application: 'waves-web',
      deploymentGroup: 'waves-prod',
      bundleType: 'zip' as const,
      wave,
    });
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'all',
              targets: [
                { bucket: seoul, region: 'ap-northeast-2', deploy: deploy(1) },
                { bucket: frankfurt, region: 'eu-central-1', deploy: deploy(2) },
              ],
            },
          ],
        },
      ],
    });
    h.stack.codeDeploy.injectFailure({
      applicationName: 'waves-web',
      deploymentGroupName: 'waves-prod',
      code: 'SCRIPT_FAILED',
      message: 'Script at specified location: scripts/start.sh failed with exit code 1',
      times: 1,
    });
    await h.put(SOURCE_REGION, {
      Bucket: source,
      Key: 'build_artifacts/web.zip',
      Body: await zipWithAppspec(),
    });
    const [arn] = await relay.triggered();
    const failed = await relay.wait(arn ?? 'none');
    const sfn = h.sfn(relay.deployed.region);
    const shown = async () => {
      const details = await describeExecution(sfn, failed.arn);
      const timeline = buildTimeline(await fetchHistory(sfn, failed.arn));
      const results = details.output?.kind === 'relayed' ? details.output.output.results : [];
      return timeline.targets.map((t) => targetOutcome(t, results[t.index], details.status).status);
    };
    const heldOutcomes = await shown();
    const frankfurtBefore = await h.deployments('eu-central-1', 'waves-web', 'waves-prod');
    const replicaBefore = await h.versions('eu-central-1', frankfurt, 'build_artifacts/web.zip');

    // Act
    await sfn.send(new RedriveExecutionCommand({ executionArn: failed.arn }));
    const redriven = await relay.wait(failed.arn);

    // Assert: the first run copied everywhere, failed in wave 1, and never deployed wave 2
    expect(failed.status).toBe('FAILED');
    expect(failed.described.error).toBe('DeploymentFailed');
    expect(replicaBefore).toHaveLength(1);
    expect(frankfurtBefore).toEqual([]);
    expect(heldOutcomes).toEqual(['failed', 'held']);
    // Assert: the redrive deployed wave 1 once more, then wave 2, each once
    expect(redriven.status).toBe('SUCCEEDED');
    const output = relayOutput(redriven);
    expect(
      output.results.map((r) => [r.target.bucket, r.status, 'deployment' in r ? r.deployment?.status : null]),
    ).toEqual([
      // The redrive ran Seoul's second-pass chain again: its replica was there (in-sync), deployed again.
      [seoul, 'in-sync', 'Succeeded'],
      [frankfurt, 'copied', 'Succeeded'],
    ]);
    expect(await h.deployments('eu-central-1', 'waves-web', 'waves-prod')).toHaveLength(1);
    expect(await h.deployments('ap-northeast-2', 'waves-web', 'waves-prod')).toHaveLength(2);
    const history = await fetchHistory(sfn, failed.arn);
    const waveStart = history.findIndex((e) => e.stateEnteredEventDetails?.name === 'DeployWave2');
    const seoulDone = history.findLastIndex(
      (e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'CheckDeployment (retry)',
    );
    expect(waveStart).toBeGreaterThan(seoulDone);
    expect(await shown()).toEqual(['in-sync', 'copied']);
  });
});
