import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import {
  LAMBDA_APPSPEC_JSON,
  LAMBDA_APPSPEC_YAML,
  SERVER_APPSPEC,
} from '../../../fixtures/bundles/appspec.ts';
import { buildTgz } from '../../../fixtures/bundles/tar.ts';
import { buildZip } from '../../../fixtures/bundles/zip.ts';
import {
  APP,
  ctx,
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
const KEY = 'releases/web-1.0.zip';

let data: { dir: string; cleanup: () => Promise<void> };
let clock: ManualClock;
let s3: FakeS3;
let service: CodeDeployService;

beforeEach(async () => {
  data = await tempDir();
  clock = new ManualClock();
  s3 = new FakeS3();
  s3.createBucket(BUCKET, 'us-east-1');
  s3.put(BUCKET, KEY, buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
  service = await startService(data.dir, s3, clock);
  await seedServerGroup(service);
});
afterEach(async () => {
  await service.close();
  await data.cleanup();
});

const create = (input: Record<string, unknown>, region = 'us-east-1') =>
  service.handle('CreateDeployment', input, ctx(region));

describe('CreateDeployment of an S3 revision', () => {
  it('returns a deployment ID shaped like CodeDeploy’s', async () => {
    // Act
    const result = (await create(s3Deployment(BUCKET, KEY, 'zip'))) as { deploymentId: string };

    // Assert
    expect(result.deploymentId).toMatch(/^d-[A-Z0-9]{9}$/);
  });

  it('accepts a tgz revision', async () => {
    // Arrange
    s3.put(BUCKET, 'web.tgz', await buildTgz([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));

    // Act
    const result = create(s3Deployment(BUCKET, 'web.tgz', 'tgz'));

    // Assert
    await expect(result).resolves.toHaveProperty('deploymentId');
  });

  it('requires the application to exist', async () => {
    // Act
    const err = await errorOf(() => create({ ...s3Deployment(BUCKET, KEY, 'zip'), applicationName: 'nope' }));

    // Assert
    expect(err.code).toBe('ApplicationDoesNotExistException');
  });

  it('requires the deployment group to exist', async () => {
    // Act
    const err = await errorOf(() =>
      create({ ...s3Deployment(BUCKET, KEY, 'zip'), deploymentGroupName: 'nope' }),
    );

    // Assert
    expect(err.code).toBe('DeploymentGroupDoesNotExistException');
  });

  it('requires a deployment group name', async () => {
    // Act
    const err = await errorOf(() =>
      create({ ...s3Deployment(BUCKET, KEY, 'zip'), deploymentGroupName: undefined }),
    );

    // Assert
    expect(err.code).toBe('DeploymentGroupNameRequiredException');
  });

  it('requires a revision', async () => {
    // Act
    const err = await errorOf(() => create({ applicationName: APP, deploymentGroupName: GROUP }));

    // Assert
    expect(err).toEqual({ code: 'RevisionRequiredException', message: 'RevisionLocation must be specified' });
  });

  it('rejects an unknown deployment configuration', async () => {
    // Act
    const err = await errorOf(() =>
      create({ ...s3Deployment(BUCKET, KEY, 'zip'), deploymentConfigName: 'CodeDeployDefault.Sometimes' }),
    );

    // Assert
    expect(err.code).toBe('DeploymentConfigDoesNotExistException');
  });

  it('rejects a bundle type CodeDeploy does not know', async () => {
    // Act
    const err = await errorOf(() => create(s3Deployment(BUCKET, KEY, 'rar')));

    // Assert
    expect(err.code).toBe('InvalidRevisionException');
    expect(err.message).toContain("not 'rar'");
  });

  it('rejects a bucket that does not exist', async () => {
    // Act
    const err = await errorOf(() => create(s3Deployment('no-such-bucket', KEY, 'zip')));

    // Assert
    expect(err).toEqual({
      code: 'RevisionDoesNotExistException',
      message: "The S3 bucket 'no-such-bucket' does not exist",
    });
  });

  it('rejects a bucket in another region than the deployment group', async () => {
    // Arrange
    s3.createBucket('artifacts-seoul', 'ap-northeast-2');
    s3.put('artifacts-seoul', KEY, buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));

    // Act
    const err = await errorOf(() => create(s3Deployment('artifacts-seoul', KEY, 'zip')));

    // Assert
    expect(err.code).toBe('InvalidRevisionException');
    expect(err.message).toContain("The S3 bucket 'artifacts-seoul' is in region ap-northeast-2");
    expect(err.message).toContain(`deployment group '${GROUP}' is in region us-east-1`);
  });

  it('rejects an object that does not exist', async () => {
    // Act
    const err = await errorOf(() => create(s3Deployment(BUCKET, 'missing.zip', 'zip')));

    // Assert
    expect(err).toEqual({
      code: 'RevisionDoesNotExistException',
      message: `No revision found at s3://${BUCKET}/missing.zip`,
    });
  });

  it('accepts the object’s ETag with or without its quotes', async () => {
    // Arrange
    const etag = ((await s3.getObject(BUCKET, KEY)) ?? { etag: '' }).etag;

    // Act
    const quoted = (await create(s3Deployment(BUCKET, KEY, 'zip', { eTag: etag }))) as {
      deploymentId: string;
    };
    await service.handle('StopDeployment', { deploymentId: quoted.deploymentId }, ctx());
    const bare = create(s3Deployment(BUCKET, KEY, 'zip', { eTag: etag.replaceAll('"', '') }));

    // Assert
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    await expect(bare).resolves.toHaveProperty('deploymentId');
  });

  it('rejects an eTag that differs from the object’s', async () => {
    // Act
    const err = await errorOf(() =>
      create(s3Deployment(BUCKET, KEY, 'zip', { eTag: '0123456789abcdef0123456789abcdef' })),
    );

    // Assert
    expect(err.code).toBe('RevisionDoesNotExistException');
    expect(err.message).toContain('not the eTag 0123456789abcdef0123456789abcdef given');
  });

  it('compares a multipart ETag as given, part count included', async () => {
    // Arrange
    const multipart = 'a1b2c3d4e5f60718293a4b5c6d7e8f90-3';
    s3.put(BUCKET, 'big.zip', buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]), {
      etag: `"${multipart}"`,
    });

    // Act
    const otherPartCount = await errorOf(() =>
      create(s3Deployment(BUCKET, 'big.zip', 'zip', { eTag: 'a1b2c3d4e5f60718293a4b5c6d7e8f90-4' })),
    );
    const matching = create(s3Deployment(BUCKET, 'big.zip', 'zip', { eTag: multipart }));

    // Assert
    expect(otherPartCount.code).toBe('RevisionDoesNotExistException');
    await expect(matching).resolves.toHaveProperty('deploymentId');
  });

  it('deploys the version named, and rejects a version that does not exist', async () => {
    // Arrange
    s3.createBucket('versioned', 'us-east-1', { versioned: true });
    const v1 = s3.put('versioned', KEY, buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
    s3.put('versioned', KEY, 'a later version that is not a zip');

    // Act
    const old = (await create(s3Deployment('versioned', KEY, 'zip', { version: v1.versionId ?? '' }))) as {
      deploymentId: string;
    };
    await service.handle('StopDeployment', { deploymentId: old.deploymentId }, ctx());
    const missing = await errorOf(() =>
      create(s3Deployment('versioned', KEY, 'zip', { version: 'no-such-version' })),
    );
    const latest = await errorOf(() => create(s3Deployment('versioned', KEY, 'zip')));

    // Assert
    expect(missing.code).toBe('RevisionDoesNotExistException');
    expect(missing.message).toContain('?versionId=no-such-version');
    expect(latest.code).toBe('InvalidRevisionException');
  });

  it('rejects a revision whose bytes are not a bundle of the stated type, saying why', async () => {
    // Arrange
    s3.put(BUCKET, 'site.zip', buildZip([{ name: 'index.html', data: '<html></html>' }]));

    // Act
    const err = await errorOf(() => create(s3Deployment(BUCKET, 'site.zip', 'zip')));

    // Assert
    expect(err).toEqual({
      code: 'InvalidRevisionException',
      message: 'The zip archive has no appspec.yml or appspec.yaml at its root',
    });
  });

  it('rejects a YAML revision for an EC2/On-Premises deployment group', async () => {
    // Arrange
    s3.put(BUCKET, 'appspec.yaml', LAMBDA_APPSPEC_YAML);

    // Act
    const err = await errorOf(() => create(s3Deployment(BUCKET, 'appspec.yaml', 'YAML')));

    // Assert
    expect(err.code).toBe('InvalidRevisionException');
    expect(err.message).toContain('must be zip, tar or tgz');
  });

  it('rejects a GitHub revision, which the local stack cannot fetch', async () => {
    // Act
    const err = await errorOf(() =>
      create({
        applicationName: APP,
        deploymentGroupName: GROUP,
        revision: { revisionType: 'GitHub', gitHubLocation: { repository: 'o/r', commitId: 'abc' } },
      }),
    );

    // Assert
    expect(err.code).toBe('InvalidRevisionException');
  });
});

describe('CreateDeployment for a Lambda application', () => {
  beforeEach(async () => {
    await service.handle('CreateApplication', { applicationName: 'fn', computePlatform: 'Lambda' }, ctx());
    await service.handle(
      'CreateDeploymentGroup',
      { applicationName: 'fn', deploymentGroupName: 'live', serviceRoleArn: ROLE },
      ctx(),
    );
  });

  it('accepts a JSON AppSpec from S3', async () => {
    // Arrange
    s3.put(BUCKET, 'appspec.json', LAMBDA_APPSPEC_JSON);

    // Act
    const result = create({
      applicationName: 'fn',
      deploymentGroupName: 'live',
      revision: {
        revisionType: 'S3',
        s3Location: { bucket: BUCKET, key: 'appspec.json', bundleType: 'JSON' },
      },
    });

    // Assert
    await expect(result).resolves.toHaveProperty('deploymentId');
  });

  it('rejects a zip bundle', async () => {
    // Act
    const err = await errorOf(() =>
      create({ ...s3Deployment(BUCKET, KEY, 'zip'), applicationName: 'fn', deploymentGroupName: 'live' }),
    );

    // Assert
    expect(err.code).toBe('InvalidRevisionException');
    expect(err.message).toContain('YAML or JSON');
  });

  it('accepts AppSpecContent and checks its sha256 when given', async () => {
    // Arrange
    const base = { applicationName: 'fn', deploymentGroupName: 'live' };

    // Act
    const wrong = await errorOf(() =>
      create({
        ...base,
        revision: {
          revisionType: 'AppSpecContent',
          appSpecContent: { content: LAMBDA_APPSPEC_YAML, sha256: '00'.repeat(32) },
        },
      }),
    );
    const right = create({
      ...base,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: LAMBDA_APPSPEC_YAML } },
    });

    // Assert
    expect(wrong.code).toBe('InvalidRevisionException');
    await expect(right).resolves.toHaveProperty('deploymentId');
  });
});

