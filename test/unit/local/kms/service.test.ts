import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KmsService } from '../../../../local/kms/service.ts';
import { AwsJsonError } from '../../../../local/protocol/json.ts';
import type { RequestContext } from '../../../../local/types.ts';

const ACCOUNT = '111122223333';
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);
/** S3's use of a key for the account administrator (no principal: not evaluated). */
const use = (key: string, region: string) => ({ key, region, action: 'kms:Decrypt' });
const KEPT_POLICY =
  '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:*","Resource":"*"}]}';
const ctx = (region = 'ap-northeast-2'): RequestContext => ({ region, requestId: 'R', accountId: ACCOUNT });

interface Metadata {
  KeyId: string;
  Arn: string;
  KeyState: string;
  Enabled: boolean;
  KeyManager: string;
  DeletionDate?: Date;
}

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AwsJsonError) return err.code;
    throw err;
  }
  return undefined;
}

describe('the local KMS service', () => {
  let dir: string;
  let kms: KmsService;

  const call = async <T = Record<string, unknown>>(
    operation: string,
    input: Record<string, unknown>,
    region?: string,
  ): Promise<T> => (await kms.handle(operation, input, ctx(region))) as T;
  const createKey = async (input: Record<string, unknown> = {}, region?: string): Promise<Metadata> =>
    (await call<{ KeyMetadata: Metadata }>('CreateKey', input, region)).KeyMetadata;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-kms-'));
    kms = new KmsService({ dataDir: dir, accountId: ACCOUNT, now: () => NOW });
    await kms.init();
  });

  afterEach(async () => {
    await kms.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates an enabled symmetric key with an ARN in the signing region and the default key policy', async () => {
    // Act
    const key = await createKey({ Description: 'artifacts' });
    const policy = await call<{ Policy: string; PolicyName: string }>('GetKeyPolicy', { KeyId: key.KeyId });

    // Assert
    expect(key.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(key.Arn).toBe(`arn:aws:kms:ap-northeast-2:${ACCOUNT}:key/${key.KeyId}`);
    expect(key).toMatchObject({ KeyState: 'Enabled', Enabled: true, KeyManager: 'CUSTOMER' });
    expect(policy.PolicyName).toBe('default');
    expect(JSON.parse(policy.Policy)).toMatchObject({
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
          Action: 'kms:*',
          Resource: '*',
        },
      ],
    });
  });

  it('creates a key under the id the _custom_id_ tag asks for, once', async () => {
    // Arrange
    const tags = [{ TagKey: '_custom_id_', TagValue: '5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18' }];

    // Act
    const key = await createKey({ Tags: tags });
    const again = await codeOf(createKey({ Tags: tags }));

    // Assert
    expect(key.KeyId).toBe('5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18');
    expect(again).toBe('AlreadyExistsException');
  });

  it('describes a key by id, key ARN, alias name and alias ARN, and lists keys and aliases of the region only', async () => {
    // Arrange
    const key = await createKey();
    await createKey({}, 'us-west-2');
    await call('CreateAlias', { AliasName: 'alias/relay-seoul', TargetKeyId: key.KeyId });

    // Act
    const forms = [
      key.KeyId,
      key.Arn,
      'alias/relay-seoul',
      `arn:aws:kms:ap-northeast-2:${ACCOUNT}:alias/relay-seoul`,
    ];
    const described = await Promise.all(
      forms.map(
        async (KeyId) => (await call<{ KeyMetadata: Metadata }>('DescribeKey', { KeyId })).KeyMetadata.Arn,
      ),
    );
    const keys = await call<{ Keys: Array<{ KeyId: string; KeyArn: string }>; Truncated: boolean }>(
      'ListKeys',
      {},
    );
    const aliases = await call<{ Aliases: Array<{ AliasName: string; TargetKeyId: string }> }>(
      'ListAliases',
      {},
    );

    // Assert
    expect(described).toEqual([key.Arn, key.Arn, key.Arn, key.Arn]);
    expect(keys).toEqual({ Keys: [{ KeyId: key.KeyId, KeyArn: key.Arn }], Truncated: false });
    expect(aliases.Aliases).toEqual([
      expect.objectContaining({ AliasName: 'alias/relay-seoul', TargetKeyId: key.KeyId }),
    ]);
  });

  it('answers NotFoundException for an unknown key or alias and for an ARN of another region, InvalidArnException for a malformed ARN', async () => {
    // Arrange
    const other = await createKey({}, 'us-west-2');

    // Act
    const codes = await Promise.all(
      [
        '0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40',
        'alias/nothing',
        other.Arn,
        'not a key',
        'arn:aws:kms:ap-northeast-2:1:key/x',
      ].map((KeyId) => codeOf(call('DescribeKey', { KeyId }))),
    );

    // Assert
    expect(codes).toEqual([
      'NotFoundException',
      'NotFoundException',
      'NotFoundException',
      'NotFoundException',
      'InvalidArnException',
    ]);
  });

  it('disables and enables a key, and schedules its deletion with the pending window', async () => {
    // Arrange
    const key = await createKey();
    const describe = async () =>
      (await call<{ KeyMetadata: Metadata }>('DescribeKey', { KeyId: key.KeyId })).KeyMetadata;

    // Act
    await call('DisableKey', { KeyId: key.KeyId });
    const disabled = await describe();
    await call('EnableKey', { KeyId: key.Arn });
    const enabled = await describe();
    const scheduled = await call<Record<string, unknown>>('ScheduleKeyDeletion', {
      KeyId: key.KeyId,
      PendingWindowInDays: 7,
    });
    const pending = await describe();

    // Assert
    expect(disabled).toMatchObject({ KeyState: 'Disabled', Enabled: false });
    expect(enabled).toMatchObject({ KeyState: 'Enabled', Enabled: true });
    expect(scheduled).toEqual({
      KeyId: key.Arn,
      KeyState: 'PendingDeletion',
      PendingWindowInDays: 7,
      DeletionDate: new Date(NOW + 7 * 86_400_000),
    });
    expect(pending).toMatchObject({ KeyState: 'PendingDeletion', Enabled: false });
  });

  it('refuses to enable, disable, alias or re-schedule a key pending deletion with KMSInvalidStateException', async () => {
    // Arrange
    const key = await createKey();
    await call('ScheduleKeyDeletion', { KeyId: key.KeyId });

    // Act
    const codes = [
      await codeOf(call('EnableKey', { KeyId: key.KeyId })),
      await codeOf(call('DisableKey', { KeyId: key.KeyId })),
      await codeOf(call('CreateAlias', { AliasName: 'alias/late', TargetKeyId: key.KeyId })),
      await codeOf(call('ScheduleKeyDeletion', { KeyId: key.KeyId })),
    ];

    // Assert
    expect(codes).toEqual(Array(4).fill('KMSInvalidStateException'));
  });

  it('validates what AWS validates: the pending window, the key policy, alias names and the policy name', async () => {
    // Arrange
    const key = await createKey();
    await call('CreateAlias', { AliasName: 'alias/taken', TargetKeyId: key.KeyId });

    // Act
    const codes = [
      await codeOf(call('ScheduleKeyDeletion', { KeyId: key.KeyId, PendingWindowInDays: 6 })),
      await codeOf(call('PutKeyPolicy', { KeyId: key.KeyId, Policy: '{not json' })),
      await codeOf(call('GetKeyPolicy', { KeyId: key.KeyId, PolicyName: 'other' })),
      await codeOf(call('CreateAlias', { AliasName: 'alias/aws/mine', TargetKeyId: key.KeyId })),
      await codeOf(call('CreateAlias', { AliasName: 'no-prefix', TargetKeyId: key.KeyId })),
      await codeOf(call('CreateAlias', { AliasName: 'alias/taken', TargetKeyId: key.KeyId })),
      await codeOf(call('DescribeKey', {})),
      await codeOf(call('CreateKey', { KeySpec: 'RSA_2048' })),
    ];

    // Assert
    expect(codes).toEqual([
      'ValidationException',
      'MalformedPolicyDocumentException',
      'ValidationException',
      'InvalidAliasNameException',
      'InvalidAliasNameException',
      'AlreadyExistsException',
      'ValidationException',
      'UnsupportedOperationException',
    ]);
  });

  it('stores a key policy as written and returns it', async () => {
    // Arrange
    const key = await createKey();
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Sid: 'x', Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*' }],
    });

    // Act
    await call('PutKeyPolicy', { KeyId: key.KeyId, PolicyName: 'default', Policy: policy });
    const got = await call<{ Policy: string }>('GetKeyPolicy', { KeyId: key.KeyId });

    // Assert
    expect(got.Policy).toBe(policy);
  });

  it('pages ListKeys with Limit and Marker', async () => {
    // Arrange
    const created = [await createKey(), await createKey(), await createKey()];

    // Act
    const first = await call<{ Keys: Array<{ KeyId: string }>; Truncated: boolean; NextMarker: string }>(
      'ListKeys',
      {
        Limit: 2,
      },
    );
    const second = await call<{ Keys: Array<{ KeyId: string }>; Truncated: boolean }>('ListKeys', {
      Limit: 2,
      Marker: first.NextMarker,
    });

    // Assert
    expect(first.Truncated).toBe(true);
    expect([...first.Keys, ...second.Keys].map((k) => k.KeyId)).toEqual(created.map((k) => k.KeyId));
    expect(second.Truncated).toBe(false);
  });

  it('keeps keys, their state, policies and aliases across a restart on the same data directory', async () => {
    // Arrange
    const key = await createKey({ Policy: KEPT_POLICY });
    await call('DisableKey', { KeyId: key.KeyId });
    await call('CreateAlias', { AliasName: 'alias/kept', TargetKeyId: key.KeyId });
    await kms.close();

    // Act
    kms = new KmsService({ dataDir: dir, accountId: ACCOUNT, now: () => NOW });
    await kms.init();
    const described = await call<{ KeyMetadata: Metadata }>('DescribeKey', { KeyId: 'alias/kept' });
    const policy = await call<{ Policy: string }>('GetKeyPolicy', { KeyId: key.KeyId });

    // Assert
    expect(described.KeyMetadata).toMatchObject({ KeyId: key.KeyId, KeyState: 'Disabled' });
    expect(policy.Policy).toBe(KEPT_POLICY);
  });

  it('tells S3 whether a key is usable: unknown, disabled and pending deletion are not', async () => {
    // Arrange
    const key = await createKey();
    const unknown = `arn:aws:kms:ap-northeast-2:${ACCOUNT}:key/0f3c2a8e-6d4b-4b1a-9e7d-2c5f8a1b3d40`;

    // Act
    const usable = await kms.useKey(use(key.Arn, 'ap-northeast-2'));
    const missing = await kms.useKey(use(unknown, 'ap-northeast-2'));
    await call('DisableKey', { KeyId: key.KeyId });
    const disabled = await kms.useKey(use(key.Arn, 'ap-northeast-2'));
    await call('EnableKey', { KeyId: key.KeyId });
    await call('ScheduleKeyDeletion', { KeyId: key.KeyId });
    const pending = await kms.useKey(use(key.Arn, 'ap-northeast-2'));

    // Assert
    expect(usable).toEqual({ outcome: 'allowed', keyArn: key.Arn });
    expect(missing).toEqual({
      outcome: 'unusable',
      code: 'NotFoundException',
      message: `Key '${unknown}' does not exist`,
    });
    expect(disabled).toEqual({
      outcome: 'unusable',
      code: 'DisabledException',
      message: `${key.Arn} is disabled.`,
    });
    expect(pending).toEqual({
      outcome: 'unusable',
      code: 'KMSInvalidStateException',
      message: `${key.Arn} is pending deletion.`,
    });
  });

  it('creates the AWS managed aws/s3 key on first use, as KMS does, and only once', async () => {
    // Act
    const first = await kms.useKey(use(`arn:aws:kms:eu-central-1:${ACCOUNT}:alias/aws/s3`, 'eu-central-1'));
    const second = await kms.useKey(use(`arn:aws:kms:eu-central-1:${ACCOUNT}:alias/aws/s3`, 'eu-central-1'));
    const described = await call<{ KeyMetadata: Metadata }>(
      'DescribeKey',
      { KeyId: 'alias/aws/s3' },
      'eu-central-1',
    );
    const keys = await call<{ Keys: unknown[] }>('ListKeys', {}, 'eu-central-1');

    // Assert
    expect(first).toEqual(second);
    expect(described.KeyMetadata).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled' });
    expect(keys.Keys).toHaveLength(1);
  });
});
