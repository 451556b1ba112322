/**
 * Key policies enforced when the local S3 uses an SSE-KMS key for a registered principal: S3 asks
 * the local KMS on the principal's behalf (kms:GenerateDataKey to write, kms:Decrypt to read) with
 * the request context S3 gives KMS on AWS, and KMS decides with the key policy and the principal's
 * identity policies. Account administrators (the test credentials, and an administrator of a
 * second account) manage keys and buckets unevaluated.
 */
import { randomBytes } from 'node:crypto';
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatementJson } from '../../../core/permissions/policy-document.ts';
import type { PrincipalRegistration } from '../../../local/index.ts';
import { findAwsCliV2, runAwsCli } from '../../helpers/aws-cli.ts';
import { startTestStack, type TestStack } from '../../helpers/local-stack.ts';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const OREGON = 'us-west-2';
const BUCKET = 'kms-auth-artifacts';
const SECRET = 'local-secret';
const OTHER_ADMIN = 'AKIAOTHERACCOUNTADMIN';

const sessionArn = (name: string) => `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/session`;
const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

const S3_ACCESS: PolicyStatementJson = {
  Effect: 'Allow',
  Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
};

/** A role allowed S3 on the bucket and the KMS statement given. */
function role(name: string, kms: PolicyStatementJson): PrincipalRegistration {
  const policy: PolicyDocument = { Version: '2012-10-17', Statement: [S3_ACCESS, kms] };
  return {
    accessKeyId: `AKIA${name.toUpperCase().replace(/-/g, '')}`,
    arn: sessionArn(name),
    account: ACCOUNT,
    policies: [policy],
  };
}

const KMS_ANY: PolicyStatementJson = {
  Effect: 'Allow',
  Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
  Resource: '*',
};

const ROLES = {
  reader: role('relay-reader', KMS_ANY),
  otherRegion: role('relay-other-region', {
    ...KMS_ANY,
    Condition: { StringEquals: { 'kms:ViaService': 's3.eu-central-1.amazonaws.com' } },
  }),
  otherBucket: role('relay-other-bucket', {
    ...KMS_ANY,
    Condition: { StringLike: { 'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::another-bucket/*' } },
  }),
  thisBucket: role('relay-this-bucket', {
    ...KMS_ANY,
    Condition: {
      StringEquals: { 'kms:ViaService': `s3.${OREGON}.amazonaws.com` },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': `arn:aws:s3:::${BUCKET}/*` },
    },
  }),
  generateOnly: role('relay-generate-only', {
    Effect: 'Allow',
    Action: 'kms:GenerateDataKey',
    Resource: '*',
  }),
} as const;

type Failure = Error & { Code?: string; $metadata?: { httpStatusCode?: number } };

async function rejection(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (err) {
    return err as Failure;
  }
  throw new Error('expected the call to fail');
}

