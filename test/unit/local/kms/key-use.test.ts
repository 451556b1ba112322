import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../../../core/permissions/policy-document.ts';
import { type Principal, PrincipalRegistry } from '../../../../local/iam/principals.ts';
import { KmsService } from '../../../../local/kms/service.ts';
import type { RequestContext } from '../../../../local/types.ts';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const REGION = 'us-west-2';
const ADMIN_KEY = 'AKIAOTHERADMIN';
const ROLE = `arn:aws:sts::${ACCOUNT}:assumed-role/relay-copy/session`;
const VIA_S3 = {
  'kms:ViaService': `s3.${REGION}.amazonaws.com`,
  'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::artifacts/app.zip',
  'kms:EncryptionContextKeys': ['aws:s3:arn'],
};

const allowKms = (action: string, condition?: PolicyDocument['Statement']): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: condition ?? [{ Effect: 'Allow', Action: action, Resource: '*' }],
});

const role = (policies: readonly PolicyDocument[]): Principal => ({
  account: ACCOUNT,
  arn: ROLE,
  identityPolicies: policies,
});

describe('KMS deciding S3 key use on a principal behalf', () => {
  let dir: string;
  let kms: KmsService;
  const ctx = (accessKeyId?: string): RequestContext => ({
    region: REGION,
    requestId: 'R',
    accountId: ACCOUNT,
    ...(accessKeyId !== undefined ? { accessKeyId } : {}),
  });
  const createKey = async (input: Record<string, unknown> = {}, accessKeyId?: string) =>
    (
      (await kms.handle('CreateKey', input, ctx(accessKeyId))) as {
        KeyMetadata: { Arn: string; KeyId: string };
      }
    ).KeyMetadata;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kms-key-use-'));
    kms = new KmsService({
      dataDir: dir,
      accountId: ACCOUNT,
      principals: new PrincipalRegistry([], [{ accessKeyId: ADMIN_KEY, account: OTHER }]),
    });
    await kms.init();
  });

  afterEach(async () => {
    await kms.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('allows a use the default key policy delegates to an identity policy that allows it', async () => {
    // Arrange
    const key = await createKey();

    // Act
    const answer = await kms.useKey({
      key: key.Arn,
      region: REGION,
      action: 'kms:Decrypt',
      principal: role([allowKms('kms:Decrypt')]),
      context: VIA_S3,
    });

    // Assert
    expect(answer).toMatchObject({ outcome: 'allowed', keyArn: key.Arn, decision: { decision: 'Allow' } });
  });

  it('denies a use no identity policy allows, naming the action', async () => {
    // Arrange
    const key = await createKey();

    // Act
    const answer = await kms.useKey({
      key: key.Arn,
      region: REGION,
      action: 'kms:GenerateDataKey',
      principal: role([allowKms('kms:Decrypt')]),
      context: VIA_S3,
    });

    // Assert
    expect(answer).toMatchObject({
      outcome: 'denied',
      decision: {
        decision: 'ImplicitDeny',
        reason: 'because no identity-based policy allows the kms:GenerateDataKey action',
      },
    });
  });

  it('gives the key policy kms:CallerAccount and kms:ResourceAliases', async () => {
    // Arrange
    const key = await createKey({
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: '*',
            Action: 'kms:Decrypt',
            Resource: '*',
            Condition: {
              StringEquals: { 'kms:CallerAccount': ACCOUNT },
              'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/relay' },
            },
          },
        ],
      }),
    });
    const use = { key: key.Arn, region: REGION, action: 'kms:Decrypt', principal: role([]), context: VIA_S3 };
    const before = await kms.useKey(use);
    await kms.handle('CreateAlias', { AliasName: 'alias/relay', TargetKeyId: key.KeyId }, ctx());

    // Act
    const after = await kms.useKey(use);

    // Assert
    expect(before.outcome).toBe('denied');
    expect(after.outcome).toBe('allowed');
  });

  it('creates a key in the account of the administrator whose access key signed CreateKey', async () => {
    // Act
    const key = await createKey({}, ADMIN_KEY);

    // Assert
    expect(key.Arn).toBe(`arn:aws:kms:${REGION}:${OTHER}:key/${key.KeyId}`);
  });

  it('lets S3 use a key of another account named by ARN when its key policy grants the role', async () => {
    // Arrange
    const key = await createKey(
      {
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${OTHER}:root` },
              Action: 'kms:*',
              Resource: '*',
            },
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/relay-copy` },
              Action: 'kms:GenerateDataKey',
              Resource: '*',
            },
          ],
        }),
      },
      ADMIN_KEY,
    );

    // Act
    const granted = await kms.useKey({
      key: key.Arn,
      region: REGION,
      action: 'kms:GenerateDataKey',
      principal: role([allowKms('kms:GenerateDataKey')]),
      context: VIA_S3,
    });
    const withoutIdentity = await kms.useKey({
      key: key.Arn,
      region: REGION,
      action: 'kms:GenerateDataKey',
      principal: role([]),
      context: VIA_S3,
    });

    // Assert
    expect(granted.outcome).toBe('allowed');
    expect(withoutIdentity.outcome).toBe('denied');
  });

  it('decides authorization before the key state, and refuses a disabled key to an allowed principal', async () => {
    // Arrange
    const key = await createKey();
    await kms.handle('DisableKey', { KeyId: key.KeyId }, ctx());

    // Act
    const allowed = await kms.useKey({
      key: key.Arn,
      region: REGION,
      action: 'kms:Decrypt',
      principal: role([allowKms('kms:Decrypt')]),
    });
    const notAllowed = await kms.useKey({
      key: key.Arn,
      region: REGION,
      action: 'kms:Decrypt',
      principal: role([]),
    });
    const administrator = await kms.useKey({ key: key.Arn, region: REGION, action: 'kms:Decrypt' });

    // Assert
    expect(allowed).toEqual({
      outcome: 'unusable',
      code: 'DisabledException',
      message: `${key.Arn} is disabled.`,
    });
    expect(notAllowed.outcome).toBe('denied');
    expect(administrator.outcome).toBe('unusable');
  });

  it('answers NotFoundException for a key that does not exist, without evaluating', async () => {
    // Act
    const answer = await kms.useKey({
      key: `arn:aws:kms:${REGION}:${OTHER}:key/0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40`,
      region: REGION,
      action: 'kms:Decrypt',
      principal: role([]),
    });

    // Assert
    expect(answer).toMatchObject({ outcome: 'unusable', code: 'NotFoundException' });
  });
});
