/**
 * The local CodeDeploy as users meet it: behind the one endpoint of `startLocalStack`, checking revisions
 * stored in the local S3, through the AWS SDK v3 clients.
 */

import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  DeploymentLimitExceededException,
  GetDeploymentCommand,
  InvalidRevisionException,
  RevisionDoesNotExistException,
  StopDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalStack, startLocalStack } from '../../../../local/index.ts';
import { SERVER_APPSPEC } from '../../../fixtures/bundles/appspec.ts';
import { buildTgz } from '../../../fixtures/bundles/tar.ts';
import { buildZip } from '../../../fixtures/bundles/zip.ts';
import { ROLE, tempDir } from '../../../unit/local/codedeploy/helpers.ts';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const SEOUL = 'ap-northeast-2';

let data: { dir: string; cleanup: () => Promise<void> };
/** Deployments complete the moment they are created (durations scale to under a millisecond). */
let instant: LocalStack;
/** Deployments stay Created for 1000 s. */
let slow: LocalStack;

function codeDeploy(stack: LocalStack, region = SEOUL): CodeDeployClient {
  return new CodeDeployClient({ endpoint: stack.endpoint, region, credentials, maxAttempts: 1 });
}

async function seed(stack: LocalStack): Promise<string> {
  const s3 = new S3Client({
    endpoint: stack.endpoint,
    region: SEOUL,
    credentials,
    forcePathStyle: true,
    maxAttempts: 1,
  });
  await s3.send(
    new CreateBucketCommand({
      Bucket: 'artifacts-seoul',
      CreateBucketConfiguration: { LocationConstraint: SEOUL },
    }),
  );
  const zip = buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]);
  const put = await s3.send(
    new PutObjectCommand({ Bucket: 'artifacts-seoul', Key: 'web/1.0.zip', Body: zip }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: 'artifacts-seoul',
      Key: 'web/1.0.tgz',
      Body: await buildTgz([{ name: 'appspec.yml', data: SERVER_APPSPEC }]),
    }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: 'artifacts-seoul', Key: 'web/broken.zip', Body: zip.subarray(0, 40) }),
  );
  const oregon = new S3Client({
    endpoint: stack.endpoint,
    region: 'us-west-2',
    credentials,
    forcePathStyle: true,
  });
  await oregon.send(
    new CreateBucketCommand({
      Bucket: 'artifacts-oregon',
      CreateBucketConfiguration: { LocationConstraint: 'us-west-2' },
    }),
  );
  await oregon.send(new PutObjectCommand({ Bucket: 'artifacts-oregon', Key: 'web/1.0.zip', Body: zip }));
  const cd = codeDeploy(stack);
  await cd.send(new CreateApplicationCommand({ applicationName: 'web' }));
  await cd.send(
    new CreateDeploymentGroupCommand({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      serviceRoleArn: ROLE,
    }),
  );
  return put.ETag ?? '';
}

function deployment(bucket: string, key: string, bundleType: 'zip' | 'tgz', eTag?: string) {
  return new CreateDeploymentCommand({
    applicationName: 'web',
    deploymentGroupName: 'web-prod',
    revision: { revisionType: 'S3', s3Location: { bucket, key, bundleType, ...(eTag ? { eTag } : {}) } },
  });
}

let zipETag: string;

beforeAll(async () => {
  data = await tempDir();
  const auth = { verifySignatures: true, keyPairs: [credentials] };
  instant = await startLocalStack({ port: 0, dataDir: `${data.dir}/instant`, timeScale: 1e-6, auth });
  slow = await startLocalStack({ port: 0, dataDir: `${data.dir}/slow`, timeScale: 1000, auth });
  zipETag = await seed(instant);
  await seed(slow);
});

afterAll(async () => {
  await instant?.stop();
  await slow?.stop();
  await data.cleanup();
});

describe('CodeDeploy on the local stack', () => {
  it('deploys a zip revision from the local S3, matching the ETag PutObject returned', async () => {
    // Arrange
    const cd = codeDeploy(instant);

    // Act
    const { deploymentId } = await cd.send(deployment('artifacts-seoul', 'web/1.0.zip', 'zip', zipETag));
    const { deploymentInfo } = await cd.send(new GetDeploymentCommand({ deploymentId }));

    // Assert
    expect(zipETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(deploymentInfo?.status).toBe('Succeeded');
  });

  it('ends a deployment Failed with an injected error code', async () => {
    // Arrange
    const cd = codeDeploy(instant);
    instant.codeDeploy.injectFailure({ code: 'HEALTH_CONSTRAINTS' });

    // Act
    const { deploymentId } = await cd.send(deployment('artifacts-seoul', 'web/1.0.tgz', 'tgz'));
    const { deploymentInfo } = await cd.send(new GetDeploymentCommand({ deploymentId }));

    // Assert
    expect(deploymentInfo?.status).toBe('Failed');
    expect(deploymentInfo?.errorInformation?.code).toBe('HEALTH_CONSTRAINTS');
  });

  it('refuses a bucket in another region, a wrong eTag and a damaged bundle', async () => {
    // Arrange
    const cd = codeDeploy(instant);

    // Act
    const region = await cd
      .send(deployment('artifacts-oregon', 'web/1.0.zip', 'zip'))
      .catch((e: unknown) => e);
    const eTag = await cd
      .send(deployment('artifacts-seoul', 'web/1.0.zip', 'zip', '"00000000000000000000000000000000"'))
      .catch((e: unknown) => e);
    const damaged = await cd
      .send(deployment('artifacts-seoul', 'web/broken.zip', 'zip'))
      .catch((e: unknown) => e);

    // Assert
    expect(region).toBeInstanceOf(InvalidRevisionException);
    expect(eTag).toBeInstanceOf(RevisionDoesNotExistException);
    expect(damaged).toBeInstanceOf(InvalidRevisionException);
    expect((damaged as Error).message).toMatch(/not a valid zip archive/);
  });

  it('allows one active deployment per group until it is stopped', async () => {
    // Arrange
    const cd = codeDeploy(slow);
    const { deploymentId } = await cd.send(deployment('artifacts-seoul', 'web/1.0.zip', 'zip'));

    // Act
    const busy = await cd.send(deployment('artifacts-seoul', 'web/1.0.zip', 'zip')).catch((e: unknown) => e);
    await cd.send(new StopDeploymentCommand({ deploymentId }));
    const next = await cd.send(deployment('artifacts-seoul', 'web/1.0.zip', 'zip'));
    const { deploymentInfo } = await cd.send(new GetDeploymentCommand({ deploymentId: next.deploymentId }));

    // Assert
    expect(busy).toBeInstanceOf(DeploymentLimitExceededException);
    expect(deploymentInfo?.status).toBe('Created');
  });
});
