import { DisableKeyCommand, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { type Execution, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

/**
 * KMS keys that the relay cannot use, on the local stack with the key policies enforced: each is a clear,
 * typed error on the target, saying what to fix.
 */

const SOURCE_REGION = 'us-west-2';
const TARGET_REGION = 'eu-central-1';

function errorMessage(execution: Execution | undefined): string {
  const cause = execution?.described.cause ?? '{}';
  return (JSON.parse(cause) as { errorMessage?: string }).errorMessage ?? cause;
}

describe('KMS keys the relay cannot use (local stack, key policies enforced)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    await h?.dispose();
  });

  async function relayToTarget(prefix: string, options: { targetKey?: string; sourceKey?: string }) {
    const source = h.name(`${prefix}-src`);
    const target = h.name(`${prefix}-dst`);
    await h.bucket(source, SOURCE_REGION);
    await h.bucket(target, TARGET_REGION);
    const relay = await h.deploy({
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'all',
              targets: [
                {
                  bucket: target,
                  region: TARGET_REGION,
                  ...(options.targetKey === undefined
                    ? {}
                    : { encryption: { type: 'aws:kms' as const, kmsKeyArn: options.targetKey } }),
                },
              ],
            },
          ],
        },
      ],
    });
    await h.put(SOURCE_REGION, {
      Bucket: source,
      Key: 'build_artifacts/web.zip',
      Body: await zipWithAppspec(),
      ...(options.sourceKey === undefined
        ? {}
        : { ServerSideEncryption: 'aws:kms' as const, SSEKMSKeyId: options.sourceKey }),
    });
    const [execution] = await relay.settle();
    return execution;
  }

  it('fails a target whose key is disabled with KmsKeyUnusable, naming the key and the command that enables it', async () => {
    // Arrange
    const key = `arn:aws:kms:${TARGET_REGION}:${h.stack.accountId}:key/${h.name('disabled')}`;
    await h.stack.createKmsKey(key);
    await h.stack.kmsClient(TARGET_REGION).send(new DisableKeyCommand({ KeyId: key }));

    // Act
    const execution = await relayToTarget('disabled', { targetKey: key });

    // Assert
    expect(execution?.status).toBe('FAILED');
    expect(execution?.described.error).toBe('KmsKeyUnusable');
    expect(errorMessage(execution)).toContain(`aws kms enable-key --key-id ${key}`);
  });

  it("fails a target whose source object's key policy does not let the relay's roles decrypt, naming kms:Decrypt", async () => {
    // Arrange: a customer managed key whose policy grants only its administrator, not the account root, so
    // the relay's identity policy (kms:Decrypt via S3) is not enough.
    const key = `arn:aws:kms:${SOURCE_REGION}:${h.stack.accountId}:key/${h.name('locked')}`;
    await h.stack.createKmsKey(key);
    const kms = h.stack.kmsClient(SOURCE_REGION);
    const current = await kms.send(new GetKeyPolicyCommand({ KeyId: key, PolicyName: 'default' }));
    expect(current.Policy).toContain(':root');
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId: key,
        PolicyName: 'default',
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OnlyTheKeyAdministrator',
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${h.stack.accountId}:role/KeyAdministrator` },
              Action: 'kms:*',
              Resource: '*',
            },
          ],
        }),
      }),
    );
    h.stack.s3.clearAuthorizationLog();

    // Act
    const execution = await relayToTarget('locked', { sourceKey: key });

    // Assert
    expect(execution?.status).toBe('FAILED');
    expect(execution?.described.error).toBe('AccessDenied');
    expect(errorMessage(execution)).toContain('kms:Decrypt');
    const denied = h.stack.s3.authorizationLog().filter((r) => r.decision !== 'Allow');
    expect(denied.map((r) => `${r.action} ${r.resource}`)).toContain(`kms:Decrypt ${key}`);
  });
});
