/**
 * The local KMS through @aws-sdk/client-kms and the AWS CLI v2, and the local S3 consulting it on
 * SSE-KMS writes and reads, as S3 does.
 */
import { randomBytes } from 'node:crypto';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GetKeyPolicyCommand,
  type KMSClient,
  KMSInvalidStateException,
  ListAliasesCommand,
  NotFoundException,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAwsCliV2, runAwsCli } from '../../helpers/aws-cli.ts';
import { startTestStack, type TestStack } from '../../helpers/local-stack.ts';

const SEOUL = 'ap-northeast-2';
const OREGON = 'us-west-2';

async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}

describe('the local KMS', () => {
  let stack: TestStack;
  let kms: KMSClient;
  let s3: S3Client;
  let n = 0;
  const bucket = async (): Promise<string> => {
    const name = `kms-bucket-${++n}`;
    await s3.send(
      new CreateBucketCommand({ Bucket: name, CreateBucketConfiguration: { LocationConstraint: SEOUL } }),
    );
    return name;
  };
  const newKey = async (): Promise<string> => {
    const created = await kms.send(new CreateKeyCommand({ Description: 'test' }));
    return created.KeyMetadata?.Arn ?? '';
  };
  const putWith = (Bucket: string, SSEKMSKeyId: string, Key = 'artifact.zip') =>
    s3.send(
      new PutObjectCommand({
        Bucket,
        Key,
        Body: randomBytes(64),
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId,
      }),
    );

  beforeAll(async () => {
    stack = await startTestStack();
    kms = stack.kmsClient(SEOUL);
    s3 = stack.s3Client(SEOUL);
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('creates, describes, aliases and keeps the key policy of a key through the SDK', async () => {
    // Arrange
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${stack.accountId}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });

    // Act
    const created = await kms.send(new CreateKeyCommand({ Description: 'artifacts in Seoul' }));
    const keyId = created.KeyMetadata?.KeyId ?? '';
    await kms.send(new CreateAliasCommand({ AliasName: 'alias/relay-sdk', TargetKeyId: keyId }));
    await kms.send(new PutKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default', Policy: policy }));
    const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/relay-sdk' }));
    const got = await kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
    const aliases = await kms.send(new ListAliasesCommand({ KeyId: keyId }));

    // Assert
    expect(created.KeyMetadata?.Arn).toBe(`arn:aws:kms:${SEOUL}:${stack.accountId}:key/${keyId}`);
    expect(described.KeyMetadata).toMatchObject({ KeyId: keyId, KeyState: 'Enabled', Enabled: true });
    expect(described.KeyMetadata?.CreationDate).toBeInstanceOf(Date);
    expect(got.Policy).toBe(policy);
    expect(aliases.Aliases?.map((a) => a.AliasName)).toEqual(['alias/relay-sdk']);
  });

  it('raises the modelled NotFoundException for a key another region holds', async () => {
    // Arrange
    const oregonKey = await stack
      .kmsClient(OREGON)
      .send(new CreateKeyCommand({}))
      .then((r) => r.KeyMetadata?.KeyId ?? '');

    // Act
    const err = await rejection(kms.send(new DescribeKeyCommand({ KeyId: oregonKey })));

    // Assert
    expect(err).toBeInstanceOf(NotFoundException);
  });

  it('makes S3 refuse a write with a disabled key with KMS.DisabledException, and accept it once enabled again', async () => {
    // Arrange
    const target = await bucket();
    const key = await newKey();
    await kms.send(new DisableKeyCommand({ KeyId: key }));

    // Act
    const refused = await rejection(putWith(target, key));
    await kms.send(new EnableKeyCommand({ KeyId: key }));
    const accepted = await putWith(target, key);

    // Assert
    expect(refused.name).toBe('KMS.DisabledException');
    expect(refused.message).toBe(`${key} is disabled.`);
    expect(refused.$metadata?.httpStatusCode).toBe(400);
    expect(accepted.SSEKMSKeyId).toBe(key);
  });

  it('makes S3 refuse a key of another region, and a key nobody created, with KMS.NotFoundException', async () => {
    // Arrange
    const target = await bucket();
    const oregonKey = (await stack.kmsClient(OREGON).send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
    const never = `arn:aws:kms:${SEOUL}:${stack.accountId}:key/0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40`;

    // Act
    const foreign = await rejection(putWith(target, oregonKey));
    const unknown = await rejection(putWith(target, never));

    // Assert
    expect(foreign.name).toBe('KMS.NotFoundException');
    expect(unknown.name).toBe('KMS.NotFoundException');
    expect(unknown.message).toContain(never);
  });

  it('refuses every SSE-KMS write with a key pending deletion: PutObject, CopyObject and CreateMultipartUpload', async () => {
    // Arrange
    const target = await bucket();
    const key = await newKey();
    await s3.send(new PutObjectCommand({ Bucket: target, Key: 'plain', Body: 'x' }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));

    // Act
    const errors = await Promise.all([
      rejection(putWith(target, key)),
      rejection(
        s3.send(
          new CopyObjectCommand({
            Bucket: target,
            Key: 'copy',
            CopySource: `${target}/plain`,
            ServerSideEncryption: 'aws:kms',
            SSEKMSKeyId: key,
          }),
        ),
      ),
      rejection(
        s3.send(
          new CreateMultipartUploadCommand({
            Bucket: target,
            Key: 'mp',
            ServerSideEncryption: 'aws:kms',
            SSEKMSKeyId: key,
          }),
        ),
      ),
    ]);

    // Assert
    expect(errors.map((e) => e.name)).toEqual(Array(3).fill('KMS.KMSInvalidStateException'));
    expect(errors[0]?.message).toBe(`${key} is pending deletion.`);
  });

  it('refuses to GET an object whose key was disabled but still answers HEAD, as S3 does', async () => {
    // Arrange
    const source = await bucket();
    const key = await newKey();
    await putWith(source, key, 'kept.zip');
    await kms.send(new DisableKeyCommand({ KeyId: key }));

    // Act
    const get = await rejection(s3.send(new GetObjectCommand({ Bucket: source, Key: 'kept.zip' })));
    const copy = await rejection(
      s3.send(new CopyObjectCommand({ Bucket: source, Key: 'copied.zip', CopySource: `${source}/kept.zip` })),
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: source, Key: 'kept.zip' }));

    // Assert
    expect(get.name).toBe('KMS.DisabledException');
    expect(copy.name).toBe('KMS.DisabledException');
    expect(head.SSEKMSKeyId).toBe(key);
  });

  it('creates the AWS managed aws/s3 key when S3 first uses it', async () => {
    // Arrange
    const target = await bucket();

    // Act
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: target,
        Key: 'default-key',
        Body: 'x',
        ServerSideEncryption: 'aws:kms',
      }),
    );
    const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }));

    // Assert
    expect(put.SSEKMSKeyId).toBe(`arn:aws:kms:${SEOUL}:${stack.accountId}:alias/aws/s3`);
    expect(described.KeyMetadata?.KeyManager).toBe('AWS');
  });

  it('creates a key under the id an ARN names, as relay local does for a configuration', async () => {
    // Arrange
    const arn = `arn:aws:kms:${SEOUL}:${stack.accountId}:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18`;

    // Act
    await stack.createKmsKey(arn);
    await stack.createKmsKey(arn);
    const described = await kms.send(new DescribeKeyCommand({ KeyId: arn }));

    // Assert
    expect(described.KeyMetadata?.Arn).toBe(arn);
  });

  it('refuses to enable a key pending deletion with the modelled KMSInvalidStateException', async () => {
    // Arrange
    const key = await newKey();
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key, PendingWindowInDays: 7 }));

    // Act
    const err = await rejection(kms.send(new EnableKeyCommand({ KeyId: key })));

    // Assert
    expect(err).toBeInstanceOf(KMSInvalidStateException);
  });
});

