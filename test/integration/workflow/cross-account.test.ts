import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBucket,
  createKmsKey,
  type OtherAccounts,
  provisionConfig,
} from '../../../cli/local-relay/provision.ts';
import { parseConfig } from '../../../core/config/parse.ts';
import { PLANNED_ROLES } from '../../../core/permissions/plan.ts';
import { localRoleArn } from '../../../local/relay-handlers.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { relayOutput, resultFor, startWorkflowHarness, type WorkflowHarness } from './harness.ts';

/**
 * A target bucket (and its KMS key) owned by another account, on the local stack with every policy
 * enforced: the relay's roles hold the identity side; the target account's bucket policy and key policy
 * must allow them too (IAM's cross-account rule). `relay local` provisions such a target the way the README
 * tells a target account to set it up; without those statements the target fails, saying which statement to
 * add and where.
 */

const SOURCE_REGION = 'us-west-2';
const TARGET_REGION = 'eu-central-1';
const OTHER_ACCOUNT = '222233334444';

describe('a target in another account (local stack, bucket and key policies enforced)', () => {
  let h: WorkflowHarness;
  let others: OtherAccounts;

  beforeAll(async () => {
    h = await startWorkflowHarness();
    const administrator = {
      accessKeyId: `admin-${OTHER_ACCOUNT}`,
      secretAccessKey: randomBytes(24).toString('base64'),
    };
    h.stack.principals.registerAdministrator({ ...administrator, account: OTHER_ACCOUNT });
    others = {
      credentialsFor: () => administrator,
      roleArns: Object.fromEntries(
        PLANNED_ROLES.map((role) => [role, localRoleArn(h.stack.accountId, role)]),
      ),
    };
  });

  afterAll(async () => {
    await h?.dispose();
  });

  function configFor(prefix: string, encrypted: boolean) {
    const source = h.name(`${prefix}-src`);
    const target = h.name(`${prefix}-dst`);
    const kmsKeyArn = `arn:aws:kms:${TARGET_REGION}:${OTHER_ACCOUNT}:key/${prefix}-${h.name('key')}`;
    const input = {
      sources: [
        {
          bucket: source,
          region: SOURCE_REGION,
          rules: [
            {
              name: 'web',
              prefix: 'build_artifacts/',
              suffix: '.zip',
              targets: [
                {
                  bucket: target,
                  region: TARGET_REGION,
                  account: OTHER_ACCOUNT,
                  ...(encrypted ? { encryption: { type: 'aws:kms' as const, kmsKeyArn } } : {}),
                },
              ],
            },
          ],
        },
      ],
    };
    return { source, target, kmsKeyArn, input, config: parseConfig(input, 'cross-account test') };
  }

  async function relayOnce(relayInput: Parameters<WorkflowHarness['deploy']>[0], source: string) {
    const relay = await h.deploy(relayInput);
    await h.put(SOURCE_REGION, {
      Bucket: source,
      Key: 'build_artifacts/web.zip',
      Body: await zipWithAppspec(),
    });
    const [execution] = await relay.settle();
    return execution;
  }

  it("relays to another account's bucket and key once their policies grant the relay's roles, as relay local sets them up", async () => {
    // Arrange
    const { source, target, kmsKeyArn, input, config } = configFor('granted', true);
    const provisioned = await provisionConfig(
      h.stack.endpoint,
      config,
      h.stack.accountId,
      TEST_CREDENTIALS,
      others,
    );

    // Act
    const execution = await relayOnce(input, source);

    // Assert
    expect(provisioned.buckets.find((b) => b.bucket === target)).toMatchObject({
      account: OTHER_ACCOUNT,
      policyApplied: true,
    });
    expect(provisioned.kmsKeys).toEqual([{ arn: kmsKeyArn, created: true, policyApplied: true }]);
    expect(execution?.status).toBe('SUCCEEDED');
    expect(execution && resultFor(relayOutput(execution), target).status).toBe('copied');
    const owner = new S3Client({
      endpoint: h.stack.endpoint,
      region: TARGET_REGION,
      forcePathStyle: true,
      credentials: others.credentialsFor(OTHER_ACCOUNT),
    });
    try {
      const replica = await owner.send(
        new HeadObjectCommand({
          Bucket: target,
          Key: 'build_artifacts/web.zip',
          ExpectedBucketOwner: OTHER_ACCOUNT,
        }),
      );
      expect(replica.SSEKMSKeyId).toBe(kmsKeyArn);
    } finally {
      owner.destroy();
    }
  });

  it('fails the target when the bucket policy lacks the statements, naming the statement to add and where', async () => {
    // Arrange: the other account owns the bucket, with no bucket policy at all.
    const { source, target, input } = configFor('denied', false);
    await h.bucket(source, SOURCE_REGION);
    await createBucket(h.stack.endpoint, target, TARGET_REGION, others.credentialsFor(OTHER_ACCOUNT));

    // Act
    const execution = await relayOnce(input, source);

    // Assert
    expect(execution?.status).toBe('FAILED');
    expect(execution?.described.error).toBe('AccessDenied');
    const cause =
      (JSON.parse(execution?.described.cause ?? '{}') as { errorMessage?: string }).errorMessage ?? '';
    expect(cause).toContain(`the target bucket ${target} belongs to account ${OTHER_ACCOUNT}`);
    expect(cause).toContain(`"AWS":"${localRoleArn(h.stack.accountId, 'copy-object')}"`);
    expect(cause).toContain('relay iam cross-account');
    const denied = h.stack.s3
      .authorizationLog()
      .filter(
        (record) => record.decision !== 'Allow' && record.resource.startsWith(`arn:aws:s3:::${target}`),
      );
    expect(denied.length).toBeGreaterThan(0);
  });

  it("fails the target when the other account's key policy does not grant the relay's roles, naming the key statement", async () => {
    // Arrange: the key exists already with its default policy (its own account only), so provisioning keeps
    // it as it is; the bucket is set up as the README says.
    const { source, kmsKeyArn, input, config } = configFor('nokey', true);
    await createKmsKey(h.stack.endpoint, kmsKeyArn, others.credentialsFor(OTHER_ACCOUNT));
    const provisioned = await provisionConfig(
      h.stack.endpoint,
      config,
      h.stack.accountId,
      TEST_CREDENTIALS,
      others,
    );

    // Act
    const execution = await relayOnce(input, source);

    // Assert
    expect(provisioned.kmsKeys).toEqual([{ arn: kmsKeyArn, created: false, policyApplied: false }]);
    expect(execution?.status).toBe('FAILED');
    expect(execution?.described.error).toBe('AccessDenied');
    expect(execution?.described.cause ?? '').toContain(
      `the target key ${kmsKeyArn} belongs to account ${OTHER_ACCOUNT}`,
    );
    const denied = h.stack.s3
      .authorizationLog()
      .filter((record) => record.decision !== 'Allow' && record.resource === kmsKeyArn);
    expect(denied.map((record) => record.action)).toContain('kms:GenerateDataKey');
  });
});
