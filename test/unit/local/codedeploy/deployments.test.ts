import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import { SERVER_APPSPEC } from '../../../fixtures/bundles/appspec.ts';
import { buildZip } from '../../../fixtures/bundles/zip.ts';
import {
  APP,
  ctx,
  epochSeconds,
  errorOf,
  FakeS3,
  GROUP,
  ManualClock,
  ROLE,
  s3Deployment,
  seedServerGroup,
  startService,
  tempDir,
} from './helpers.ts';

const BUCKET = 'artifacts-virginia';
const KEY = 'web.zip';

let data: { dir: string; cleanup: () => Promise<void> };
let clock: ManualClock;
let s3: FakeS3;
let service: CodeDeployService;

async function boot(extra: Parameters<typeof startService>[3] = {}): Promise<void> {
  service = await startService(data.dir, s3, clock, extra);
  await seedServerGroup(service);
}

beforeEach(async () => {
  data = await tempDir();
  clock = new ManualClock();
  s3 = new FakeS3();
  s3.createBucket(BUCKET, 'us-east-1');
  s3.put(BUCKET, KEY, buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
});
afterEach(async () => {
  await service.close();
  await data.cleanup();
});

async function deploy(input: Record<string, unknown> = s3Deployment(BUCKET, KEY, 'zip')): Promise<string> {
  const { deploymentId } = (await service.handle('CreateDeployment', input, ctx())) as {
    deploymentId: string;
  };
  return deploymentId;
}

async function info(deploymentId: string, region = 'us-east-1'): Promise<Record<string, unknown>> {
  const { deploymentInfo } = (await service.handle('GetDeployment', { deploymentId }, ctx(region))) as {
    deploymentInfo: Record<string, unknown>;
  };
  return deploymentInfo;
}

describe('the deployment lifecycle', () => {
  it('goes Created → InProgress after 1 s → Succeeded 2 s later by default', async () => {
    // Arrange
    await boot();
    const created = clock.current;
    const id = await deploy();

    // Act
    const atStart = await info(id);
    clock.advance(999);
    const justBefore = await info(id);
    clock.advance(1);
    const inProgress = await info(id);
    clock.advance(2000);
    const done = await info(id);

    // Assert
    expect(atStart).toMatchObject({ status: 'Created', createTime: epochSeconds(created) });
    expect(atStart).not.toHaveProperty('startTime');
    expect(justBefore.status).toBe('Created');
    expect(inProgress).toMatchObject({ status: 'InProgress', startTime: epochSeconds(created + 1000) });
    expect(inProgress).not.toHaveProperty('completeTime');
    expect(done).toMatchObject({
      status: 'Succeeded',
      startTime: epochSeconds(created + 1000),
      completeTime: epochSeconds(created + 3000),
      deploymentOverview: { Pending: 0, InProgress: 0, Succeeded: 1, Failed: 0, Skipped: 0, Ready: 0 },
    });
    expect(done).not.toHaveProperty('errorInformation');
  });

  it('reports everything GetDeployment callers read', async () => {
    // Arrange
    await boot();
    const id = await deploy({ ...s3Deployment(BUCKET, KEY, 'zip'), description: 'release 1.0' });

    // Act
    const result = await info(id);

    // Assert
    expect(result).toMatchObject({
      deploymentId: id,
      applicationName: APP,
      deploymentGroupName: GROUP,
      deploymentConfigName: 'CodeDeployDefault.OneAtATime',
      revision: { revisionType: 'S3', s3Location: { bucket: BUCKET, key: KEY, bundleType: 'zip' } },
      creator: 'user',
      description: 'release 1.0',
      computePlatform: 'Server',
    });
  });

  it('scales the durations by timeScale and honours configured durations', async () => {
    // Arrange
    await boot({ timeScale: 0.5, durations: { createdMs: 4000, inProgressMs: 10_000 } });
    const id = await deploy();

    // Act
    clock.advance(1999);
    const created = await info(id);
    clock.advance(1);
    const inProgress = await info(id);
    clock.advance(5000);
    const done = await info(id);

    // Assert
    expect([created.status, inProgress.status, done.status]).toEqual(['Created', 'InProgress', 'Succeeded']);
  });

  it('uses the deployment configuration given to CreateDeployment over the group’s', async () => {
    // Arrange
    await boot();

    // Act
    const id = await deploy({
      ...s3Deployment(BUCKET, KEY, 'zip'),
      deploymentConfigName: 'CodeDeployDefault.HalfAtATime',
    });

    // Assert
    expect((await info(id)).deploymentConfigName).toBe('CodeDeployDefault.HalfAtATime');
  });

  it('shows the group’s last attempted and last successful deployments', async () => {
    // Arrange
    await boot();
    const first = await deploy();
    clock.advance(3000);
    service.injectFailure();
    const second = await deploy();
    clock.advance(3000);

    // Act
    const { deploymentGroupInfo } = (await service.handle(
      'GetDeploymentGroup',
      { applicationName: APP, deploymentGroupName: GROUP },
      ctx(),
    )) as { deploymentGroupInfo: Record<string, unknown> };

    // Assert
    expect(deploymentGroupInfo).toMatchObject({
      lastAttemptedDeployment: { deploymentId: second, status: 'Failed' },
      lastSuccessfulDeployment: { deploymentId: first, status: 'Succeeded' },
      targetRevision: { revisionType: 'S3', s3Location: { bucket: BUCKET, key: KEY } },
    });
  });
});

describe('injected failures', () => {
  it('ends the next deployment Failed with the injected code and message', async () => {
    // Arrange
    await boot();
    service.injectFailure({ code: 'SCRIPT_FAILED', message: 'ApplicationStart script exited 1' });
    const id = await deploy();

    // Act
    clock.advance(1500);
    const running = await info(id);
    clock.advance(1500);
    const ended = await info(id);

    // Assert
    expect(running.status).toBe('InProgress');
    expect(ended).toMatchObject({
      status: 'Failed',
      errorInformation: { code: 'SCRIPT_FAILED', message: 'ApplicationStart script exited 1' },
      deploymentOverview: { Failed: 1, Succeeded: 0 },
    });
  });

  it('defaults to HEALTH_CONSTRAINTS with CodeDeploy’s message', async () => {
    // Arrange
    await boot();
    service.injectFailure();
    const id = await deploy();

    // Act
    clock.advance(3000);
    const result = await info(id);

    // Assert
    expect(result.errorInformation).toMatchObject({ code: 'HEALTH_CONSTRAINTS' });
    expect((result.errorInformation as { message: string }).message).toMatch(
      /^The overall deployment failed/,
    );
  });

  it('fails as many matching deployments as `times`, then none', async () => {
    // Arrange
    await boot();
    service.injectFailure({ times: 2 });

    // Act
    const statuses: unknown[] = [];
    for (let i = 0; i < 3; i += 1) {
      const id = await deploy();
      clock.advance(3000);
      statuses.push((await info(id)).status);
    }

    // Assert
    expect(statuses).toEqual(['Failed', 'Failed', 'Succeeded']);
  });

  it('only fails deployments of the named group', async () => {
    // Arrange
    await boot();
    await service.handle(
      'CreateDeploymentGroup',
      { applicationName: APP, deploymentGroupName: 'web-staging', serviceRoleArn: ROLE },
      ctx(),
    );
    service.injectFailure({ deploymentGroupName: 'web-staging' });

    // Act
    const prod = await deploy();
    const staging = await deploy({ ...s3Deployment(BUCKET, KEY, 'zip'), deploymentGroupName: 'web-staging' });
    clock.advance(3000);

    // Assert
    expect((await info(prod)).status).toBe('Succeeded');
    expect((await info(staging)).status).toBe('Failed');
  });

  it('stops failing after clearFailures', async () => {
    // Arrange
    await boot();
    service.injectFailure({ times: 5 });

    // Act
    service.clearFailures();
    const id = await deploy();
    clock.advance(3000);

    // Assert
    expect((await info(id)).status).toBe('Succeeded');
  });

  it('does not spend a failure on a deployment CreateDeployment refused', async () => {
    // Arrange
    await boot();
    service.injectFailure();
    await errorOf(() =>
      service.handle('CreateDeployment', s3Deployment(BUCKET, 'missing.zip', 'zip'), ctx()),
    );

    // Act
    const id = await deploy();
    clock.advance(3000);

    // Assert
    expect((await info(id)).status).toBe('Failed');
  });
});

describe('StopDeployment', () => {
  it('stops an in-progress deployment, which then reads Stopped with MANUAL_STOP', async () => {
    // Arrange
    await boot();
    const id = await deploy();
    clock.advance(1500);

    // Act
    const answer = await service.handle('StopDeployment', { deploymentId: id }, ctx());
    clock.advance(5000);
    const result = await info(id);

    // Assert
    expect(answer).toMatchObject({ status: 'Pending' });
    expect(result).toMatchObject({
      status: 'Stopped',
      completeTime: epochSeconds(clock.current - 5000),
      errorInformation: { code: 'MANUAL_STOP' },
    });
  });

  it('frees the group for the next deployment', async () => {
    // Arrange
    await boot();
    const id = await deploy();
    await service.handle('StopDeployment', { deploymentId: id }, ctx());

    // Act
    const next = deploy();

    // Assert
    await expect(next).resolves.toMatch(/^d-/);
  });

  it('refuses to stop a completed deployment', async () => {
    // Arrange
    await boot();
    const id = await deploy();
    clock.advance(3000);

    // Act
    const err = await errorOf(() => service.handle('StopDeployment', { deploymentId: id }, ctx()));

    // Assert
    expect(err).toEqual({
      code: 'DeploymentAlreadyCompletedException',
      message: `Deployment ${id} has already completed`,
    });
  });

  it('does not find a deployment of another region', async () => {
    // Arrange
    await boot();
    const id = await deploy();

    // Act
    const err = await errorOf(() => service.handle('StopDeployment', { deploymentId: id }, ctx('eu-west-1')));

    // Assert
    expect(err.code).toBe('DeploymentDoesNotExistException');
  });
});

describe('GetDeployment and BatchGetDeployments', () => {
  it('requires a deployment ID', async () => {
    // Arrange
    await boot();

    // Act
    const err = await errorOf(() => service.handle('GetDeployment', {}, ctx()));

    // Assert
    expect(err.code).toBe('DeploymentIdRequiredException');
  });

  it('rejects an ID that is not shaped like a deployment ID', async () => {
    // Arrange
    await boot();

    // Act
    const err = await errorOf(() => service.handle('GetDeployment', { deploymentId: 'deploy-1' }, ctx()));

    // Assert
    expect(err.code).toBe('InvalidDeploymentIdException');
  });

  it('answers an unknown ID with DeploymentDoesNotExistException', async () => {
    // Arrange
    await boot();

    // Act
    const err = await errorOf(() => service.handle('GetDeployment', { deploymentId: 'd-ABCDEF123' }, ctx()));

    // Assert
    expect(err.code).toBe('DeploymentDoesNotExistException');
  });

  it('does not show a deployment to requests signed for another region', async () => {
    // Arrange
    await boot();
    const id = await deploy();

    // Act
    const err = await errorOf(() => info(id, 'eu-west-1'));

    // Assert
    expect(err.code).toBe('DeploymentDoesNotExistException');
  });

  it('returns the deployments found and leaves unknown IDs out', async () => {
    // Arrange
    await boot();
    const first = await deploy();
    clock.advance(3000);
    const second = await deploy();

    // Act
    const result = (await service.handle(
      'BatchGetDeployments',
      { deploymentIds: [second, 'd-ZZZZZZZZZ', first] },
      ctx(),
    )) as { deploymentsInfo: Array<{ deploymentId: string; status: string }> };

    // Assert
    expect(result.deploymentsInfo.map((d) => [d.deploymentId, d.status])).toEqual([
      [second, 'Created'],
      [first, 'Succeeded'],
    ]);
  });

  it('refuses more than 25 IDs in one batch', async () => {
    // Arrange
    await boot();
    const ids = Array.from({ length: 26 }, (_, i) => `d-${String(i).padStart(9, '0')}`);

    // Act
    const err = await errorOf(() => service.handle('BatchGetDeployments', { deploymentIds: ids }, ctx()));

    // Assert
    expect(err.code).toBe('BatchLimitExceededException');
  });
});