describe('one active deployment per deployment group', () => {
  it('refuses a second deployment while the first is active, naming it', async () => {
    // Arrange
    const first = (await create(s3Deployment(BUCKET, KEY, 'zip'))) as { deploymentId: string };
    clock.advance(1500); // InProgress

    // Act
    const err = await errorOf(() => create(s3Deployment(BUCKET, KEY, 'zip')));

    // Assert
    expect(err).toEqual({
      code: 'DeploymentLimitExceededException',
      message: `The Deployment Group '${GROUP}' already has an active Deployment '${first.deploymentId}'`,
    });
  });

  it('allows the next deployment once the first has completed', async () => {
    // Arrange
    await create(s3Deployment(BUCKET, KEY, 'zip'));
    clock.advance(3000); // Succeeded

    // Act
    const second = create(s3Deployment(BUCKET, KEY, 'zip'));

    // Assert
    await expect(second).resolves.toHaveProperty('deploymentId');
  });

  it('counts deployments per group, not per application', async () => {
    // Arrange
    await service.handle(
      'CreateDeploymentGroup',
      { applicationName: APP, deploymentGroupName: 'web-staging', serviceRoleArn: ROLE },
      ctx(),
    );
    await create(s3Deployment(BUCKET, KEY, 'zip'));

    // Act
    const other = create({ ...s3Deployment(BUCKET, KEY, 'zip'), deploymentGroupName: 'web-staging' });

    // Assert
    await expect(other).resolves.toHaveProperty('deploymentId');
  });

  it('lets only one of two concurrent requests for the same group through', async () => {
    // Act
    const results = await Promise.allSettled([
      create(s3Deployment(BUCKET, KEY, 'zip')),
      create(s3Deployment(BUCKET, KEY, 'zip')),
    ]);

    // Assert
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({
      code: 'DeploymentLimitExceededException',
    });
  });
});
