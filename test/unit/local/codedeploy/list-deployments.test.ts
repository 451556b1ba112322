import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import { SERVER_APPSPEC } from '../../../fixtures/bundles/appspec.ts';
import { buildZip } from '../../../fixtures/bundles/zip.ts';
import {
  APP,
  ctx,
  errorOf,
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
let service: CodeDeployService;
/** IDs in creation order: Succeeded, Failed, Stopped, InProgress (created 10 s apart). */
let ids: string[];
let times: number[];

beforeEach(async () => {
  data = await tempDir();
  clock = new ManualClock();
  const s3 = new FakeS3();
  s3.createBucket(BUCKET, 'us-east-1');
  s3.put(BUCKET, 'web.zip', buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
  service = await startService(data.dir, s3, clock, { pageSize: 2 });
  await seedServerGroup(service);
  ids = [];
  times = [];
  const deploy = async () => {
    times.push(clock.current);
    const { deploymentId } = (await service.handle(
      'CreateDeployment',
      s3Deployment(BUCKET, 'web.zip', 'zip'),
      ctx(),
    )) as {
      deploymentId: string;
    };
    ids.push(deploymentId);
    return deploymentId;
  };
  await deploy();
  clock.advance(10_000);
  service.injectFailure();
  await deploy();
  clock.advance(10_000);
  await service.handle('StopDeployment', { deploymentId: await deploy() }, ctx());
  clock.advance(10_000);
  await deploy();
  clock.advance(1500);
});
afterEach(async () => {
  await service.close();
  await data.cleanup();
});

async function listAll(input: Record<string, unknown>, region = 'us-east-1'): Promise<string[]> {
  const all: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = (await service.handle(
      'ListDeployments',
      { ...input, ...(nextToken ? { nextToken } : {}) },
      ctx(region),
    )) as { deployments: string[]; nextToken?: string };
    all.push(...page.deployments);
    nextToken = page.nextToken;
  } while (nextToken);
  return all;
}

const group = { applicationName: APP, deploymentGroupName: GROUP };

describe('ListDeployments', () => {
  it('lists a group’s deployments newest first across pages', async () => {
    // Act
    const first = (await service.handle('ListDeployments', group, ctx())) as {
      deployments: string[];
      nextToken?: string;
    };
    const all = await listAll(group);

    // Assert
    expect(first.deployments).toHaveLength(2);
    expect(first.nextToken).toBeDefined();
    expect(all).toEqual([...ids].reverse());
  });

  it('lists every deployment of the region when no names are given', async () => {
    // Act
    const all = await listAll({});

    // Assert
    expect(all).toEqual([...ids].reverse());
  });

  it('keeps only the statuses asked for', async () => {
    // Act
    const ended = await listAll({ ...group, includeOnlyStatuses: ['Failed', 'Stopped'] });
    const active = await listAll({ ...group, includeOnlyStatuses: ['Created', 'Queued', 'InProgress'] });

    // Assert
    expect(ended).toEqual([ids[2], ids[1]]);
    expect(active).toEqual([ids[3]]);
  });

  it('filters by creation time, both ends inclusive, given as epoch seconds', async () => {
    // Act
    const result = await listAll({
      ...group,
      createTimeRange: { start: (times[1] ?? 0) / 1000, end: (times[2] ?? 0) / 1000 },
    });

    // Assert
    expect(result).toEqual([ids[2], ids[1]]);
  });

  it('accepts an open-ended range', async () => {
    // Act
    const result = await listAll({ ...group, createTimeRange: { start: (times[2] ?? 0) / 1000 } });

    // Assert
    expect(result).toEqual([ids[3], ids[2]]);
  });

  it('shows nothing of the group to another region', async () => {
    // Act
    const err = await errorOf(() => listAll(group, 'eu-west-1'));
    const all = await listAll({}, 'eu-west-1');

    // Assert
    expect(err.code).toBe('ApplicationDoesNotExistException');
    expect(all).toEqual([]);
  });

  it('requires the group when the application is named', async () => {
    // Act
    const err = await errorOf(() => listAll({ applicationName: APP }));

    // Assert
    expect(err.code).toBe('DeploymentGroupNameRequiredException');
  });

  it('requires the application when the group is named', async () => {
    // Act
    const err = await errorOf(() => listAll({ deploymentGroupName: GROUP }));

    // Assert
    expect(err.code).toBe('ApplicationNameRequiredException');
  });

  it('rejects an unknown status', async () => {
    // Act
    const err = await errorOf(() => listAll({ ...group, includeOnlyStatuses: ['Done'] }));

    // Assert
    expect(err.code).toBe('InvalidDeploymentStatusException');
  });

  it('rejects a range that ends before it starts', async () => {
    // Act
    const err = await errorOf(() => listAll({ ...group, createTimeRange: { start: 2000, end: 1000 } }));

    // Assert
    expect(err.code).toBe('InvalidTimeRangeException');
  });

  it('neither repeats nor skips when a deployment is created between pages', async () => {
    // Arrange
    const first = (await service.handle('ListDeployments', group, ctx())) as {
      deployments: string[];
      nextToken?: string;
    };
    clock.advance(10_000);
    await service.handle('CreateDeployment', s3Deployment(BUCKET, 'web.zip', 'zip'), ctx());

    // Act
    const rest = await listAll({ ...group, nextToken: first.nextToken });

    // Assert
    expect([...first.deployments, ...rest]).toEqual([...ids].reverse());
  });
});
