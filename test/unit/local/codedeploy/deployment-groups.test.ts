import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import { APP, ctx, errorOf, FakeS3, GROUP, ManualClock, ROLE, startService, tempDir } from './helpers.ts';

let data: { dir: string; cleanup: () => Promise<void> };
let service: CodeDeployService;

beforeEach(async () => {
  data = await tempDir();
  service = await startService(data.dir, new FakeS3(), new ManualClock());
  await service.handle('CreateApplication', { applicationName: APP }, ctx());
});
afterEach(async () => {
  await service.close();
  await data.cleanup();
});

const createGroup = (extra: Record<string, unknown> = {}, region = 'us-east-1') =>
  service.handle(
    'CreateDeploymentGroup',
    { applicationName: APP, deploymentGroupName: GROUP, serviceRoleArn: ROLE, ...extra },
    ctx(region),
  );

describe('CreateDeploymentGroup and GetDeploymentGroup', () => {
  it('creates a group with CodeDeployDefault.OneAtATime when no configuration is named', async () => {
    // Act
    const { deploymentGroupId } = (await createGroup()) as { deploymentGroupId: string };
    const { deploymentGroupInfo } = (await service.handle(
      'GetDeploymentGroup',
      { applicationName: APP, deploymentGroupName: GROUP },
      ctx(),
    )) as { deploymentGroupInfo: Record<string, unknown> };

    // Assert
    expect(deploymentGroupInfo).toMatchObject({
      applicationName: APP,
      deploymentGroupId,
      deploymentGroupName: GROUP,
      deploymentConfigName: 'CodeDeployDefault.OneAtATime',
      serviceRoleArn: ROLE,
      computePlatform: 'Server',
    });
    expect(deploymentGroupInfo).not.toHaveProperty('lastAttemptedDeployment');
  });

  it('keeps the deployment configuration given', async () => {
    // Act
    await createGroup({ deploymentConfigName: 'CodeDeployDefault.AllAtOnce' });
    const { deploymentGroupInfo } = (await service.handle(
      'GetDeploymentGroup',
      { applicationName: APP, deploymentGroupName: GROUP },
      ctx(),
    )) as { deploymentGroupInfo: { deploymentConfigName: string } };

    // Assert
    expect(deploymentGroupInfo.deploymentConfigName).toBe('CodeDeployDefault.AllAtOnce');
  });

  it('accepts any service role ARN without checking it', async () => {
    // Act
    const result = createGroup({ serviceRoleArn: 'not even an arn' });

    // Assert
    await expect(result).resolves.toHaveProperty('deploymentGroupId');
  });

  it('requires a service role', async () => {
    // Act
    const err = await errorOf(() => createGroup({ serviceRoleArn: undefined }));

    // Assert
    expect(err.code).toBe('RoleRequiredException');
  });

  it('requires the application to exist in the region', async () => {
    // Act
    const err = await errorOf(() => createGroup({}, 'eu-west-1'));

    // Assert
    expect(err.code).toBe('ApplicationDoesNotExistException');
  });

  it('refuses a second group with the same name', async () => {
    // Arrange
    await createGroup();

    // Act
    const err = await errorOf(() => createGroup());

    // Assert
    expect(err.code).toBe('DeploymentGroupAlreadyExistsException');
  });

  it('requires a group name', async () => {
    // Act
    const err = await errorOf(() => createGroup({ deploymentGroupName: '' }));

    // Assert
    expect(err.code).toBe('DeploymentGroupNameRequiredException');
  });

  it('rejects a deployment configuration that does not exist', async () => {
    // Act
    const err = await errorOf(() => createGroup({ deploymentConfigName: 'CodeDeployDefault.TwoAtATime' }));

    // Assert
    expect(err).toEqual({
      code: 'DeploymentConfigDoesNotExistException',
      message: 'No deployment configuration found for name: CodeDeployDefault.TwoAtATime',
    });
  });

  it('rejects a configuration of another compute platform', async () => {
    // Act
    const err = await errorOf(() =>
      createGroup({ deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce' }),
    );

    // Assert
    expect(err.code).toBe('InvalidDeploymentConfigNameException');
  });

  it('answers GetDeploymentGroup for a missing group with DeploymentGroupDoesNotExistException', async () => {
    // Act
    const err = await errorOf(() =>
      service.handle('GetDeploymentGroup', { applicationName: APP, deploymentGroupName: 'nope' }, ctx()),
    );

    // Assert
    expect(err).toEqual({
      code: 'DeploymentGroupDoesNotExistException',
      message: 'No Deployment Group found for name: nope',
    });
  });

  it('gives a Lambda application’s group the Lambda default configuration', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'fn', computePlatform: 'Lambda' }, ctx());

    // Act
    await service.handle(
      'CreateDeploymentGroup',
      { applicationName: 'fn', deploymentGroupName: 'live', serviceRoleArn: ROLE },
      ctx(),
    );
    const { deploymentGroupInfo } = (await service.handle(
      'GetDeploymentGroup',
      { applicationName: 'fn', deploymentGroupName: 'live' },
      ctx(),
    )) as { deploymentGroupInfo: { deploymentConfigName: string; computePlatform: string } };

    // Assert
    expect(deploymentGroupInfo).toMatchObject({
      deploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
      computePlatform: 'Lambda',
    });
  });
});

describe('ListDeploymentGroups and DeleteDeploymentGroup', () => {
  it('lists the application’s groups by name', async () => {
    // Arrange
    await createGroup({ deploymentGroupName: 'b' });
    await createGroup({ deploymentGroupName: 'a' });

    // Act
    const result = await service.handle('ListDeploymentGroups', { applicationName: APP }, ctx());

    // Assert
    expect(result).toEqual({ applicationName: APP, deploymentGroups: ['a', 'b'] });
  });

  it('fails for an application that does not exist', async () => {
    // Act
    const err = await errorOf(() =>
      service.handle('ListDeploymentGroups', { applicationName: 'nope' }, ctx()),
    );

    // Assert
    expect(err.code).toBe('ApplicationDoesNotExistException');
  });

  it('deletes a group', async () => {
    // Arrange
    await createGroup();

    // Act
    const result = await service.handle(
      'DeleteDeploymentGroup',
      { applicationName: APP, deploymentGroupName: GROUP },
      ctx(),
    );
    const list = await service.handle('ListDeploymentGroups', { applicationName: APP }, ctx());

    // Assert
    expect(result).toEqual({ hooksNotCleanedUp: [] });
    expect(list).toEqual({ applicationName: APP, deploymentGroups: [] });
  });
});