const awsCli = findAwsCliV2();

// Skipped only where no AWS CLI v2 is installed (a developer machine); .ci/run installs it and requires it.
describe.skipIf(!awsCli)('the local KMS through the AWS CLI v2', () => {
  const cli = awsCli ?? 'aws';
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });

  afterAll(async () => {
    await stack?.dispose();
  });

  it('creates, disables and describes a key, and S3 then refuses it', async () => {
    // Arrange
    const aws = (args: string[]) => runAwsCli(cli, stack.endpoint, args, SEOUL);
    const created = await aws(['kms', 'create-key', '--description', 'cli key']);
    expect(created.exitCode, created.stderr).toBe(0);
    const keyId = (JSON.parse(created.stdout) as { KeyMetadata: { KeyId: string; Arn: string } }).KeyMetadata;
    const mb = await aws(['s3', 'mb', 's3://kms-cli-bucket']);
    expect(mb.exitCode, mb.stderr).toBe(0);

    // Act
    const disabled = await aws(['kms', 'disable-key', '--key-id', keyId.KeyId]);
    const described = await aws(['kms', 'describe-key', '--key-id', keyId.Arn]);
    const put = await aws([
      's3api',
      'put-object',
      '--bucket',
      'kms-cli-bucket',
      '--key',
      'a.txt',
      '--server-side-encryption',
      'aws:kms',
      '--ssekms-key-id',
      keyId.Arn,
    ]);

    // Assert
    expect(disabled.exitCode, disabled.stderr).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      KeyMetadata: { KeyState: 'Disabled', Enabled: false },
    });
    expect(put.exitCode).not.toBe(0);
    expect(put.stderr).toContain('KMS.DisabledException');
  });
});
