import { CodeDeployClient, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../../../core/config/schema.ts';
import { DeploymentFailed, DeploymentTimedOut } from '../../../../core/errors.ts';
import type { TaskInput } from '../../../../core/workflow.ts';
import { createCheckDeploymentHandler } from '../../../../functions/check-deployment/index.ts';
import { awsError, TARGET, taskInput } from '../fixtures.ts';

const DEPLOYING_TARGET: TargetConfig = {
  ...TARGET,
  deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip', waitTimeoutSeconds: 600 },
};

const CREATED = new Date('2026-11-24T12:00:00Z');

describe('CheckDeployment', () => {
  const client = new CodeDeployClient({
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  const codeDeploy = mockClient(client);
  let now = CREATED.getTime();
  const check = createCheckDeploymentHandler({ codeDeployClientFor: () => client, clock: () => now });

  function input(): TaskInput {
    return taskInput({
      target: DEPLOYING_TARGET,
      copy: { status: 'copied', bytes: 1, destination: { bucket: TARGET.bucket, key: 'k', etag: 'e' } },
      deployment: { id: 'd-1', status: 'Created', done: false },
    });
  }

  beforeEach(() => {
    codeDeploy.reset();
    now = CREATED.getTime() + 60_000;
  });

  it('is done when the deployment succeeded', async () => {
    // Arrange
    codeDeploy
      .on(GetDeploymentCommand, { deploymentId: 'd-1' })
      .resolves({ deploymentInfo: { deploymentId: 'd-1', status: 'Succeeded', createTime: CREATED } });

    // Act / Assert
    expect(await check(input())).toEqual({ id: 'd-1', status: 'Succeeded', done: true });
  });

  it('keeps waiting while the deployment runs', async () => {
    // Arrange
    codeDeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-1', status: 'InProgress', createTime: CREATED } });

    // Act / Assert
    expect(await check(input())).toEqual({ id: 'd-1', status: 'InProgress', done: false });
  });

  it("throws DeploymentFailed carrying CodeDeploy's error code and message", async () => {
    // Arrange
    codeDeploy.on(GetDeploymentCommand).resolves({
      deploymentInfo: {
        deploymentId: 'd-1',
        status: 'Failed',
        createTime: CREATED,
        errorInformation: { code: 'HEALTH_CONSTRAINTS', message: 'too many instances failed' },
      },
    });

    // Act
    const checking = check(input());

    // Assert
    await expect(checking).rejects.toBeInstanceOf(DeploymentFailed);
    await expect(checking).rejects.toMatchObject({
      name: 'DeploymentFailed',
      deploymentId: 'd-1',
      deploymentErrorCode: 'HEALTH_CONSTRAINTS',
      deploymentStatus: 'Failed',
      message: expect.stringContaining('too many instances failed'),
    });
  });

  it('throws DeploymentFailed for a stopped deployment', async () => {
    // Arrange
    codeDeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-1', status: 'Stopped', createTime: CREATED } });

    // Act / Assert
    await expect(check(input())).rejects.toMatchObject({
      name: 'DeploymentFailed',
      deploymentStatus: 'Stopped',
    });
  });

  it("throws DeploymentTimedOut past the target's wait timeout", async () => {
    // Arrange
    now = CREATED.getTime() + 601_000;
    codeDeploy
      .on(GetDeploymentCommand)
      .resolves({ deploymentInfo: { deploymentId: 'd-1', status: 'InProgress', createTime: CREATED } });

    // Act / Assert
    await expect(check(input())).rejects.toBeInstanceOf(DeploymentTimedOut);
  });

  it('fails retryably when CodeDeploy throttles', async () => {
    // Arrange
    codeDeploy.on(GetDeploymentCommand).rejects(awsError('ThrottlingException', 400));

    // Act / Assert
    await expect(check(input())).rejects.toMatchObject({ name: 'TransientAwsError' });
  });
});
