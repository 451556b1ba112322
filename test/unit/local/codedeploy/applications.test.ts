import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import { ctx, epochSeconds, errorOf, FakeS3, ManualClock, startService, tempDir } from './helpers.ts';

let data: { dir: string; cleanup: () => Promise<void> };
let clock: ManualClock;
let service: CodeDeployService;

beforeEach(async () => {
  data = await tempDir();
  clock = new ManualClock();
  service = await startService(data.dir, new FakeS3(), clock, { pageSize: 2 });
});
afterEach(async () => {
  await service.close();
  await data.cleanup();
});

describe('CreateApplication and GetApplication', () => {
  it('creates a Server application by default and returns it', async () => {
    // Act
    const created = (await service.handle('CreateApplication', { applicationName: 'web' }, ctx())) as {
      applicationId: string;
    };
    const got = (await service.handle('GetApplication', { applicationName: 'web' }, ctx())) as {
      application: Record<string, unknown>;
    };

    // Assert
    expect(created.applicationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(got.application).toEqual({
      applicationId: created.applicationId,
      applicationName: 'web',
      createTime: epochSeconds(clock.current),
      linkedToGitHub: false,
      computePlatform: 'Server',
    });
  });

  it('keeps the compute platform given', async () => {
    // Act
    await service.handle('CreateApplication', { applicationName: 'fn', computePlatform: 'Lambda' }, ctx());
    const got = (await service.handle('GetApplication', { applicationName: 'fn' }, ctx())) as {
      application: { computePlatform: string };
    };

    // Assert
    expect(got.application.computePlatform).toBe('Lambda');
  });

  it('refuses a second application with the same name in the region', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'web' }, ctx());

    // Act
    const err = await errorOf(() => service.handle('CreateApplication', { applicationName: 'web' }, ctx()));

    // Assert
    expect(err.code).toBe('ApplicationAlreadyExistsException');
  });

  it('allows the same name in another region', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'web' }, ctx('us-east-1'));

    // Act
    const result = service.handle('CreateApplication', { applicationName: 'web' }, ctx('eu-west-1'));

    // Assert
    await expect(result).resolves.toHaveProperty('applicationId');
  });

  it('does not show an application to requests signed for another region', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'web' }, ctx('us-east-1'));

    // Act
    const err = await errorOf(() =>
      service.handle('GetApplication', { applicationName: 'web' }, ctx('eu-west-1')),
    );

    // Assert
    expect(err).toEqual({
      code: 'ApplicationDoesNotExistException',
      message: 'No application found for name: web',
    });
  });

  it('requires an application name', async () => {
    // Act
    const err = await errorOf(() => service.handle('CreateApplication', {}, ctx()));

    // Assert
    expect(err.code).toBe('ApplicationNameRequiredException');
  });

  it('rejects a name longer than 100 characters', async () => {
    // Act
    const err = await errorOf(() =>
      service.handle('CreateApplication', { applicationName: 'a'.repeat(101) }, ctx()),
    );

    // Assert
    expect(err.code).toBe('InvalidApplicationNameException');
  });

  it('rejects an unknown compute platform', async () => {
    // Act
    const err = await errorOf(() =>
      service.handle('CreateApplication', { applicationName: 'web', computePlatform: 'Kubernetes' }, ctx()),
    );

    // Assert
    expect(err.code).toBe('InvalidComputePlatformException');
  });
});

describe('ListApplications', () => {
  it('lists the region’s applications by name, a page at a time', async () => {
    // Arrange
    for (const name of ['gamma', 'alpha', 'beta']) {
      await service.handle('CreateApplication', { applicationName: name }, ctx());
    }
    await service.handle('CreateApplication', { applicationName: 'elsewhere' }, ctx('ap-northeast-2'));

    // Act
    const first = (await service.handle('ListApplications', {}, ctx())) as {
      applications: string[];
      nextToken?: string;
    };
    const second = (await service.handle('ListApplications', { nextToken: first.nextToken }, ctx())) as {
      applications: string[];
      nextToken?: string;
    };

    // Assert
    expect(first.applications).toEqual(['alpha', 'beta']);
    expect(second).toEqual({ applications: ['gamma'] });
  });

  it('rejects a token it did not issue', async () => {
    // Act
    const err = await errorOf(() => service.handle('ListApplications', { nextToken: 'not-a-token' }, ctx()));

    // Assert
    expect(err.code).toBe('InvalidNextTokenException');
  });
});

describe('BatchGetApplications', () => {
  it('returns every named application', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'a' }, ctx());
    await service.handle('CreateApplication', { applicationName: 'b', computePlatform: 'ECS' }, ctx());

    // Act
    const result = (await service.handle(
      'BatchGetApplications',
      { applicationNames: ['b', 'a'] },
      ctx(),
    )) as {
      applicationsInfo: Array<{ applicationName: string; computePlatform: string }>;
    };

    // Assert
    expect(result.applicationsInfo.map((a) => [a.applicationName, a.computePlatform])).toEqual([
      ['b', 'ECS'],
      ['a', 'Server'],
    ]);
  });

  it('fails when one of the names does not exist', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'a' }, ctx());

    // Act
    const err = await errorOf(() =>
      service.handle('BatchGetApplications', { applicationNames: ['a', 'zz'] }, ctx()),
    );

    // Assert
    expect(err.code).toBe('ApplicationDoesNotExistException');
  });
});

describe('DeleteApplication', () => {
  it('removes the application with its deployment groups', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'web' }, ctx());
    await service.handle(
      'CreateDeploymentGroup',
      { applicationName: 'web', deploymentGroupName: 'prod', serviceRoleArn: 'arn:aws:iam::1:role/r' },
      ctx(),
    );

    // Act
    await service.handle('DeleteApplication', { applicationName: 'web' }, ctx());
    await service.handle('CreateApplication', { applicationName: 'web' }, ctx());
    const groups = await service.handle('ListDeploymentGroups', { applicationName: 'web' }, ctx());

    // Assert
    expect(groups).toEqual({ applicationName: 'web', deploymentGroups: [] });
  });

  it('succeeds for an application that does not exist, as CodeDeploy does', async () => {
    // Act
    const result = await service.handle('DeleteApplication', { applicationName: 'never-created' }, ctx());

    // Assert
    expect(result).toEqual({});
  });

  it('leaves the same name in another region alone', async () => {
    // Arrange
    await service.handle('CreateApplication', { applicationName: 'web' }, ctx('us-east-1'));
    await service.handle('CreateApplication', { applicationName: 'web' }, ctx('eu-west-1'));

    // Act
    await service.handle('DeleteApplication', { applicationName: 'web' }, ctx('us-east-1'));

    // Assert
    await expect(
      service.handle('GetApplication', { applicationName: 'web' }, ctx('eu-west-1')),
    ).resolves.toBeDefined();
  });
});

describe('an operation the local CodeDeploy lacks', () => {
  it('is answered with UnknownOperationException naming it', async () => {
    // Act
    const err = await errorOf(() => service.handle('RegisterOnPremisesInstance', {}, ctx()));

    // Assert
    expect(err.code).toBe('UnknownOperationException');
    expect(err.message).toContain('RegisterOnPremisesInstance');
  });
});
