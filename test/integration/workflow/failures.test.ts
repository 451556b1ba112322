import { randomBytes } from 'node:crypto';
import { RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import {
  type Execution,
  type Relay,
  relayOutput,
  resultFor,
  sha256,
  startWorkflowHarness,
  type WorkflowHarness,
} from './harness.ts';

const SOURCE_REGION = 'us-west-2';

/**
 * The outputs of the states named `state` (the Pass states and the Verify task that end a target with its
 * result), in history order.
 */
async function passOutputs(relay: Relay, execution: Execution, state: string): Promise<unknown[]> {
  const events = await relay.history(execution.arn);
  return events
    .filter((e) => e.type?.endsWith('StateExited') && e.stateExitedEventDetails?.name === state)
    .map((e) => JSON.parse(e.stateExitedEventDetails?.output ?? 'null') as unknown);
}

/** How many times the state `state` was entered. */
async function entered(relay: Relay, execution: Execution, state: string): Promise<number> {
  const events = await relay.history(execution.arn);
  return events.filter((e) => e.type?.endsWith('StateEntered') && e.stateEnteredEventDetails?.name === state)
    .length;
}

describe('the relay workflow when a target fails (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    h?.stack.faults.clear();
    h?.stack.codeDeploy.clearFailures();
    await h?.dispose();
  });

  it('fails the execution for a target under AccessDenied while the others succeed; a redrive copies only that target', async () => {
    // Arrange
    const source = h.name('denied-src');
    const seoul = h.name('denied-seoul');
    const frankfurt = h.name('denied-frankfurt');
    const virginia = h.name('denied-virginia');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.bucket(frankfurt, 'eu-central-1');
    await h.bucket(virginia, 'us-east-1');
    await h.deploymentGroup('ap-northeast-2', 'denied-web', 'denied-prod');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'all',
              targets: [
                {
                  bucket: seoul,
                  region: 'ap-northeast-2',
                  deploy: { application: 'denied-web', deploymentGroup: 'denied-prod', bundleType: 'zip' },
                },
                { bucket: frankfurt, region: 'eu-central-1' },
                { bucket: virginia, region: 'us-east-1' },
              ],
            },
          ],
        },
      ],
    });
    const key = 'build_artifacts/web.zip';
    const bundle = await zipWithAppspec({ 'index.html': 'redrive me' });
    const fault = h.stack.faults.add({ kind: 'access-denied', bucket: virginia });
    await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: bundle });
    const [arn] = await relay.triggered();
    const failed = await relay.wait(arn ?? 'none');
    h.stack.faults.remove(fault);
    const kept = {
      seoul: await h.versions('ap-northeast-2', seoul, key),
      frankfurt: await h.versions('eu-central-1', frankfurt, key),
      virginia: await h.versions('us-east-1', virginia, key),
    };
    const deploymentsBefore = await h.deployments('ap-northeast-2', 'denied-web', 'denied-prod');
    const firstRun = {
      pauses: await entered(relay, failed, 'Pause before retry'),
      copyCalls: await relay.taskCalls(failed.arn, 'copy-object'),
      deniedHeads: h.s3Requests('HeadObject', virginia, 403),
    };

    // Act
    await h.sfn(relay.deployed.region).send(new RedriveExecutionCommand({ executionArn: failed.arn }));
    const redriven = await relay.wait(failed.arn);

    // Assert: the first run
    expect(failed.status).toBe('FAILED');
    expect(failed.described.error).toBe('AccessDenied');
    expect(failed.described.cause).toContain(virginia);
    // Three first-pass copies, then the denied target once more in the second pass — at once: AccessDenied
    // is not transient, so there is no pause before it.
    expect(firstRun).toEqual({ pauses: 0, copyCalls: 4, deniedHeads: 2 });
    expect(kept.seoul).toHaveLength(1);
    expect(kept.frankfurt).toHaveLength(1);
    expect(kept.virginia).toEqual([]);
    expect(deploymentsBefore).toHaveLength(1);
    // Assert: the redrive
    expect(redriven.status).toBe('SUCCEEDED');
    expect(redriven.described.redriveCount).toBe(1);
    // The redrive ran the failed target's second-pass chain again, and nothing else.
    expect(await relay.taskCalls(failed.arn, 'copy-object')).toBe(firstRun.copyCalls + 1);
    expect(await relay.taskCalls(failed.arn, 'start-deployment')).toBe(1);
    const output = relayOutput(redriven);
    expect(output.results.map((r) => [r.target.bucket, r.status])).toEqual([
      [seoul, 'copied'],
      [frankfurt, 'copied'],
      [virginia, 'copied'],
    ]);
    expect(sha256(await h.read('us-east-1', virginia, key))).toBe(sha256(bundle));
    expect(await h.versions('ap-northeast-2', seoul, key)).toEqual(kept.seoul);
    expect(await h.versions('eu-central-1', frankfurt, key)).toEqual(kept.frankfurt);
    expect(h.s3Requests('CopyObject', seoul)).toBe(1);
    expect(h.s3Requests('CopyObject', frankfurt)).toBe(1);
    expect(h.s3Requests('CopyObject', virginia)).toBe(1);
    const deploymentsAfter = await h.deployments('ap-northeast-2', 'denied-web', 'denied-prod');
    expect(deploymentsAfter.map((d) => d.deploymentId)).toEqual(deploymentsBefore.map((d) => d.deploymentId));
  });

  it('re-copies a replica that fails verification once, then verifies it', async () => {
    // Arrange
    const source = h.name('corrupt-src');
    const target = h.name('corrupt-frankfurt');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, 'eu-central-1');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [{ name: 'all', targets: [{ bucket: target, region: 'eu-central-1' }] }],
        },
      ],
    });
    const key = 'build_artifacts/web.zip';
    const body = randomBytes(128 * 1024);
    h.stack.faults.corruptNextCopy({ bucket: target, key });

    // Act
    await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: body });
    const [arn] = await relay.triggered();
    const execution = await relay.wait(arn ?? 'none');

    // Assert
    expect(execution.status).toBe('SUCCEEDED');
    expect(resultFor(relayOutput(execution), target)).toMatchObject({
      status: 'copied',
      bytes: body.length,
      verifiedBy: 'checksum:CRC32',
    });
    expect(sha256(await h.read('eu-central-1', target, key))).toBe(sha256(body));
    const versions = await h.versions('eu-central-1', target, key);
    expect(versions).toHaveLength(2);
    const corrupted = versions.find((v) => v.IsLatest !== true);
    expect(sha256(await h.read('eu-central-1', target, key, { VersionId: corrupted?.VersionId }))).not.toBe(
      sha256(body),
    );
    const events = await relay.history(execution.arn);
    const verifyFailures = events.filter(
      (e) =>
        e.type === 'LambdaFunctionFailed' &&
        e.lambdaFunctionFailedEventDetails?.error === 'VerificationFailed',
    );
    expect(verifyFailures).toHaveLength(1);
    expect(await entered(relay, execution, 'Re-copy after mismatch')).toBe(1);
    expect(await relay.taskCalls(execution.arn, 'copy-object')).toBe(2);
    expect(h.s3Requests('CopyObject', target)).toBe(2);
  });

  it("fails a target whose deployment fails with CodeDeploy's code, never deploys it again on its own, and deploys it once more on redrive", async () => {
    // Arrange
    const source = h.name('deployfail-src');
    const seoul = h.name('deployfail-seoul');
    const frankfurt = h.name('deployfail-frankfurt');
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(seoul, 'ap-northeast-2');
    await h.bucket(frankfurt, 'eu-central-1');
    await h.deploymentGroup('ap-northeast-2', 'deployfail-web', 'deployfail-prod');
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'all',
              targets: [
                {
                  bucket: seoul,
                  region: 'ap-northeast-2',
                  deploy: {
                    application: 'deployfail-web',
                    deploymentGroup: 'deployfail-prod',
                    bundleType: 'zip',
                  },
                },
                { bucket: frankfurt, region: 'eu-central-1' },
              ],
            },
          ],
        },
      ],
    });
    // The first deployment fails on the fleet; a second one would succeed — if anything made one.
    h.stack.codeDeploy.injectFailure({
      applicationName: 'deployfail-web',
      deploymentGroupName: 'deployfail-prod',
      code: 'SCRIPT_FAILED',
      message: 'Script at specified location: scripts/start.sh failed with exit code 1',
      times: 1,
    });
    const key = 'build_artifacts/web.zip';
    const bundle = await zipWithAppspec();

    // Act
    await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: bundle });
    const [arn] = await relay.triggered();
    const execution = await relay.wait(arn ?? 'none');

    // Assert
    expect(execution.status).toBe('FAILED');
    expect(execution.described.error).toBe('DeploymentFailed');
    expect(execution.described.cause).toContain('SCRIPT_FAILED');
    const firstPassFailures = await passOutputs(relay, execution, 'Target failed');
    expect(firstPassFailures).toEqual([
      {
        target: expect.objectContaining({ bucket: seoul }),
        index: 0,
        status: 'failed',
        error: 'DeploymentFailed',
        cause: expect.stringContaining('SCRIPT_FAILED'),
      },
    ]);
    const copied = await passOutputs(relay, execution, 'Verify');
    expect(copied).toEqual([
      expect.objectContaining({
        target: expect.objectContaining({ bucket: frankfurt }),
        status: 'copied',
        bytes: bundle.length,
      }),
    ]);
    // One deployment: the second pass found the failed one in the group's ledger and reported it.
    const deployments = await h.deployments('ap-northeast-2', 'deployfail-web', 'deployfail-prod');
    expect(deployments.map((d) => [d.status, d.errorInformation?.code])).toEqual([
      ['Failed', 'SCRIPT_FAILED'],
    ]);
    expect(await entered(relay, execution, 'Pause before retry')).toBe(0);
    expect(sha256(await h.read('eu-central-1', frankfurt, key))).toBe(sha256(bundle));

    // Act: a duplicate of the event arrives, then the operator redrives the execution
    const duplicate = await relay.run(JSON.parse(execution.described.input ?? 'null'));
    const afterDuplicate = await h.deployments('ap-northeast-2', 'deployfail-web', 'deployfail-prod');
    await h.sfn(relay.deployed.region).send(new RedriveExecutionCommand({ executionArn: execution.arn }));
    const redriven = await relay.wait(execution.arn);

    // Assert: automatic work never deploys the failed revision again; the redrive does, once
    expect(duplicate.status).toBe('FAILED');
    expect(duplicate.described.error).toBe('DeploymentFailed');
    expect(duplicate.described.cause).toContain('redrive');
    expect(afterDuplicate).toHaveLength(1);
    expect(redriven.status).toBe('SUCCEEDED');
    const after = await h.deployments('ap-northeast-2', 'deployfail-web', 'deployfail-prod');
    expect(after.map((d) => d.status).sort()).toEqual(['Failed', 'Succeeded']);
    const seoulResult = resultFor(relayOutput(redriven), seoul);
    expect(seoulResult).toMatchObject({ status: 'in-sync', deployment: { status: 'Succeeded' } });
  });
});
