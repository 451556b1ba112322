import {
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeploymentFailed } from '../../../core/errors.ts';
import type { DeploymentState, TaskInput } from '../../../core/workflow.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { firstTargetInput, type RelayHarness, relayConfig, startRelayHarness } from './harness.ts';

/** CheckDeployment calls a test makes before it calls a deployment stuck (the lifecycle runs at 1/1000 speed). */
const MAX_CHECKS = 500;

describe('StartDeployment and CheckDeployment on the local stack', () => {
  let relay: RelayHarness;
  const source = { bucket: 'build-artifacts-oregon', region: 'us-west-2' };
  const region = 'ap-northeast-2';
  const target = {
    bucket: 'artifacts-seoul',
    region,
    deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip' as const },
  };

  beforeAll(async () => {
    relay = await startRelayHarness();
    await relay.bucket(source.bucket, source.region, { versioned: true });
    await relay.bucket(target.bucket, region, { versioned: true });
    const codeDeploy = relay.codeDeploy(region);
    await codeDeploy.send(
      new CreateApplicationCommand({ applicationName: 'web', computePlatform: 'Server' }),
    );
    await codeDeploy.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'web',
        deploymentGroupName: 'web-prod',
        serviceRoleArn: 'arn:aws:iam::000000000000:role/codedeploy',
      }),
    );
  });

  afterAll(async () => {
    await relay?.dispose();
  });

  async function copiedInput(key: string): Promise<TaskInput> {
    await relay.s3(source.region).send(
      new PutObjectCommand({
        Bucket: source.bucket,
        Key: key,
        Body: await zipWithAppspec({ 'index.html': key }),
      }),
    );
    const input = firstTargetInput(
      await relay.resolve(relayConfig(source, [target]), { bucket: source.bucket, key }),
    );
    const [copy] = await relay.copyToEnd(input);
    if (copy === undefined) throw new Error('no copy result');
    return {
      ...input,
      copy,
      execution: { id: `arn:aws:states:us-west-2:000000000000:execution:relay:${key}`, redriveCount: 0 },
    };
  }

  function idOf(state: DeploymentState): string {
    if (!('id' in state)) throw new Error(`expected a deployment, got ${JSON.stringify(state)}`);
    return state.id;
  }

  async function deploymentsOf(group: string): Promise<string[]> {
    const listed = await relay
      .codeDeploy(region)
      .send(new ListDeploymentsCommand({ applicationName: 'web', deploymentGroupName: group }));
    return listed.deployments ?? [];
  }

  async function untilFinished(input: TaskInput, started: DeploymentState): Promise<DeploymentState> {
    let state = started;
    for (let check = 0; check < MAX_CHECKS && !state.done; check++) {
      state = await relay.checkDeployment({ ...input, deployment: state });
    }
    return state;
  }

  it('deploys the replica once: a second start reuses the deployment of the same revision', async () => {
    // Arrange
    const input = await copiedInput('build_artifacts/web-1.zip');

    // Act
    const started = await relay.startDeployment(input);
    const again = await relay.startDeployment(input);
    const finished = await untilFinished(input, started);
    const afterwards = await relay.startDeployment(input);

    // Assert
    expect(idOf(again)).toBe(idOf(started));
    expect(finished).toEqual({ id: idOf(started), status: 'Succeeded', done: true });
    expect(afterwards).toEqual({ id: idOf(started), status: 'Succeeded', done: true });
    expect(await deploymentsOf('web-prod')).toEqual([idOf(started)]);
  });

  it("fails a deployment that CodeDeploy fails, with CodeDeploy's error code", async () => {
    // Arrange
    const input = await copiedInput('build_artifacts/web-2.zip');
    relay.stack.codeDeploy.injectFailure({ applicationName: 'web', code: 'HEALTH_CONSTRAINTS' });
    const started = await relay.startDeployment(input);

    // Act
    const waiting = untilFinished(input, started);

    // Assert
    await expect(waiting).rejects.toBeInstanceOf(DeploymentFailed);
    await expect(waiting).rejects.toMatchObject({
      deploymentId: idOf(started),
      deploymentErrorCode: 'HEALTH_CONSTRAINTS',
    });
  });
});