describe('KMS key policies enforced when S3 uses a key', () => {
  let stack: TestStack;
  const clients: Array<{ destroy(): void }> = [];
  const s3As = (registration: PrincipalRegistration): S3Client => {
    const client = new S3Client({
      endpoint: stack.endpoint,
      region: OREGON,
      forcePathStyle: true,
      credentials: { accessKeyId: registration.accessKeyId, secretAccessKey: SECRET },
    });
    clients.push(client);
    return client;
  };
  const admin = (): S3Client => stack.s3Client(OREGON);
  const createKey = async (kms: KMSClient, policy?: PolicyDocument): Promise<string> => {
    const created = await kms.send(
      new CreateKeyCommand(policy === undefined ? {} : { Policy: JSON.stringify(policy) }),
    );
    return created.KeyMetadata?.Arn ?? '';
  };
  let n = 0;
  /** An object the administrator wrote under `keyArn`. */
  const encryptedObject = async (keyArn: string): Promise<string> => {
    const key = `objects/${++n}.zip`;
    await admin().send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: key,
        Body: randomBytes(32),
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
      }),
    );
    return key;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      accountId: ACCOUNT,
      iam: {
        principals: Object.values(ROLES),
        administrators: [{ accessKeyId: OTHER_ADMIN, account: OTHER }],
      },
    });
    await admin().send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: OREGON } }),
    );
  });

  afterAll(async () => {
    for (const client of clients) client.destroy();
    await stack?.dispose();
  });

  it('answers AccessDenied naming kms:Decrypt when the key policy neither grants the role nor delegates to the account', async () => {
    // Arrange
    const keyArn = await createKey(stack.kmsClient(OREGON), {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: roleArn('key-administrator') }, Action: 'kms:*', Resource: '*' },
      ],
    });
    const key = await encryptedObject(keyArn);
    stack.s3.clearAuthorizationLog();

    // Act
    const err = await rejection(s3As(ROLES.reader).send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));
    const head = await s3As(ROLES.reader).send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));

    // Assert
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toMatch(
      new RegExp(
        `^User: ${ROLES.reader.arn} is not authorized to perform: kms:Decrypt on resource: ${keyArn} because no .*policy allows the kms:Decrypt action$`,
      ),
    );
    expect(stack.s3.authorizationLog()).toContainEqual(
      expect.objectContaining({
        operation: 'GetObject',
        principal: ROLES.reader.arn,
        action: 'kms:Decrypt',
        resource: keyArn,
        decision: 'ImplicitDeny',
        purpose: 'kms-key',
      }),
    );
    expect(head.$metadata.httpStatusCode).toBe(200);
  });

  it('serves an SSE-KMS object to a role its identity policy allows under the default key policy', async () => {
    // Arrange
    const keyArn = await createKey(stack.kmsClient(OREGON));
    const key = await encryptedObject(keyArn);

    // Act
    const got = await s3As(ROLES.thisBucket).send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));

    // Assert
    expect(got.$metadata.httpStatusCode).toBe(200);
    expect(got.SSEKMSKeyId).toBe(keyArn);
    await got.Body?.transformToByteArray();
    expect(stack.s3.authorizationLog().at(-1)).toMatchObject({
      action: 'kms:Decrypt',
      resource: keyArn,
      decision: 'Allow',
    });
  });

  it('denies a read whose kms:ViaService condition names another region', async () => {
    // Arrange
    const key = await encryptedObject(await createKey(stack.kmsClient(OREGON)));

    // Act
    const err = await rejection(
      s3As(ROLES.otherRegion).send(new GetObjectCommand({ Bucket: BUCKET, Key: key })),
    );

    // Assert
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain('is not authorized to perform: kms:Decrypt on resource:');
    expect(err.message).toContain('because no identity-based policy allows the kms:Decrypt action');
  });

  it('denies a write whose encryption-context condition names another bucket', async () => {
    // Arrange
    const keyArn = await createKey(stack.kmsClient(OREGON));

    // Act
    const err = await rejection(
      s3As(ROLES.otherBucket).send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'objects/denied.zip',
          Body: 'bundle',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: keyArn,
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toBe(
      `User: ${ROLES.otherBucket.arn} is not authorized to perform: kms:GenerateDataKey on resource: ${keyArn} because no identity-based policy allows the kms:GenerateDataKey action`,
    );
  });

  it('writes with a key of another account whose key policy grants the role', async () => {
    // Arrange
    const otherKms = new KMSClient({
      endpoint: stack.endpoint,
      region: OREGON,
      credentials: { accessKeyId: OTHER_ADMIN, secretAccessKey: SECRET },
    });
    clients.push(otherKms);
    const keyArn = await createKey(otherKms, {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'kms:*', Resource: '*' },
        {
          Effect: 'Allow',
          Principal: { AWS: roleArn('relay-this-bucket') },
          Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
          Resource: '*',
        },
      ],
    });

    // Act
    const put = await s3As(ROLES.thisBucket).send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'objects/cross-account.zip',
        Body: 'bundle',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
      }),
    );

    // Assert
    expect(keyArn).toMatch(new RegExp(`^arn:aws:kms:${OREGON}:${OTHER}:key/`));
    expect(put.$metadata.httpStatusCode).toBe(200);
    expect(put.SSEKMSKeyId).toBe(keyArn);
  });

  it('needs kms:Decrypt for the parts of an SSE-KMS multipart upload, as S3 documents', async () => {
    // Arrange
    const keyArn = await createKey(stack.kmsClient(OREGON));
    const writer = s3As(ROLES.generateOnly);
    const created = await writer.send(
      new CreateMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'objects/multipart.zip',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: keyArn,
      }),
    );

    // Act
    const err = await rejection(
      writer.send(
        new UploadPartCommand({
          Bucket: BUCKET,
          Key: 'objects/multipart.zip',
          UploadId: created.UploadId,
          PartNumber: 1,
          Body: 'part',
        }),
      ),
    );

    // Assert
    expect(created.$metadata.httpStatusCode).toBe(200);
    expect(err.name).toBe('AccessDenied');
    expect(err.message).toContain(`kms:Decrypt on resource: ${keyArn}`);
  });

  it("answers S3's KMS.DisabledException for a disabled key the role may use", async () => {
    // Arrange
    const kms = stack.kmsClient(OREGON);
    const keyArn = await createKey(kms);
    const key = await encryptedObject(keyArn);
    await kms.send(new DisableKeyCommand({ KeyId: keyArn }));

    // Act
    const err = await rejection(s3As(ROLES.reader).send(new GetObjectCommand({ Bucket: BUCKET, Key: key })));

    // Assert
    expect(err.name).toBe('KMS.DisabledException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe(`${keyArn} is disabled.`);
  });

  it("answers S3's KMS.NotFoundException for a key ARN of another region than the bucket's", async () => {
    // Arrange
    const frankfurtKey = await createKey(stack.kmsClient('eu-central-1'));

    // Act
    const err = await rejection(
      s3As(ROLES.reader).send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: 'objects/wrong-region.zip',
          Body: 'bundle',
          ServerSideEncryption: 'aws:kms',
          SSEKMSKeyId: frankfurtKey,
        }),
      ),
    );

    // Assert
    expect(err.name).toBe('KMS.NotFoundException');
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(err.message).toBe('Invalid arn eu-central-1');
  });
});

