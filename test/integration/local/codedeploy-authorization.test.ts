/**
 * The local CodeDeploy evaluating a registered principal's requests against its identity policies —
 * here a role allowed to deploy to one deployment group only — while the default credentials and a
 * registered administrator act unevaluated, through the AWS SDK v3 client over real HTTP.
 */
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  codeDeployApplicationArn,
  codeDeployConfigArn,
  codeDeployGroupArn,
} from '../../../core/permissions/arns.ts';
import { SERVER_APPSPEC } from '../../fixtures/bundles/appspec.ts';
import { buildZip } from '../../fixtures/bundles/zip.ts';
import { startTestStack, type TestStack } from '../../helpers/local-stack.ts';
import { ROLE as SERVICE_ROLE } from '../../unit/local/codedeploy/helpers.ts';

const ACCOUNT = '000000000000';
const OREGON = 'us-west-2';
const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/relay-start-deployment/deploy-session`;
const ROLE_KEY = { accessKeyId: 'AKIALOCALSTARTDEPLOY', secretAccessKey: 'local-secret' } as const;
const ADMIN_KEY = { accessKeyId: 'AKIALOCALADMIN', secretAccessKey: 'local-secret' } as const;
const APP = 'web';
const BUCKET = 'artifacts-oregon';
const KEY = 'web/1.0.zip';
const PROD = codeDeployGroupArn(OREGON, ACCOUNT, APP, 'prod');
const STAGING = codeDeployGroupArn(OREGON, ACCOUNT, APP, 'staging');

type SdkFailure = Error & { $metadata?: { httpStatusCode?: number } };

async function rejection(promise: Promise<unknown>): Promise<SdkFailure> {
  try {
    await promise;
  } catch (err) {
    return err as SdkFailure;
  }
  throw new Error('expected the call to fail');
}

function deployTo(group: string): CreateDeploymentCommand {
  return new CreateDeploymentCommand({
    applicationName: APP,
    deploymentGroupName: group,
    revision: { revisionType: 'S3', s3Location: { bucket: BUCKET, key: KEY, bundleType: 'zip' } },
  });
}

describe('CodeDeploy authorization of a registered principal', () => {
  let stack: TestStack;
  let admin: CodeDeployClient;
  let role: CodeDeployClient;
  let registeredAdmin: CodeDeployClient;

  beforeAll(async () => {
    stack = await startTestStack({
      accountId: ACCOUNT,
      timeScale: 1e-6,
      iam: {
        principals: [
          {
            accessKeyId: ROLE_KEY.accessKeyId,
            arn: ROLE,
            account: ACCOUNT,
            policies: [
              {
                Version: '2012-10-17',
                Statement: [
                  {
                    Effect: 'Allow',
                    Action: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
                    Resource: PROD,
                  },
                  {
                    Effect: 'Allow',
                    Action: ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
                    Resource: codeDeployApplicationArn(OREGON, ACCOUNT, APP),
                  },
                  {
                    Effect: 'Allow',
                    Action: 'codedeploy:GetDeploymentConfig',
                    Resource: codeDeployConfigArn(OREGON, ACCOUNT, undefined),
                  },
                ],
              },
            ],
          },
        ],
        administrators: [{ accessKeyId: ADMIN_KEY.accessKeyId, account: ACCOUNT }],
      },
    });
    const client = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
      new CodeDeployClient({ endpoint: stack.endpoint, region: OREGON, credentials, maxAttempts: 1 });
    admin = stack.codeDeployClient(OREGON);
    role = client(ROLE_KEY);
    registeredAdmin = client(ADMIN_KEY);

    const s3 = stack.s3Client(OREGON);
    await s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: OREGON } }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: KEY,
        Body: buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]),
      }),
    );
    await admin.send(new CreateApplicationCommand({ applicationName: APP }));
    for (const group of ['prod', 'staging']) {
      await admin.send(
        new CreateDeploymentGroupCommand({
          applicationName: APP,
          deploymentGroupName: group,
          serviceRoleArn: SERVICE_ROLE,
        }),
      );
    }
  });

  beforeEach(() => {
    stack.codeDeploy.clearAuthorizationLog();
  });

  afterAll(async () => {
    role?.destroy();
    registeredAdmin?.destroy();
    await stack?.dispose();
  });

  it('creates a deployment in the group the role may deploy to', async () => {
    // Act
    const { deploymentId } = await role.send(deployTo('prod'));

    // Assert
    expect(deploymentId).toMatch(/^d-[A-Z0-9]{9}$/);
  });

  it('answers AccessDeniedException naming the action and the ARN for another group', async () => {
    // Act
    const error = await rejection(role.send(deployTo('staging')));

    // Assert
    expect(error.name).toBe('AccessDeniedException');
    expect(error.$metadata?.httpStatusCode).toBe(400);
    expect(error.message).toBe(
      `User: ${ROLE} is not authorized to perform: codedeploy:CreateDeployment on resource: ${STAGING} because no identity-based policy allows the codedeploy:CreateDeployment action`,
    );
  });

  it('evaluates a group that does not exist on its ARN before looking it up', async () => {
    // Act
    const error = await rejection(role.send(deployTo('gone')));

    // Assert
    expect(error.name).toBe('AccessDeniedException');
    expect(error.message).toContain(codeDeployGroupArn(OREGON, ACCOUNT, APP, 'gone'));
  });

  it('lets the role read a deployment of its group and denies one of another group', async () => {
    // Arrange
    const ownId = (await role.send(deployTo('prod'))).deploymentId;
    const otherId = (await admin.send(deployTo('staging'))).deploymentId;

    // Act
    const own = await role.send(new GetDeploymentCommand({ deploymentId: ownId }));
    const other = await rejection(role.send(new GetDeploymentCommand({ deploymentId: otherId })));

    // Assert
    expect(own.deploymentInfo?.deploymentGroupName).toBe('prod');
    expect(other.name).toBe('AccessDeniedException');
    expect(other.message).toContain(`codedeploy:GetDeployment on resource: ${STAGING}`);
  });

  it('does not evaluate the default credentials or a registered administrator', async () => {
    // Act
    const byDefault = await admin.send(deployTo('staging'));
    const byAdministrator = await registeredAdmin.send(deployTo('staging'));

    // Assert
    expect(byDefault.deploymentId).toBeDefined();
    expect(byAdministrator.deploymentId).toBeDefined();
    expect(stack.codeDeploy.authorizationLog()).toEqual([]);
  });

  it('records the denied action in the authorization log', async () => {
    // Arrange
    await rejection(role.send(deployTo('staging')));

    // Act
    const log = stack.codeDeploy.authorizationLog();

    // Assert
    expect(log).toEqual([
      expect.objectContaining({
        operation: 'CreateDeployment',
        principal: ROLE,
        action: 'codedeploy:CreateDeployment',
        resource: STAGING,
        decision: 'ImplicitDeny',
        purpose: 'request',
      }),
    ]);
  });
});
