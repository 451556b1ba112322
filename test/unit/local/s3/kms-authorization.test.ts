import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../../local/iam/evaluate.ts';
import { UnsupportedPolicy } from '../../../../local/iam/unsupported-policy.ts';
import type { KmsKeyDecision, S3Deps, S3Request } from '../../../../local/s3/context.ts';
import type { KeyRegistry } from '../../../../local/s3/encryption.ts';
import { S3Error } from '../../../../local/s3/errors.ts';
import {
  type KeyUse,
  kmsAccessDeniedMessage,
  kmsActionFor,
  s3KmsContext,
  useKmsKeys,
} from '../../../../local/s3/kms-authorization.ts';
import type { S3Operation } from '../../../../local/s3/router.ts';

describe('the KMS action S3 calls for an operation', () => {
  it.each([
    ['PutObject', 'kms:GenerateDataKey'],
    ['CreateMultipartUpload', 'kms:GenerateDataKey'],
    ['CopyObject', 'kms:GenerateDataKey'],
    ['GetObject', 'kms:Decrypt'],
    ['UploadPart', 'kms:Decrypt'],
    ['UploadPartCopy', 'kms:Decrypt'],
    ['CompleteMultipartUpload', 'kms:Decrypt'],
  ] as const)('asks %s of the object it writes or reads: %s', (operation, action) => {
    // Act
    const chosen = kmsActionFor(operation, 'object');

    // Assert
    expect(chosen).toBe(action);
  });

  it.each(['CopyObject', 'UploadPartCopy'] as const)('asks %s to decrypt its copy source', (operation) => {
    // Act
    const chosen = kmsActionFor(operation, 'copy-source');

    // Assert
    expect(chosen).toBe('kms:Decrypt');
  });

  it('uses no key for HeadObject, which reads metadata only', () => {
    // Act
    const chosen = kmsActionFor('HeadObject', 'object');

    // Assert
    expect(chosen).toBeUndefined();
  });

  it('asks nothing of a copy source for an operation that copies none', () => {
    // Act
    const chosen = kmsActionFor('PutObject', 'copy-source');

    // Assert
    expect(chosen).toBeUndefined();
  });
});

describe('the request context S3 gives KMS', () => {
  it('names the S3 endpoint of the bucket region and the object ARN as encryption context', () => {
    // Act
    const context = s3KmsContext(
      { bucket: 'artifacts', region: 'eu-central-1', key: 'releases/app.zip' },
      false,
    );

    // Assert
    expect(context).toEqual({
      'kms:ViaService': 's3.eu-central-1.amazonaws.com',
      'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::artifacts/releases/app.zip',
      'kms:EncryptionContextKeys': ['aws:s3:arn'],
    });
  });

  it('names the bucket ARN when the object uses an S3 Bucket Key', () => {
    // Act
    const context = s3KmsContext({ bucket: 'artifacts', region: 'us-west-2', key: 'a/b' }, true);

    // Assert
    expect(context['kms:EncryptionContext:aws:s3:arn']).toBe('arn:aws:s3:::artifacts');
  });

  it('uses the partition and endpoint suffix of a China region', () => {
    // Act
    const context = s3KmsContext({ bucket: 'b', region: 'cn-north-1', key: 'k' }, false);

    // Assert
    expect(context).toMatchObject({
      'kms:ViaService': 's3.cn-north-1.amazonaws.com.cn',
      'kms:EncryptionContext:aws:s3:arn': 'arn:aws-cn:s3:::b/k',
    });
  });
});

describe('the AccessDenied message of a KMS denial', () => {
  it('names the principal, the KMS action and the key ARN, as S3 passes KMS on', () => {
    // Arrange
    const decision: Decision = {
      decision: 'ImplicitDeny',
      matched: [],
      reason: 'because no identity-based policy allows the kms:Decrypt action',
    };

    // Act
    const message = kmsAccessDeniedMessage(
      'arn:aws:sts::111122223333:assumed-role/relay/s',
      'kms:Decrypt',
      'arn:aws:kms:us-west-2:111122223333:key/k-1',
      decision,
    );

    // Assert
    expect(message).toBe(
      'User: arn:aws:sts::111122223333:assumed-role/relay/s is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-west-2:111122223333:key/k-1 because no identity-based policy allows the kms:Decrypt action',
    );
  });
});