const awsCli = findAwsCliV2();

// Skipped only where no AWS CLI v2 is installed (a developer machine); .ci/run installs it and requires it.
describe.skipIf(!awsCli)('managing key policies with the AWS CLI v2', () => {
  const cli = awsCli ?? 'aws';
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ accountId: ACCOUNT });
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('creates a key with a policy, refuses a policy the evaluator cannot decide, and schedules deletion', async () => {
    // Arrange
    const aws = (args: string[]) => runAwsCli(cli, stack.endpoint, args, OREGON);
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
    const unsupported = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
          Condition: { DateLessThan: { 'aws:CurrentTime': '2030-01-01T00:00:00Z' } },
        },
      ],
    });
    const created = await aws(['kms', 'create-key', '--policy', policy]);
    expect(created.exitCode, created.stderr).toBe(0);
    const keyId = (JSON.parse(created.stdout) as { KeyMetadata: { KeyId: string } }).KeyMetadata.KeyId;

    // Act
    const refused = await aws([
      'kms',
      'put-key-policy',
      '--key-id',
      keyId,
      '--policy-name',
      'default',
      '--policy',
      unsupported,
    ]);
    const got = await aws(['kms', 'get-key-policy', '--key-id', keyId, '--policy-name', 'default']);
    const scheduled = await aws([
      'kms',
      'schedule-key-deletion',
      '--key-id',
      keyId,
      '--pending-window-in-days',
      '7',
    ]);

    // Assert
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('MalformedPolicyDocumentException');
    expect(refused.stderr).toContain('DateLessThan');
    expect(got.exitCode, got.stderr).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ Policy: policy });
    expect(scheduled.exitCode, scheduled.stderr).toBe(0);
    expect(JSON.parse(scheduled.stdout)).toMatchObject({
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 7,
    });
  });
});
