/**
 * The local S3 evaluating a registered principal's requests against its identity policies — here
 * the copy-object role's policy as the relay's permission plan gives it for the example
 * configuration — while every other access key acts as the account administrator.
 */
import { readFileSync } from 'node:fs';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectsCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyAwsError } from '../../../core/classify-aws-error.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import { planPermissions } from '../../../core/permissions/plan.ts';
import { policyDocumentOf } from '../../../core/permissions/policy-document.ts';
import { startTestStack, type TestStack } from '../../helpers/local-stack.ts';

const ACCOUNT = '000000000000';
const FRANKFURT = 'eu-central-1';
const OREGON = 'us-west-2';
const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/relay-copy-object/copy-session`;
const COPY_KEY = { accessKeyId: 'AKIALOCALCOPYOBJECT', secretAccessKey: 'local-secret' } as const;

const config = parseConfig(
  JSON.parse(readFileSync(new URL('../../../examples/relay.config.json', import.meta.url), 'utf8')),
  'examples/relay.config.json',
);

type S3Failure = Error & { $metadata?: { httpStatusCode?: number } };

async function rejection(promise: Promise<unknown>): Promise<S3Failure> {
  try {
    await promise;
  } catch (err) {
    return err as S3Failure;
  }
  throw new Error('expected the call to fail');
}

describe('S3 authorization of a registered principal', () => {
  let stack: TestStack;
  let admin: (region: string) => S3Client;
  let copyRole: (region: string) => S3Client;
  const roleClients: S3Client[] = [];

  beforeAll(async () => {
    stack = await startTestStack({
      accountId: ACCOUNT,
      iam: {
        principals: [
          {
            ...COPY_KEY,
            arn: ROLE,
            account: ACCOUNT,
            policies: [policyDocumentOf(planPermissions(config, ACCOUNT)['copy-object'])],
          },
        ],
      },
    });
    admin = (region) => stack.s3Client(region);
    copyRole = (region) => {
      const client = new S3Client({
        endpoint: stack.endpoint,
        region,
        forcePathStyle: true,
        credentials: { accessKeyId: COPY_KEY.accessKeyId, secretAccessKey: COPY_KEY.secretAccessKey },
      });
      roleClients.push(client);
      return client;
    };
    for (const [bucket, region] of [
      ['build-artifacts-oregon', OREGON],
      ['artifacts-frankfurt', FRANKFURT],
      ['unconfigured-bucket', FRANKFURT],
    ] as const) {
      await admin(region).send(
        new CreateBucketCommand({
          Bucket: bucket,
          CreateBucketConfiguration: { LocationConstraint: region },
        }),
      );
    }
  });

  afterAll(async () => {
    for (const client of roleClients) client.destroy();
    await stack?.dispose();
  });

  it('lets the copy role write a configured target key', async () => {
    const put = await copyRole(FRANKFURT).send(
      new PutObjectCommand({ Bucket: 'artifacts-frankfurt', Key: 'releases/app.zip', Body: 'bundle' }),
    );
    expect(put.$metadata.httpStatusCode).toBe(200);
  });

  it('refuses the copy role a write to another bucket with AccessDenied naming action, resource and principal', async () => {
    const err = await rejection(
      copyRole(FRANKFURT).send(
        new PutObjectCommand({ Bucket: 'unconfigured-bucket', Key: 'releases/app.zip', Body: 'bundle' }),
      ),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toBe(
      `User: ${ROLE} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::unconfigured-bucket/releases/app.zip" because no identity-based policy allows the s3:PutObject action`,
    );
    expect(stack.s3.authorizationLog().at(-1)).toMatchObject({
      operation: 'PutObject',
      principal: ROLE,
      action: 's3:PutObject',
      resource: 'arn:aws:s3:::unconfigured-bucket/releases/app.zip',
      decision: 'ImplicitDeny',
    });
  });

  it('lets the copy role copy a tagged source to its target (object and tagging actions on both sides)', async () => {
    await admin(OREGON).send(
      new PutObjectCommand({
        Bucket: 'build-artifacts-oregon',
        Key: 'build_artifacts/tagged.zip',
        Body: 'tagged bundle',
        Tagging: 'team=web',
      }),
    );
    const copy = await copyRole(FRANKFURT).send(
      new CopyObjectCommand({
        Bucket: 'artifacts-frankfurt',
        Key: 'releases/tagged.zip',
        CopySource: 'build-artifacts-oregon/build_artifacts/tagged.zip',
      }),
    );
    expect(copy.$metadata.httpStatusCode).toBe(200);
    const actions = stack.s3
      .authorizationLog()
      .filter((record) => record.operation === 'CopyObject')
      .map((record) => `${record.decision} ${record.action} ${record.resource}`);
    expect(actions).toEqual([
      'Allow s3:PutObject arn:aws:s3:::artifacts-frankfurt/releases/tagged.zip',
      'Allow s3:PutObjectTagging arn:aws:s3:::artifacts-frankfurt/releases/tagged.zip',
      'Allow s3:GetObject arn:aws:s3:::build-artifacts-oregon/build_artifacts/tagged.zip',
      'Allow s3:GetObjectTagging arn:aws:s3:::build-artifacts-oregon/build_artifacts/tagged.zip',
    ]);
  });

  it('answers the copy role 404 for a missing object in a bucket it may list, 403 elsewhere', async () => {
    const listable = await rejection(
      copyRole(FRANKFURT).send(
        new HeadObjectCommand({ Bucket: 'artifacts-frankfurt', Key: 'releases/none.zip' }),
      ),
    );
    expect(listable.$metadata?.httpStatusCode).toBe(404);

    const elsewhere = await rejection(
      copyRole(FRANKFURT).send(
        new HeadObjectCommand({ Bucket: 'unconfigured-bucket', Key: 'releases/none.zip' }),
      ),
    );
    expect(elsewhere.$metadata?.httpStatusCode).toBe(403);
    // A HEAD has no error body: the local stack's own record names the denied action.
    expect(stack.s3.authorizationLog().at(-1)).toMatchObject({
      operation: 'HeadObject',
      action: 's3:GetObject',
      resource: 'arn:aws:s3:::unconfigured-bucket/releases/none.zip',
      decision: 'ImplicitDeny',
    });
    // … and the relay's error names the grants a denied HEAD most likely lacks.
    const classified = classifyAwsError(elsewhere, {
      operation: 's3:HeadObject',
      side: 'target',
      bucket: 'unconfigured-bucket',
      key: 'releases/none.zip',
    });
    expect(classified.name).toBe('AccessDenied');
    expect(classified.message).toContain('s3:GetObject on s3://unconfigured-bucket/releases/none.zip');
    expect(classified.message).toContain('s3:ListBucket on the bucket unconfigured-bucket');
  });

  it('refuses the copy role each key of a DeleteObjects it may not delete, key by key', async () => {
    const result = await copyRole(FRANKFURT).send(
      new DeleteObjectsCommand({
        Bucket: 'artifacts-frankfurt',
        Delete: { Objects: [{ Key: 'releases/app.zip' }] },
      }),
    );
    expect(result.Deleted ?? []).toEqual([]);
    expect(result.Errors).toEqual([
      expect.objectContaining({
        Key: 'releases/app.zip',
        Code: 'AccessDenied',
        Message: expect.stringContaining(
          's3:DeleteObject on resource: "arn:aws:s3:::artifacts-frankfurt/releases/app.zip"',
        ),
      }),
    ]);
  });

  it('lets the user’s own client (an unregistered access key) do everything, unevaluated', async () => {
    stack.s3.clearAuthorizationLog();
    const put = await admin(FRANKFURT).send(
      new PutObjectCommand({ Bucket: 'unconfigured-bucket', Key: 'anything/at-all.txt', Body: 'x' }),
    );
    expect(put.$metadata.httpStatusCode).toBe(200);
    const buckets = await admin(FRANKFURT).send(new ListBucketsCommand({}));
    expect(buckets.Buckets?.map((b) => b.Name)).toContain('unconfigured-bucket');
    expect(stack.s3.authorizationLog()).toEqual([]);
  });
});

describe('the local stack without registered principals', () => {
  it('evaluates nothing and records nothing', async () => {
    const stack = await startTestStack();
    try {
      const s3 = stack.s3Client(FRANKFURT);
      await s3.send(
        new CreateBucketCommand({
          Bucket: 'plain',
          CreateBucketConfiguration: { LocationConstraint: FRANKFURT },
        }),
      );
      const put = await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'k', Body: 'x' }));
      expect(put.$metadata.httpStatusCode).toBe(200);
      expect(stack.s3.authorizationLog()).toEqual([]);
    } finally {
      await stack.dispose();
    }
  });
});
