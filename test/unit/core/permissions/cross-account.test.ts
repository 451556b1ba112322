import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import type { RelayConfig } from '../../../../core/config/schema.ts';
import {
  accountOfRoleArn,
  crossAccountGrants,
  roleArnPlaceholder,
} from '../../../../core/permissions/cross-account.ts';
import { planPermissions } from '../../../../core/permissions/plan.ts';
import type { PolicyStatementJson } from '../../../../core/permissions/policy-document.ts';

const RELAY = '111122223333';
const OTHER = '222233334444';
const COPY_ROLE = `arn:aws:iam::${RELAY}:role/relay-copy`;
const VERIFY_ROLE = `arn:aws:iam::${RELAY}:role/relay-verify`;
const KEY = `arn:aws:kms:eu-west-1:${OTHER}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function withTargets(targets: unknown[]): RelayConfig {
  return parseConfig(
    {
      sources: [
        {
          bucket: 'src-bucket',
          region: 'us-west-2',
          rules: [{ name: 'r', prefix: 'builds/', suffix: '.zip', targets }],
        },
      ],
    },
    'test',
  );
}

function actionsOf(statements: readonly PolicyStatementJson[], principal: string): string[] {
  return statements
    .filter((s) => typeof s.Principal === 'object' && s.Principal.AWS === principal)
    .flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))
    .sort();
}

describe('crossAccountGrants', () => {
  it('asks nothing of a target in the relay’s own account, or of one that names no account', () => {
    // Arrange
    const config = withTargets([
      { bucket: 'same-account', region: 'eu-west-1', account: RELAY },
      { bucket: 'no-account', region: 'eu-west-1' },
    ]);

    // Act
    const grants = crossAccountGrants({ config, relayAccount: RELAY, roleArns: {} });

    // Assert
    expect(grants).toEqual({ buckets: [], keys: [] });
  });

  it("grants a cross-account bucket's roles exactly the actions and resources the plan gives them there", () => {
    // Arrange
    const config = withTargets([
      { bucket: 'dst-bucket', region: 'eu-west-1', account: OTHER, keyPrefix: 'rel/' },
    ]);
    const plan = planPermissions(config, RELAY);
    const onBucket = (role: 'copy-object' | 'verify-copy') =>
      plan[role]
        .flatMap((s) =>
          s.resources
            .filter((r) => r === 'arn:aws:s3:::dst-bucket' || r.startsWith('arn:aws:s3:::dst-bucket/'))
            .flatMap(() => s.actions),
        )
        .sort();

    // Act
    const [bucket] = crossAccountGrants({
      config,
      relayAccount: RELAY,
      roleArns: { 'copy-object': COPY_ROLE, 'verify-copy': VERIFY_ROLE },
    }).buckets;

    // Assert
    expect(bucket?.account).toBe(OTHER);
    expect(bucket?.roles).toEqual(['copy-object', 'verify-copy']);
    expect(actionsOf(bucket?.policy.Statement ?? [], COPY_ROLE)).toEqual(onBucket('copy-object'));
    expect(actionsOf(bucket?.policy.Statement ?? [], VERIFY_ROLE)).toEqual(onBucket('verify-copy'));
    const resources = (bucket?.policy.Statement ?? []).flatMap((s) => s.Resource);
    expect(new Set(resources)).toEqual(
      new Set(['arn:aws:s3:::dst-bucket', 'arn:aws:s3:::dst-bucket/rel/*.zip']),
    );
  });

  it('names each statement with a unique Sid and leaves no source bucket in the target’s policy', () => {
    // Arrange
    const config = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1', account: OTHER }]);

    // Act
    const [bucket] = crossAccountGrants({ config, relayAccount: RELAY, roleArns: {} }).buckets;

    // Assert
    const sids = (bucket?.policy.Statement ?? []).map((s) => s.Sid);
    expect(new Set(sids).size).toBe(sids.length);
    expect(sids.every((sid) => /^[A-Za-z0-9]+$/.test(sid ?? ''))).toBe(true);
    expect(JSON.stringify(bucket?.policy)).not.toContain('src-bucket');
  });

  it('puts a placeholder where a role ARN is not known', () => {
    // Arrange
    const config = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1', account: OTHER }]);

    // Act
    const [bucket] = crossAccountGrants({ config, relayAccount: RELAY, roleArns: {} }).buckets;

    // Assert
    expect(bucket?.policy.Statement[0]?.Principal).toEqual({ AWS: roleArnPlaceholder('copy-object') });
  });

  it("gives a cross-account SSE-KMS key's policy the roles' key statements with the plan's ViaService and encryption context conditions", () => {
    // Arrange
    const config = withTargets([
      {
        bucket: 'dst-bucket',
        region: 'eu-west-1',
        account: OTHER,
        encryption: { type: 'aws:kms', kmsKeyArn: KEY },
      },
    ]);

    // Act
    const { keys } = crossAccountGrants({
      config,
      relayAccount: RELAY,
      roleArns: { 'copy-object': COPY_ROLE, 'verify-copy': VERIFY_ROLE },
    });

    // Assert
    expect(keys).toHaveLength(1);
    const copy = keys[0]?.statements.find((s) => s.Sid === 'ArtifactRelayCopyObjectKey1');
    expect(copy).toEqual({
      Sid: 'ArtifactRelayCopyObjectKey1',
      Effect: 'Allow',
      Principal: { AWS: COPY_ROLE },
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        StringLike: {
          'kms:EncryptionContext:aws:s3:arn': [
            'arn:aws:s3:::dst-bucket',
            'arn:aws:s3:::dst-bucket/builds/*.zip',
          ],
        },
      },
    });
    expect(actionsOf(keys[0]?.statements ?? [], VERIFY_ROLE)).toEqual(['kms:Decrypt']);
  });

  it('drops the alias match from a key policy statement for a key named by alias', () => {
    // Arrange
    const alias = `arn:aws:kms:eu-west-1:${OTHER}:alias/relay`;
    const config = withTargets([
      {
        bucket: 'dst-bucket',
        region: 'eu-west-1',
        account: OTHER,
        encryption: { type: 'aws:kms', kmsKeyArn: alias },
      },
    ]);

    // Act
    const { keys } = crossAccountGrants({ config, relayAccount: RELAY, roleArns: {} });

    // Assert
    expect(keys[0]?.keyArn).toBe(alias);
    expect(keys[0]?.statements.length).toBeGreaterThan(0);
    expect(JSON.stringify(keys[0]?.statements)).not.toContain('kms:ResourceAliases');
  });

  it('asks a same-account target with a key of another account for the key policy only', () => {
    // Arrange
    const config = withTargets([
      { bucket: 'dst-bucket', region: 'eu-west-1', encryption: { type: 'aws:kms', kmsKeyArn: KEY } },
    ]);

    // Act
    const grants = crossAccountGrants({ config, relayAccount: RELAY, roleArns: {} });

    // Assert
    expect(grants.buckets).toEqual([]);
    expect(grants.keys.map((k) => k.account)).toEqual([OTHER]);
  });

  it('adds the StartDeployment role with its ledger object for a deploying target', () => {
    // Arrange
    const config = withTargets([
      {
        bucket: 'dst-bucket',
        region: 'eu-west-1',
        account: OTHER,
        deploy: { application: 'web', deploymentGroup: 'prod', bundleType: 'zip' },
      },
    ]);

    // Act
    const [bucket] = crossAccountGrants({ config, relayAccount: RELAY, roleArns: {} }).buckets;

    // Assert
    expect(bucket?.roles).toContain('start-deployment');
    expect(JSON.stringify(bucket?.policy)).toContain(
      'arn:aws:s3:::dst-bucket/.artifact-relay/deployments/web/prod.json',
    );
  });
});

describe('accountOfRoleArn', () => {
  it('reads the account of a role ARN and nothing else', () => {
    // Act / Assert
    expect(accountOfRoleArn(COPY_ROLE)).toBe(RELAY);
    expect(accountOfRoleArn(`arn:aws:sts::${RELAY}:assumed-role/r/s`)).toBeUndefined();
  });
});
