/** The local stack's `codeDeploy.durations` option: deployment phases outlast a small time scale. */
import {
  type CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipWithAppspec } from '../../../helpers/bundles.ts';
import { startTestStack, type TestStack } from '../../../helpers/local-stack.ts';

const SEOUL = 'ap-northeast-2';

async function deployOnce(stack: TestStack): Promise<string | undefined> {
  const s3: S3Client = stack.s3Client(SEOUL);
  const cd: CodeDeployClient = stack.codeDeployClient(SEOUL);
  await s3.send(
    new CreateBucketCommand({
      Bucket: 'artifacts-seoul',
      CreateBucketConfiguration: { LocationConstraint: SEOUL },
    }),
  );
  await s3.send(
    new PutObjectCommand({ Bucket: 'artifacts-seoul', Key: 'web.zip', Body: await zipWithAppspec() }),
  );
  await cd.send(new CreateApplicationCommand({ applicationName: 'web' }));
  await cd.send(
    new CreateDeploymentGroupCommand({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      serviceRoleArn: `arn:aws:iam::${stack.accountId}:role/CodeDeploy`,
    }),
  );
  const { deploymentId } = await cd.send(
    new CreateDeploymentCommand({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      revision: {
        revisionType: 'S3',
        s3Location: { bucket: 'artifacts-seoul', key: 'web.zip', bundleType: 'zip' },
      },
    }),
  );
  const { deploymentInfo } = await cd.send(new GetDeploymentCommand({ deploymentId }));
  return deploymentInfo?.status;
}

describe('startLocalStack codeDeploy.durations', () => {
  let scaled: TestStack;
  let lengthened: TestStack;

  beforeAll(async () => {
    scaled = await startTestStack({ timeScale: 1e-9 });
    // A thousand seconds Created even at this time scale.
    lengthened = await startTestStack({ timeScale: 1e-9, codeDeploy: { durations: { createdMs: 1e15 } } });
  });

  afterAll(async () => {
    await scaled?.dispose();
    await lengthened?.dispose();
  });

  it('keeps a deployment in its phase for the configured duration times the time scale', async () => {
    // Arrange / Act
    const withDefaults = await deployOnce(scaled);
    const withLongPhases = await deployOnce(lengthened);

    // Assert
    expect(withDefaults).toBe('Succeeded');
    expect(withLongPhases).toBe('Created');
  });
});