describe('S3 using SSE-KMS keys through KMS', () => {
  const KEY = 'arn:aws:kms:us-west-2:111122223333:key/k-1';
  const principal = {
    account: '111122223333',
    arn: 'arn:aws:sts::111122223333:assumed-role/r/s',
    identityPolicies: [],
  };
  const use: KeyUse = {
    role: 'object',
    bucket: 'artifacts',
    region: 'us-west-2',
    key: 'a.zip',
    encryption: { algorithm: 'aws:kms', kmsKeyId: KEY, bucketKeyEnabled: false },
  };
  const denied: Decision = {
    decision: 'ImplicitDeny',
    matched: [],
    reason: 'because no key policy allows the kms:Decrypt action',
  };

  function setup(answer: Awaited<ReturnType<KeyRegistry['useKey']>> | Error) {
    const asked: Array<Parameters<KeyRegistry['useKey']>[0]> = [];
    const remembered: KmsKeyDecision[] = [];
    const kms: KeyRegistry = {
      useKey: async (request) => {
        asked.push(request);
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    const deps = { kms } as unknown as S3Deps;
    const request = (operation: S3Operation, evaluated: boolean) =>
      ({
        operation,
        ...(evaluated ? { caller: { principal, remember: (d: KmsKeyDecision) => remembered.push(d) } } : {}),
      }) as unknown as S3Request;
    return { asked, remembered, deps, request };
  }

  it('asks KMS for the action and context of the use, on the principal behalf, and records the decision', async () => {
    // Arrange
    const { asked, remembered, deps, request } = setup({
      outcome: 'allowed',
      keyArn: KEY,
      decision: { decision: 'Allow', matched: [], reason: 'allowed by the key policy' },
    });

    // Act
    await useKmsKeys(deps, request('GetObject', true), [use]);

    // Assert
    expect(asked).toEqual([
      {
        key: KEY,
        region: 'us-west-2',
        action: 'kms:Decrypt',
        principal,
        context: s3KmsContext(use, false),
      },
    ]);
    expect(remembered).toEqual([
      { action: 'kms:Decrypt', resource: KEY, decision: 'Allow', reason: 'allowed by the key policy' },
    ]);
  });

  it('answers 403 AccessDenied for a denied use and records it', async () => {
    // Arrange
    const { remembered, deps, request } = setup({ outcome: 'denied', keyArn: KEY, decision: denied });

    // Act
    const err = await useKmsKeys(deps, request('GetObject', true), [use]).catch((e: unknown) => e);

    // Assert
    expect(err).toBeInstanceOf(S3Error);
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(remembered.map((r) => r.decision)).toEqual(['ImplicitDeny']);
  });

  it('asks without a principal for the account administrator, and records nothing', async () => {
    // Arrange
    const { asked, remembered, deps, request } = setup({ outcome: 'allowed', keyArn: KEY });

    // Act
    await useKmsKeys(deps, request('PutObject', false), [use]);

    // Assert
    expect(asked[0]).not.toHaveProperty('principal');
    expect(asked[0]?.action).toBe('kms:GenerateDataKey');
    expect(remembered).toEqual([]);
  });

  it("passes an unusable key on as S3's KMS error", async () => {
    // Arrange
    const { deps, request } = setup({
      outcome: 'unusable',
      code: 'DisabledException',
      message: `${KEY} is disabled.`,
    });

    // Act
    const err = await useKmsKeys(deps, request('GetObject', true), [use]).catch((e: unknown) => e);

    // Assert
    expect(err).toMatchObject({ code: 'KMS.DisabledException', status: 400, message: `${KEY} is disabled.` });
  });

  it('asks nothing for HeadObject or an SSE-S3 object', async () => {
    // Arrange
    const { asked, deps, request } = setup({ outcome: 'allowed', keyArn: KEY });

    // Act
    await useKmsKeys(deps, request('HeadObject', true), [use]);
    await useKmsKeys(deps, request('GetObject', true), [{ ...use, encryption: { algorithm: 'AES256' } }]);

    // Assert
    expect(asked).toEqual([]);
  });

  it('answers 501 NotImplemented for a policy outside the evaluator grammar', async () => {
    // Arrange
    const { deps, request } = setup(new UnsupportedPolicy('the condition operator DateLessThan'));

    // Act
    const err = await useKmsKeys(deps, request('GetObject', true), [use]).catch((e: unknown) => e);

    // Assert
    expect(err).toMatchObject({ code: 'NotImplemented', status: 501 });
  });
});
