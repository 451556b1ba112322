import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import { CorruptStateError } from '../../../../local/codedeploy/store.ts';
import { SERVER_APPSPEC } from '../../../fixtures/bundles/appspec.ts';
import { buildZip } from '../../../fixtures/bundles/zip.ts';
import {
  APP,
  ctx,
  FakeS3,
  GROUP,
  ManualClock,
  s3Deployment,
  seedServerGroup,
  startService,
  tempDir,
} from './helpers.ts';

const BUCKET = 'artifacts-virginia';

let data: { dir: string; cleanup: () => Promise<void> };
let clock: ManualClock;
let s3: FakeS3;
const services: CodeDeployService[] = [];

async function start(): Promise<CodeDeployService> {
  const service = await startService(data.dir, s3, clock);
  services.push(service);
  return service;
}

beforeEach(async () => {
  data = await tempDir();
  clock = new ManualClock();
  s3 = new FakeS3();
  s3.createBucket(BUCKET, 'us-east-1');
  s3.put(BUCKET, 'web.zip', buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
});
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  await data.cleanup();
});

describe('persistence under the data directory', () => {
  it('gives a restarted service the applications, groups and deployments of the last one', async () => {
    // Arrange
    const before = await start();
    await seedServerGroup(before, 'eu-central-1');
    s3.createBucket('artifacts-frankfurt', 'eu-central-1');
    s3.put('artifacts-frankfurt', 'web.zip', buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
    const { deploymentId } = (await before.handle(
      'CreateDeployment',
      s3Deployment('artifacts-frankfurt', 'web.zip', 'zip'),
      ctx('eu-central-1'),
    )) as { deploymentId: string };
    await before.close();

    // Act
    const after = await start();
    clock.advance(3000);
    const app = await after.handle('GetApplication', { applicationName: APP }, ctx('eu-central-1'));
    const groups = await after.handle('ListDeploymentGroups', { applicationName: APP }, ctx('eu-central-1'));
    const deployment = (await after.handle('GetDeployment', { deploymentId }, ctx('eu-central-1'))) as {
      deploymentInfo: { status: string };
    };

    // Assert
    expect(app).toMatchObject({ application: { applicationName: APP } });
    expect(groups).toEqual({ applicationName: APP, deploymentGroups: [GROUP] });
    expect(deployment.deploymentInfo.status).toBe('Succeeded');
  });

  it('keeps an injected failure’s outcome and a stop across a restart', async () => {
    // Arrange
    const before = await start();
    await seedServerGroup(before);
    before.injectFailure({ code: 'TIMEOUT' });
    const failed = (await before.handle(
      'CreateDeployment',
      s3Deployment(BUCKET, 'web.zip', 'zip'),
      ctx(),
    )) as {
      deploymentId: string;
    };
    clock.advance(3000);
    const stopped = (await before.handle(
      'CreateDeployment',
      s3Deployment(BUCKET, 'web.zip', 'zip'),
      ctx(),
    )) as {
      deploymentId: string;
    };
    await before.handle('StopDeployment', { deploymentId: stopped.deploymentId }, ctx());
    await before.close();

    // Act
    const after = await start();
    clock.advance(10_000);
    const result = (await after.handle(
      'BatchGetDeployments',
      { deploymentIds: [failed.deploymentId, stopped.deploymentId] },
      ctx(),
    )) as { deploymentsInfo: Array<{ status: string; errorInformation?: { code: string } }> };

    // Assert
    expect(result.deploymentsInfo.map((d) => [d.status, d.errorInformation?.code])).toEqual([
      ['Failed', 'TIMEOUT'],
      ['Stopped', 'MANUAL_STOP'],
    ]);
  });

  it('lets a second service on the same directory see the first one’s changes without a restart', async () => {
    // Arrange
    const writer = await start();
    const reader = await start();

    // Act
    await seedServerGroup(writer);
    const { deploymentId } = (await writer.handle(
      'CreateDeployment',
      s3Deployment(BUCKET, 'web.zip', 'zip'),
      ctx(),
    )) as {
      deploymentId: string;
    };
    const seen = await reader.handle(
      'ListDeployments',
      { applicationName: APP, deploymentGroupName: GROUP },
      ctx(),
    );

    // Assert
    expect(seen).toEqual({ deployments: [deploymentId] });
  });

  it('writes one state file and leaves no temporary files', async () => {
    // Arrange
    const service = await start();

    // Act
    await seedServerGroup(service);
    const files = await readdir(data.dir);
    const saved = JSON.parse(await readFile(join(data.dir, 'state.json'), 'utf8')) as {
      state: { applications: unknown[]; deploymentGroups: unknown[] };
    };

    // Assert
    expect(files).toEqual(['state.json']);
    expect(saved.state.applications).toHaveLength(1);
    expect(saved.state.deploymentGroups).toHaveLength(1);
  });

  it('refuses to start over a state file it cannot read, saying how to recover', async () => {
    // Arrange
    await writeFile(join(data.dir, 'state.json'), '{ not json');

    // Act
    const result = start();

    // Assert
    await expect(result).rejects.toBeInstanceOf(CorruptStateError);
    await expect(result).rejects.toThrow(/delete it to start over/);
  });
});
