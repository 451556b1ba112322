import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  type DeploymentInfo,
  type DeploymentStatus,
  ListDeploymentsCommand,
  type S3Location,
} from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../../../core/config/schema.ts';
import { DeploymentGroupBusy, DeploymentRejected, InvalidInput } from '../../../../core/errors.ts';
import type { CopyResult, TaskInput } from '../../../../core/workflow.ts';
import { createStartDeploymentHandler } from '../../../../functions/start-deployment/index.ts';
import { awsError, TARGET, taskInput } from '../fixtures.ts';

const DEPLOYING_TARGET: TargetConfig = {
  ...TARGET,
  deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip', waitTimeoutSeconds: 3600 },
};

const COPIED: CopyResult = {
  status: 'copied',
  bytes: 10,
  destination: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', versionId: 'v-replica', etag: 'abc' },
};

const NOW = Date.parse('2026-11-24T12:00:00Z');

function deployment(id: string, status: DeploymentStatus, s3Location: S3Location): DeploymentInfo {
  return {
    deploymentId: id,
    status,
    revision: {
      revisionType: 'S3',
      s3Location: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', bundleType: 'zip', ...s3Location },
    },
  };
}

describe('StartDeployment', () => {
  const client = new CodeDeployClient({
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  const codeDeploy = mockClient(client);
  const regions: string[] = [];
  const start = createStartDeploymentHandler({
    codeDeployClientFor: (region) => {
      regions.push(region);
      return client;
    },
    clock: () => NOW,
  });

  function input(overrides: Partial<TaskInput> = {}): TaskInput {
    return taskInput({ target: DEPLOYING_TARGET, copy: COPIED, ...overrides });
  }

  beforeEach(() => {
    codeDeploy.reset();
    regions.length = 0;
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW' });
  });

  it("creates a deployment in the target's region with the replica as an S3 revision", async () => {
    // Arrange / Act
    const state = await start(input());

    // Assert
    expect(state).toEqual({ id: 'd-NEW', status: 'Created', done: false });
    expect(regions).toEqual(['ap-northeast-2']);
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input).toMatchObject({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      revision: {
        revisionType: 'S3',
        s3Location: {
          bucket: TARGET.bucket,
          key: 'build_artifacts/web.zip',
          bundleType: 'zip',
          eTag: 'abc',
          version: 'v-replica',
        },
      },
    });
    const list = codeDeploy.commandCalls(ListDeploymentsCommand)[0]?.args[0].input;
    expect(list?.includeOnlyStatuses).not.toContain('Failed');
    expect(list?.includeOnlyStatuses).not.toContain('Stopped');
    expect(list?.createTimeRange?.end?.getTime()).toBe(NOW);
  });

  it('reuses a deployment of the same revision instead of deploying twice', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OTHER', 'd-SAME'] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        deployment('d-OTHER', 'Succeeded', { version: 'v-older', eTag: 'old' }),
        deployment('d-SAME', 'InProgress', { version: 'v-replica', eTag: 'abc' }),
      ],
    });

    // Act
    const state = await start(input());

    // Assert
    expect(state).toEqual({ id: 'd-SAME', status: 'InProgress', done: false });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('reports a reused deployment that already succeeded as done', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-DONE'] });
    codeDeploy
      .on(BatchGetDeploymentsCommand)
      .resolves({ deploymentsInfo: [deployment('d-DONE', 'Succeeded', { eTag: '"ABC"' })] });
    const unversioned = {
      ...COPIED,
      destination: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', etag: 'abc' },
    };

    // Act
    const state = await start(input({ copy: unversioned }));

    // Assert
    expect(state).toEqual({ id: 'd-DONE', status: 'Succeeded', done: true });
  });

  it('does not reuse a deployment of another object written under the same key', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OLD'] });
    codeDeploy
      .on(BatchGetDeploymentsCommand)
      .resolves({ deploymentsInfo: [deployment('d-OLD', 'Succeeded', { eTag: 'different' })] });
    const unversioned = {
      ...COPIED,
      destination: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', etag: 'abc' },
    };

    // Act
    const state = await start(input({ copy: unversioned }));

    // Assert
    expect(state.id).toBe('d-NEW');
  });

  it('reads every page of the listing', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-1'], nextToken: 'page-2' });
    codeDeploy.on(ListDeploymentsCommand, { nextToken: 'page-2' }).resolves({ deployments: ['d-2'] });
    codeDeploy
      .on(BatchGetDeploymentsCommand, { deploymentIds: ['d-1'] })
      .resolves({ deploymentsInfo: [deployment('d-1', 'Succeeded', { eTag: 'x' })] });
    codeDeploy
      .on(BatchGetDeploymentsCommand, { deploymentIds: ['d-2'] })
      .resolves({ deploymentsInfo: [deployment('d-2', 'Queued', { version: 'v-replica' })] });

    // Act
    const state = await start(input());

    // Assert
    expect(state).toEqual({ id: 'd-2', status: 'Queued', done: false });
  });

  it('turns DeploymentLimitExceededException into the retryable DeploymentGroupBusy', async () => {
    // Arrange
    codeDeploy.on(CreateDeploymentCommand).rejects(awsError('DeploymentLimitExceededException', 400));

    // Act
    const starting = start(input());

    // Assert
    await expect(starting).rejects.toBeInstanceOf(DeploymentGroupBusy);
    await expect(starting).rejects.toMatchObject({ name: 'DeploymentGroupBusy', retryable: true });
  });

  it('reports a deployment group CodeDeploy does not know as DeploymentRejected', async () => {
    // Arrange
    codeDeploy.on(CreateDeploymentCommand).rejects(awsError('DeploymentGroupDoesNotExistException', 400));

    // Act / Assert
    await expect(start(input())).rejects.toBeInstanceOf(DeploymentRejected);
  });

  it('refuses a target without deploy settings', async () => {
    // Arrange / Act / Assert
    await expect(start(input({ target: TARGET }))).rejects.toBeInstanceOf(InvalidInput);
  });
});
