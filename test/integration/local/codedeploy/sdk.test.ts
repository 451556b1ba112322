/**
 * The local CodeDeploy through the AWS SDK v3 client over real HTTP (JSON 1.1 protocol, SigV4 region),
 * served by the shared protocol adapter. The service runs on an in-memory S3 with a manual clock.
 */

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApplicationAlreadyExistsException,
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  DeploymentLimitExceededException,
  GetApplicationCommand,
  GetDeploymentCommand,
  GetDeploymentGroupCommand,
  InvalidRevisionException,
  ListApplicationsCommand,
  ListDeploymentGroupsCommand,
  ListDeploymentsCommand,
  RevisionDoesNotExistException,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import { serveJson } from '../../../../local/protocol/json.ts';
import { credentialScope } from '../../../../local/protocol/sigv4.ts';
import { SERVER_APPSPEC } from '../../../fixtures/bundles/appspec.ts';
import { buildTar } from '../../../fixtures/bundles/tar.ts';
import { buildZip } from '../../../fixtures/bundles/zip.ts';
import { FakeS3, ManualClock, ROLE, startService, tempDir } from '../../../unit/local/codedeploy/helpers.ts';

let data: { dir: string; cleanup: () => Promise<void> };
let clock: ManualClock;
let s3: FakeS3;
let service: CodeDeployService;
let server: Server;
let endpoint: string;

