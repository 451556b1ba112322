/**
 * The local CodeDeploy evaluating a registered principal's requests before the operation runs, and
 * remembering each decision.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../../core/permissions/policy-document.ts';
import { CodeDeployAuthorizer } from '../../../../local/codedeploy/authorizer.ts';
import type { CodeDeployService } from '../../../../local/codedeploy/service.ts';
import { PrincipalRegistry } from '../../../../local/iam/principals.ts';
import type { RequestContext } from '../../../../local/types.ts';
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

const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/relay-start-deployment`;
const ROLE_KEY = 'AKIASTARTDEPLOYMENT';
const BUCKET = 'artifacts-virginia';
const KEY = 'releases/web-1.0.zip';
const GROUP_ARN = `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentgroup:${APP}/${GROUP}`;
const APP_ARN = `arn:aws:codedeploy:${REGION}:${ACCOUNT}:application:${APP}`;
const CONFIGS = `arn:aws:codedeploy:${REGION}:${ACCOUNT}:deploymentconfig:*`;

function policy(
  ...statements: Array<{ Effect: 'Allow' | 'Deny'; Action: string[]; Resource: string }>
): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

function roleCtx(): RequestContext {
  return { ...ctx(REGION), accessKeyId: ROLE_KEY };
}

let data: { dir: string; cleanup: () => Promise<void> };
let s3: FakeS3;

async function serviceWith(policies: PolicyDocument[]): Promise<CodeDeployService> {
  const principals = new PrincipalRegistry([
    { accessKeyId: ROLE_KEY, arn: ROLE_ARN, account: ACCOUNT, policies },
  ]);
  const service = await startService(data.dir, s3, new ManualClock(), { principals });
  await seedServerGroup(service, REGION);
  service.clearAuthorizationLog();
  return service;
}

beforeEach(async () => {
  data = await tempDir();
  s3 = new FakeS3();
  s3.createBucket(BUCKET, REGION);
  s3.put(BUCKET, KEY, buildZip([{ name: 'appspec.yml', data: SERVER_APPSPEC }]));
});

afterEach(async () => {
  await data.cleanup();
});

describe('CodeDeploy authorization of a registered principal', () => {
  it('creates a deployment when RegisterApplicationRevision alone covers the revision', async () => {
    // Arrange
    const service = await serviceWith([
      policy(
        { Effect: 'Allow', Action: ['codedeploy:CreateDeployment'], Resource: GROUP_ARN },
        { Effect: 'Allow', Action: ['codedeploy:GetDeploymentConfig'], Resource: CONFIGS },
        { Effect: 'Allow', Action: ['codedeploy:RegisterApplicationRevision'], Resource: APP_ARN },
      ),
    ]);

    // Act
    const result = await service.handle('CreateDeployment', s3Deployment(BUCKET, KEY, 'zip'), roleCtx());

    // Assert
    expect(result).toHaveProperty('deploymentId');
    expect(service.authorizationLog().map((r) => [r.action, r.decision, r.purpose])).toEqual([
      ['codedeploy:CreateDeployment', 'Allow', 'request'],
      ['codedeploy:GetDeploymentConfig', 'Allow', 'request'],
      ['codedeploy:GetApplicationRevision', 'ImplicitDeny', 'alternative'],
      ['codedeploy:RegisterApplicationRevision', 'Allow', 'alternative'],
    ]);
  });

  it('answers AccessDeniedException naming GetApplicationRevision when neither revision action is allowed', async () => {
    // Arrange
    const service = await serviceWith([
      policy(
        { Effect: 'Allow', Action: ['codedeploy:CreateDeployment'], Resource: GROUP_ARN },
        { Effect: 'Allow', Action: ['codedeploy:GetDeploymentConfig'], Resource: CONFIGS },
      ),
    ]);

    // Act
    const error = await errorOf(() =>
      service.handle('CreateDeployment', s3Deployment(BUCKET, KEY, 'zip'), roleCtx()),
    );

    // Assert
    expect(error).toEqual({
      code: 'AccessDeniedException',
      message: `User: ${ROLE_ARN} is not authorized to perform: codedeploy:GetApplicationRevision on resource: ${APP_ARN} because no identity-based policy allows the codedeploy:GetApplicationRevision action`,
    });
  });

  it('answers AccessDeniedException with status 400 for an explicit deny', async () => {
    // Arrange
    const service = await serviceWith([
      policy(
        { Effect: 'Allow', Action: ['codedeploy:*'], Resource: '*' },
        { Effect: 'Deny', Action: ['codedeploy:GetDeployment'], Resource: GROUP_ARN },
      ),
    ]);
    const { deploymentId } = (await service.handle(
      'CreateDeployment',
      s3Deployment(BUCKET, KEY, 'zip'),
      roleCtx(),
    )) as { deploymentId: string };

    // Act
    let denial: unknown;
    try {
      await service.handle('GetDeployment', { deploymentId }, roleCtx());
    } catch (err) {
      denial = err;
    }

    // Assert
    expect(denial).toMatchObject({ code: 'AccessDeniedException', statusCode: 400 });
    expect((denial as Error).message).toMatch(
      /codedeploy:GetDeployment on resource: \S+ with an explicit deny/,
    );
  });

  it('does not evaluate an unregistered access key or an unsigned request', async () => {
    // Arrange
    const service = await serviceWith([policy()]);

    // Act
    await service.handle(
      'GetApplication',
      { applicationName: APP },
      { ...ctx(REGION), accessKeyId: 'AKIAOTHER' },
    );
    await service.handle('GetApplication', { applicationName: APP }, ctx(REGION));

    // Assert
    expect(service.authorizationLog()).toEqual([]);
  });

  it('refuses a policy outside the evaluator grammar with NotImplemented', async () => {
    // Arrange
    const service = await serviceWith([
      {
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Action: 'codedeploy:*',
            Resource: '*',
            Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
          },
        ],
      },
    ]);

    // Act
    const error = await errorOf(() => service.handle('GetApplication', { applicationName: APP }, roleCtx()));

    // Assert
    expect(error.code).toBe('NotImplemented');
  });

  it('keeps only the newest decisions up to the log size', () => {
    // Arrange
    const authorizer = new CodeDeployAuthorizer(
      new PrincipalRegistry([
        { accessKeyId: ROLE_KEY, arn: ROLE_ARN, account: ACCOUNT, policies: [policy()] },
      ]),
      { logSize: 2 },
    );
    const request = (applicationName: string) => ({
      operation: 'GetApplication',
      input: { applicationName },
      ctx: roleCtx(),
      account: ACCOUNT,
      deploymentOf: () => undefined,
      groupConfigOf: () => undefined,
    });

    // Act
    for (const name of ['a', 'b', 'c']) {
      try {
        authorizer.authorize(request(name));
      } catch {
        // each is denied; only the record matters here
      }
    }

    // Assert
    expect(authorizer.log().map((r) => r.resource.split(':').at(-1))).toEqual(['b', 'c']);
  });
});
