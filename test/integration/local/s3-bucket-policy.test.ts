/**
 * Buckets owned by accounts, and bucket policies, on the local S3: a second account's administrator
 * owns the bucket it creates; a role of the local account writing there needs the bucket's policy to
 * allow it (cross-account: identity policy AND bucket policy); an explicit Deny in a bucket policy
 * wins over an identity Allow; `ExpectedBucketOwner` compares with the bucket's owner.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  ListBucketsCommand,
  type ListBucketsCommandOutput,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalStack } from '../../../local/index.ts';
import { findAwsCliV2, runAwsCli } from '../../helpers/aws-cli.ts';
import { startTestStack, type TestStack } from '../../helpers/local-stack.ts';

const ACCOUNT_A = '111111111111';
const ACCOUNT_B = '222222222222';
const FRANKFURT = 'eu-central-1';
const ROLE_ARN = `arn:aws:iam::${ACCOUNT_A}:role/relay-copy-object`;
const SESSION_ARN = `arn:aws:sts::${ACCOUNT_A}:assumed-role/relay-copy-object/copy-session`;
const ROLE_KEY = { accessKeyId: 'AKIALOCALRELAYROLE', secretAccessKey: 'local-secret' } as const;
const ADMIN_B_KEY = { accessKeyId: 'AKIALOCALADMINB', secretAccessKey: 'local-secret' } as const;
const TARGET_B = 'target-of-account-b';
const SOURCE_A = 'source-of-account-a';

/** The relay-like role's identity policy: write any target, read the source. */
const ROLE_POLICY = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::*/releases/*' },
    { Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${SOURCE_A}/*` },
  ],
} as const;

function grantRolePutObject(bucket: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'RelayWrites',
        Effect: 'Allow',
        Principal: { AWS: ROLE_ARN },
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/releases/*`,
      },
    ],
  });
}

type S3Failure = Error & { $metadata?: { httpStatusCode?: number } };

async function rejection(promise: Promise<unknown>): Promise<S3Failure> {
  try {
    await promise;
  } catch (err) {
    return err as S3Failure;
  }
  throw new Error('expected the call to fail');
}

function clientFor(
  stack: { readonly endpoint: string },
  key: typeof ROLE_KEY | typeof ADMIN_B_KEY,
  region: string,
) {
  return new S3Client({ endpoint: stack.endpoint, region, forcePathStyle: true, credentials: key });
}

describe('bucket owners and bucket policies on the local S3', () => {
  let stack: TestStack;
  let adminA: S3Client;
  let adminB: S3Client;
  let role: S3Client;

  beforeAll(async () => {
    stack = await startTestStack({
      accountId: ACCOUNT_A,
      iam: {
        principals: [{ ...ROLE_KEY, arn: SESSION_ARN, account: ACCOUNT_A, policies: [ROLE_POLICY] }],
        administrators: [{ accessKeyId: ADMIN_B_KEY.accessKeyId, account: ACCOUNT_B }],
      },
    });
    adminA = stack.s3Client(FRANKFURT);
    adminB = clientFor(stack, ADMIN_B_KEY, FRANKFURT);
    role = clientFor(stack, ROLE_KEY, FRANKFURT);
    const inFrankfurt = { CreateBucketConfiguration: { LocationConstraint: FRANKFURT } } as const;
    await adminB.send(new CreateBucketCommand({ Bucket: TARGET_B, ...inFrankfurt }));
    await adminA.send(new CreateBucketCommand({ Bucket: SOURCE_A, ...inFrankfurt }));
  });

  afterAll(async () => {
    adminB?.destroy();
    role?.destroy();
    await stack?.dispose();
  });

  it("lists a second account's bucket for that account only", async () => {
    // Arrange
    const names = (list: ListBucketsCommandOutput) => (list.Buckets ?? []).map((b) => b.Name);

    // Act
    const ofB = await adminB.send(new ListBucketsCommand({}));
    const ofA = await adminA.send(new ListBucketsCommand({}));

    // Assert
    expect(names(ofB)).toEqual([TARGET_B]);
    expect(names(ofA)).toEqual([SOURCE_A]);
    expect(ofB.Owner?.ID).not.toBe(ofA.Owner?.ID);
  });

  it('answers 409 BucketAlreadyExists when another account creates a name already taken', async () => {
    // Arrange
    const again = new CreateBucketCommand({
      Bucket: TARGET_B,
      CreateBucketConfiguration: { LocationConstraint: FRANKFURT },
    });

    // Act
    const err = await rejection(adminA.send(again));

    // Assert
    expect(err.name).toBe('BucketAlreadyExists');
    expect(err.$metadata?.httpStatusCode).toBe(409);
  });

  it("denies the role a PutObject into the other account's bucket without a bucket policy", async () => {
    // Arrange
    const put = new PutObjectCommand({ Bucket: TARGET_B, Key: 'releases/app.zip', Body: 'bundle' });

    // Act
    const err = await rejection(role.send(put));

    // Assert
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toBe(
      `User: ${SESSION_ARN} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::${TARGET_B}/releases/app.zip" because no resource-based policy allows the s3:PutObject action`,
    );
    expect(stack.s3.authorizationLog().at(-1)).toMatchObject({
      operation: 'PutObject',
      action: 's3:PutObject',
      decision: 'ImplicitDeny',
    });
  });

  it("lets the role write into the other account's bucket once its policy grants the role", async () => {
    // Arrange
    await adminB.send(new PutBucketPolicyCommand({ Bucket: TARGET_B, Policy: grantRolePutObject(TARGET_B) }));

    // Act
    const put = await role.send(
      new PutObjectCommand({ Bucket: TARGET_B, Key: 'releases/app.zip', Body: 'bundle' }),
    );

    // Assert
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(stack.s3.authorizationLog().at(-1)).toMatchObject({
      operation: 'PutObject',
      resource: `arn:aws:s3:::${TARGET_B}/releases/app.zip`,
      decision: 'Allow',
    });
  });

  it('answers 403 when ExpectedBucketOwner names another account than the bucket owner', async () => {
    // Arrange
    const write = (expected: string) =>
      role.send(
        new PutObjectCommand({
          Bucket: TARGET_B,
          Key: 'releases/owned.zip',
          Body: 'bundle',
          ExpectedBucketOwner: expected,
        }),
      );

    // Act
    const err = await rejection(write(ACCOUNT_A));
    const ok = await write(ACCOUNT_B);

    // Assert
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(ok.$metadata.httpStatusCode).toBe(200);
  });

  it('lets an explicit Deny in a bucket policy win over an identity Allow', async () => {
    // Arrange
    await adminA.send(new PutObjectCommand({ Bucket: SOURCE_A, Key: 'secret/key.pem', Body: 'pem' }));
    await adminA.send(
      new PutBucketPolicyCommand({
        Bucket: SOURCE_A,
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Deny',
              Principal: { AWS: ROLE_ARN },
              Action: 's3:GetObject',
              Resource: `arn:aws:s3:::${SOURCE_A}/secret/*`,
            },
          ],
        }),
      }),
    );

    // Act
    const err = await rejection(role.send(new GetObjectCommand({ Bucket: SOURCE_A, Key: 'secret/key.pem' })));

    // Assert
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toBe(
      `User: ${SESSION_ARN} is not authorized to perform: s3:GetObject on resource: "arn:aws:s3:::${SOURCE_A}/secret/key.pem" with an explicit deny in a resource-based policy`,
    );
  });

  it('answers GetBucketPolicy with 404 NoSuchBucketPolicy once the policy is deleted', async () => {
    // Arrange
    await adminA.send(new PutBucketPolicyCommand({ Bucket: SOURCE_A, Policy: grantRolePutObject(SOURCE_A) }));

    // Act
    const deleted = await adminA.send(new DeleteBucketPolicyCommand({ Bucket: SOURCE_A }));
    const err = await rejection(adminA.send(new GetBucketPolicyCommand({ Bucket: SOURCE_A })));

    // Assert
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect(err.name).toBe('NoSuchBucketPolicy');
    expect(err.$metadata?.httpStatusCode).toBe(404);
  });

  it('answers 400 MalformedPolicy for a policy naming another bucket', async () => {
    // Arrange
    const policy = grantRolePutObject('some-other-bucket');

    // Act
    const err = await rejection(
      adminB.send(new PutBucketPolicyCommand({ Bucket: TARGET_B, Policy: policy })),
    );

    // Assert
    expect(err.name).toBe('MalformedPolicy');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe('Policy has invalid resource');
  });

  it("answers 405 MethodNotAllowed when another account's administrator reads a bucket's policy", async () => {
    // Arrange
    const read = new GetBucketPolicyCommand({ Bucket: TARGET_B });

    // Act
    const err = await rejection(adminA.send(read));

    // Assert
    expect(err.$metadata?.httpStatusCode).toBe(405);
  });
});

describe('bucket owners and policies across a restart of the local stack', () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'relay-bucket-policy-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the owner and the policy of a bucket', async () => {
    // Arrange
    const options = {
      port: 0,
      dataDir,
      accountId: ACCOUNT_A,
      iam: { administrators: [{ accessKeyId: ADMIN_B_KEY.accessKeyId, account: ACCOUNT_B }] },
    };
    const first = await startLocalStack(options);
    const before = clientFor(first, ADMIN_B_KEY, 'us-east-1');
    await before.send(new CreateBucketCommand({ Bucket: TARGET_B }));
    await before.send(new PutBucketPolicyCommand({ Bucket: TARGET_B, Policy: grantRolePutObject(TARGET_B) }));
    before.destroy();
    await first.stop();

    // Act
    const second = await startLocalStack(options);
    const after = clientFor(second, ADMIN_B_KEY, 'us-east-1');
    const policy = await after.send(new GetBucketPolicyCommand({ Bucket: TARGET_B }));
    const listed = await after.send(new ListBucketsCommand({}));
    after.destroy();
    await second.stop();

    // Assert
    expect(policy.Policy).toBe(grantRolePutObject(TARGET_B));
    expect((listed.Buckets ?? []).map((b) => b.Name)).toEqual([TARGET_B]);
  });
});

const awsCli = findAwsCliV2();

// Skipped only where no AWS CLI v2 is installed (a developer machine); .ci/run installs it and requires it.
describe.skipIf(!awsCli)('bucket policies through the AWS CLI v2', () => {
  const cli = awsCli ?? 'aws';
  let stack: TestStack;
  let workDir: string;

  beforeAll(async () => {
    stack = await startTestStack({ accountId: ACCOUNT_A });
    workDir = await mkdtemp(join(tmpdir(), 'relay-bucket-policy-cli-'));
  });

  afterAll(async () => {
    await stack?.dispose();
    await rm(workDir, { recursive: true, force: true });
  });

  it('puts a policy from a file and gets it back', async () => {
    // Arrange
    const file = join(workDir, 'policy.json');
    await writeFile(file, grantRolePutObject('cli-policy-bucket'));
    const mb = await runAwsCli(cli, stack.endpoint, ['s3', 'mb', 's3://cli-policy-bucket']);
    expect(mb.exitCode, mb.stderr).toBe(0);

    // Act
    const put = await runAwsCli(cli, stack.endpoint, [
      's3api',
      'put-bucket-policy',
      '--bucket',
      'cli-policy-bucket',
      '--policy',
      `file://${file}`,
    ]);
    const get = await runAwsCli(cli, stack.endpoint, [
      's3api',
      'get-bucket-policy',
      '--bucket',
      'cli-policy-bucket',
    ]);

    // Assert
    expect(put.exitCode, put.stderr).toBe(0);
    expect(get.exitCode, get.stderr).toBe(0);
    expect(JSON.parse((JSON.parse(get.stdout) as { Policy: string }).Policy)).toEqual(
      JSON.parse(grantRolePutObject('cli-policy-bucket')),
    );
  });
});