function client(region: string): CodeDeployClient {
  return new CodeDeployClient({
    endpoint,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

beforeAll(async () => {
  data = await tempDir();
  clock = new ManualClock();
  s3 = new FakeS3();
  s3.createBucket('artifacts-seoul', 'ap-northeast-2');
  s3.createBucket('artifacts-oregon', 'us-west-2');
  const zip = buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);
  s3.put('artifacts-seoul', 'web/1.0.zip', zip);
  s3.put('artifacts-oregon', 'web/1.0.zip', zip);
  s3.put('artifacts-seoul', 'web/1.0.tar', await buildTar([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
  service = await startService(data.dir, s3, clock);
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const region = credentialScope(req, url)?.region ?? 'us-east-1';
    void serveJson(req, res, service, String(req.headers['x-amz-target']), {
      region,
      requestId: 'REQ',
      accountId: '111122223333',
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const seoul = client('ap-northeast-2');
  await seoul.send(new CreateApplicationCommand({ applicationName: 'web' }));
  await seoul.send(
    new CreateDeploymentGroupCommand({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      serviceRoleArn: ROLE,
    }),
  );
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await service.close();
  await data.cleanup();
});

describe('the local CodeDeploy through @aws-sdk/client-codedeploy', () => {
  it('reads applications and groups back with typed dates', async () => {
    // Arrange
    const seoul = client('ap-northeast-2');

    // Act
    const app = await seoul.send(new GetApplicationCommand({ applicationName: 'web' }));
    const apps = await seoul.send(new ListApplicationsCommand({}));
    const groups = await seoul.send(new ListDeploymentGroupsCommand({ applicationName: 'web' }));
    const group = await seoul.send(
      new GetDeploymentGroupCommand({ applicationName: 'web', deploymentGroupName: 'web-prod' }),
    );

    // Assert
    expect(app.application?.createTime).toEqual(new Date(clock.current));
    expect(app.application?.computePlatform).toBe('Server');
    expect(apps.applications).toContain('web');
    expect(groups.deploymentGroups).toEqual(['web-prod']);
    expect(group.deploymentGroupInfo?.serviceRoleArn).toBe(ROLE);
  });

  it('raises the modelled exception classes', async () => {
    // Arrange
    const seoul = client('ap-northeast-2');

    // Act
    const err = await seoul
      .send(new CreateApplicationCommand({ applicationName: 'web' }))
      .catch((e: unknown) => e);

    // Assert
    expect(err).toBeInstanceOf(ApplicationAlreadyExistsException);
  });

  it('runs a deployment to Succeeded, refusing a second one meanwhile', async () => {
    // Arrange
    const seoul = client('ap-northeast-2');
    const input = {
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      revision: {
        revisionType: 'S3' as const,
        s3Location: { bucket: 'artifacts-seoul', key: 'web/1.0.zip', bundleType: 'zip' as const },
      },
    };
    const started = clock.current;

    // Act
    const { deploymentId } = await seoul.send(new CreateDeploymentCommand(input));
    const busy = await seoul.send(new CreateDeploymentCommand(input)).catch((e: unknown) => e);
    clock.advance(3000);
    const { deploymentInfo } = await seoul.send(new GetDeploymentCommand({ deploymentId }));
    const listed = await seoul.send(
      new ListDeploymentsCommand({
        applicationName: 'web',
        deploymentGroupName: 'web-prod',
        includeOnlyStatuses: ['Succeeded'],
        createTimeRange: { start: new Date(started), end: new Date(started) },
      }),
    );

    // Assert
    expect(busy).toBeInstanceOf(DeploymentLimitExceededException);
    expect((busy as Error).message).toContain(String(deploymentId));
    expect(deploymentInfo).toMatchObject({
      deploymentId,
      status: 'Succeeded',
      createTime: new Date(started),
      startTime: new Date(started + 1000),
      completeTime: new Date(started + 3000),
      revision: input.revision,
      deploymentOverview: { Succeeded: 1 },
    });
    expect(listed.deployments).toEqual([deploymentId]);
  });

  it('reports an injected failure code through GetDeployment', async () => {
    // Arrange
    const seoul = client('ap-northeast-2');
    service.injectFailure({ code: 'HOOK_EXECUTION_FAILURE', message: 'ApplicationStart failed' });

    // Act
    const { deploymentId } = await seoul.send(
      new CreateDeploymentCommand({
        applicationName: 'web',
        deploymentGroupName: 'web-prod',
        revision: {
          revisionType: 'S3',
          s3Location: { bucket: 'artifacts-seoul', key: 'web/1.0.tar', bundleType: 'tar' },
        },
      }),
    );
    clock.advance(3000);
    const { deploymentInfo } = await seoul.send(new GetDeploymentCommand({ deploymentId }));

    // Assert
    expect(deploymentInfo?.status).toBe('Failed');
    expect(deploymentInfo?.errorInformation).toEqual({
      code: 'HOOK_EXECUTION_FAILURE',
      message: 'ApplicationStart failed',
    });
  });

  it('stops a deployment', async () => {
    // Arrange
    const seoul = client('ap-northeast-2');
    const { deploymentId } = await seoul.send(
      new CreateDeploymentCommand({
        applicationName: 'web',
        deploymentGroupName: 'web-prod',
        revision: {
          revisionType: 'S3',
          s3Location: { bucket: 'artifacts-seoul', key: 'web/1.0.zip', bundleType: 'zip' },
        },
      }),
    );

    // Act
    const stop = await seoul.send(new StopDeploymentCommand({ deploymentId }));
    const { deploymentInfo } = await seoul.send(new GetDeploymentCommand({ deploymentId }));

    // Assert
    expect(stop.status).toBe('Pending');
    expect(deploymentInfo?.status).toBe('Stopped');
  });

  it('refuses a revision in a bucket of another region, and a missing object', async () => {
    // Arrange
    const seoul = client('ap-northeast-2');
    const deployFrom = (bucket: string, key: string) =>
      seoul
        .send(
          new CreateDeploymentCommand({
            applicationName: 'web',
            deploymentGroupName: 'web-prod',
            revision: { revisionType: 'S3', s3Location: { bucket, key, bundleType: 'zip' } },
          }),
        )
        .catch((e: unknown) => e);

    // Act
    const otherRegion = await deployFrom('artifacts-oregon', 'web/1.0.zip');
    const missing = await deployFrom('artifacts-seoul', 'web/2.0.zip');

    // Assert
    expect(otherRegion).toBeInstanceOf(InvalidRevisionException);
    expect((otherRegion as Error).message).toContain('us-west-2');
    expect(missing).toBeInstanceOf(RevisionDoesNotExistException);
  });

  it('keeps resources to the region the request is signed for', async () => {
    // Arrange
    const oregon = client('us-west-2');

    // Act
    const apps = await oregon.send(new ListApplicationsCommand({}));

    // Assert
    expect(apps.applications).toEqual([]);
  });
});
