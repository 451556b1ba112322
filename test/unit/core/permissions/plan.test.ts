import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import type { RelayConfig } from '../../../../core/config/schema.ts';
import { WILDCARD_REASONS } from '../../../../core/permissions/actions.ts';
import { escapeIamLiteral, kmsKeyGrant, s3ViaService } from '../../../../core/permissions/arns.ts';
import { type PlannedStatement, planPermissions } from '../../../../core/permissions/plan.ts';
import { partitionOf } from '../../../../core/regions.ts';

const ACCOUNT = '111122223333';

function config(value: unknown): RelayConfig {
  return parseConfig(value, 'test');
}

function withTargets(
  targets: unknown[],
  rule: Record<string, unknown> = { prefix: 'builds/', suffix: '.zip' },
) {
  return config({
    sources: [{ bucket: 'src-bucket', region: 'us-west-2', rules: [{ name: 'r', ...rule, targets }] }],
  });
}

function grantsOn(statements: readonly PlannedStatement[], resource: string): string[] {
  return statements
    .filter((s) => s.resources.includes(resource))
    .flatMap((s) => s.actions)
    .sort();
}

describe('object grants', () => {
  it("grant a target the keys its keyPrefix makes of the rule's keys", () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1', keyPrefix: 'releases/' }]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(grantsOn(plan['copy-object'], 'arn:aws:s3:::dst-bucket/releases/*.zip')).toContain('s3:PutObject');
    expect(grantsOn(plan['copy-object'], 'arn:aws:s3:::dst-bucket/builds/*.zip')).toEqual([]);
  });

  it('grant a rule without prefix or suffix the whole bucket, and an empty keyPrefix the stripped keys', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1', keyPrefix: '' }], {});

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(grantsOn(plan['resolve-targets'], 'arn:aws:s3:::src-bucket/*')).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
    ]);
    expect(grantsOn(plan['verify-copy'], 'arn:aws:s3:::dst-bucket/*')).toEqual([
      's3:GetObject',
      's3:GetObjectVersion',
    ]);
  });

  it('add s3:PutObjectAcl only for a target that sets a canned ACL', () => {
    // Arrange
    const relay = withTargets([
      { bucket: 'with-acl', region: 'eu-west-1', acl: 'bucket-owner-full-control' },
      { bucket: 'without-acl', region: 'eu-west-1' },
    ]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(grantsOn(plan['copy-object'], 'arn:aws:s3:::with-acl/builds/*.zip')).toContain('s3:PutObjectAcl');
    expect(grantsOn(plan['copy-object'], 'arn:aws:s3:::without-acl/builds/*.zip')).not.toContain(
      's3:PutObjectAcl',
    );
  });

  it('write IAM wildcards and variables in prefixes as literal characters', () => {
    // Arrange
    const variable = (char: string): string => `$${'{'}${char}}`;

    // Act
    const escaped = escapeIamLiteral('a*b?c$d');

    // Assert
    expect(escaped).toBe(`a${variable('*')}b${variable('?')}c${variable('$')}d`);
  });

  it('carry the reason for their wildcard', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1' }]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    const wildcard = plan['copy-object'].filter((s) => s.resources.some((r) => r.includes('*')));
    expect(wildcard.length).toBeGreaterThan(0);
    for (const statement of wildcard) expect(statement.wildcardReason).toBeDefined();
  });
});

describe('the TargetBucket tag convention', () => {
  it('grants bucket tagging on the source and writes only to the allowlisted buckets', () => {
    // Arrange
    const relay = config({
      sources: [
        {
          bucket: 'src-bucket',
          region: 'us-west-2',
          rules: [{ name: 'r', prefix: 'builds/', targets: [] }],
          targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*', 'dr-bucket@eu-west-1'] },
        },
      ],
    });

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(grantsOn(plan['resolve-targets'], 'arn:aws:s3:::src-bucket')).toEqual([
      's3:GetBucketTagging',
      's3:ListBucket',
    ]);
    expect(grantsOn(plan['copy-object'], 'arn:aws:s3:::artifacts-*/builds/*')).toContain('s3:PutObject');
    expect(grantsOn(plan['copy-object'], 'arn:aws:s3:::dr-bucket/builds/*')).toContain('s3:PutObject');
    expect(grantsOn(plan['copy-object'], 'arn:aws:s3:::artifacts-*')).toEqual([
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
    ]);
    expect(
      plan['copy-object'].find((s) => s.resources.includes('arn:aws:s3:::artifacts-*/builds/*'))
        ?.wildcardReason,
    ).toBe(WILDCARD_REASONS.tagBuckets);
  });

  it('grants no bucket tagging while the convention is off', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1' }]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(plan['resolve-targets'].flatMap((s) => s.actions)).not.toContain('s3:GetBucketTagging');
  });
});

describe('KMS grants', () => {
  it('name a key by ARN directly, and an alias as its keys narrowed by kms:ResourceAliases', () => {
    // Arrange
    const alias = 'arn:aws:kms:eu-west-1:444455556666:alias/artifacts';
    const relay = withTargets([
      { bucket: 'dst-bucket', region: 'eu-west-1', encryption: { type: 'aws:kms', kmsKeyArn: alias } },
    ]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);
    const statement = plan['copy-object'].find((s) => s.actions.includes('kms:GenerateDataKey'));

    // Assert
    expect(kmsKeyGrant(alias)).toEqual({
      resource: 'arn:aws:kms:eu-west-1:444455556666:key/*',
      alias: 'alias/artifacts',
    });
    expect(statement).toMatchObject({
      resources: ['arn:aws:kms:eu-west-1:444455556666:key/*'],
      conditions: {
        StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/artifacts' },
      },
      wildcardReason: WILDCARD_REASONS.aliasKeys,
    });
  });

  it('give an SSE-S3 target no KMS grant', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1' }]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    const kmsResources = plan['copy-object'].filter((s) => s.actions.includes('kms:GenerateDataKey'));
    expect(kmsResources).toEqual([]);
  });

  it('use the partition and S3 endpoint of China regions', () => {
    // Act / Assert
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('eu-central-1')).toBe('aws');
    expect(s3ViaService('cn-north-1')).toBe('s3.cn-north-1.amazonaws.com.cn');
  });
});

describe('CodeDeploy grants', () => {
  it('name the deployment configuration when the target names one', () => {
    // Arrange
    const relay = withTargets([
      {
        bucket: 'dst-bucket',
        region: 'eu-west-1',
        deploy: {
          application: 'web',
          deploymentGroup: 'web-prod',
          bundleType: 'zip',
          deploymentConfigName: 'CodeDeployDefault.OneAtATime',
        },
      },
    ]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(plan['start-deployment']).toEqual([
      {
        actions: [
          'codedeploy:CreateDeployment',
          'codedeploy:GetDeployment',
          'codedeploy:ListDeployments',
          'codedeploy:BatchGetDeployments',
        ],
        resources: [`arn:aws:codedeploy:eu-west-1:${ACCOUNT}:deploymentgroup:web/web-prod`],
      },
      {
        actions: ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'],
        resources: [`arn:aws:codedeploy:eu-west-1:${ACCOUNT}:application:web`],
      },
      {
        actions: ['codedeploy:GetDeploymentConfig'],
        resources: [`arn:aws:codedeploy:eu-west-1:${ACCOUNT}:deploymentconfig:CodeDeployDefault.OneAtATime`],
      },
      expect.objectContaining({
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::dst-bucket/builds/*.zip'],
      }),
      {
        actions: ['s3:GetObject', 's3:PutObject'],
        resources: ['arn:aws:s3:::dst-bucket/.artifact-relay/deployments/web/web-prod.json'],
      },
      { actions: ['s3:ListBucket'], resources: ['arn:aws:s3:::dst-bucket'] },
    ]);
    expect(plan['check-deployment']).toEqual([
      {
        actions: ['codedeploy:GetDeployment'],
        resources: [`arn:aws:codedeploy:eu-west-1:${ACCOUNT}:deploymentgroup:web/web-prod`],
      },
    ]);
  });

  it('grant nothing when no target deploys', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-bucket', region: 'eu-west-1' }]);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(plan['start-deployment']).toEqual([]);
    expect(plan['check-deployment']).toEqual([]);
  });
});

describe('the example configuration', () => {
  const example = config(
    JSON.parse(readFileSync(new URL('../../../../examples/relay.config.json', import.meta.url), 'utf8')),
  );
  const SOURCE_BUCKET = 'arn:aws:s3:::build-artifacts-oregon';
  const SOURCE_OBJECTS = 'arn:aws:s3:::build-artifacts-oregon/build_artifacts/*.zip';

  it('lets the source key be used only by S3 in the source region for the source bucket', () => {
    // Act
    const statement = planPermissions(example, ACCOUNT)['copy-object'].find((s) =>
      s.resources.includes('arn:aws:kms:us-west-2:*:key/*'),
    );

    // Assert
    expect(statement?.conditions).toEqual({
      StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
      StringLike: { 'kms:EncryptionContext:aws:s3:arn': [SOURCE_BUCKET, SOURCE_OBJECTS] },
    });
  });

  it("lets a target's key be used only by S3 in the target's region for the target's keys", () => {
    // Arrange
    const key = 'arn:aws:kms:ap-northeast-2:000000000000:key/5d2f7c1e-8a4b-4e39-9c61-0b7a3e2d4f18';

    // Act
    const statement = planPermissions(example, ACCOUNT)['copy-object'].find((s) => s.resources.includes(key));

    // Assert
    expect(statement?.conditions).toEqual({
      StringEquals: { 'kms:ViaService': 's3.ap-northeast-2.amazonaws.com' },
      StringLike: {
        'kms:EncryptionContext:aws:s3:arn': [
          'arn:aws:s3:::artifacts-seoul',
          'arn:aws:s3:::artifacts-seoul/build_artifacts/*.zip',
        ],
      },
    });
  });
});

describe('delete propagation grants', () => {
  function twoRules(propagate: boolean) {
    return config({
      sources: [
        {
          bucket: 'src-bucket',
          region: 'us-west-2',
          rules: [
            {
              name: 'web',
              prefix: 'builds/',
              suffix: '.zip',
              propagateDeletes: propagate,
              targets: [{ bucket: 'dst-bucket', region: 'eu-west-1', keyPrefix: 'releases/' }],
            },
            { name: 'docs', prefix: 'docs/', targets: [{ bucket: 'docs-bucket', region: 'eu-west-1' }] },
          ],
        },
      ],
    });
  }

  it('grant the delete task nothing, and no other task s3:DeleteObject, while no rule propagates deletes', () => {
    // Arrange
    const relay = twoRules(false);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(plan['delete-replica']).toEqual([]);
    const actions = Object.values(plan).flatMap((statements) => statements.flatMap((s) => s.actions));
    expect(actions).not.toContain('s3:DeleteObject');
  });

  it("grant s3:DeleteObject and the HEAD's s3:GetObject only on the destination keys of the rule that propagates deletes", () => {
    // Arrange
    const relay = twoRules(true);

    // Act
    const plan = planPermissions(relay, ACCOUNT);

    // Assert
    expect(grantsOn(plan['delete-replica'], 'arn:aws:s3:::dst-bucket/releases/*.zip')).toEqual([
      's3:DeleteObject',
      's3:GetObject',
    ]);
    expect(grantsOn(plan['delete-replica'], 'arn:aws:s3:::docs-bucket/docs/*')).toEqual([]);
    expect(grantsOn(plan['delete-replica'], 'arn:aws:s3:::dst-bucket')).toEqual(['s3:ListBucket']);
    expect(plan['delete-replica'].flatMap((s) => s.resources)).not.toContain('arn:aws:s3:::docs-bucket');
    const others = Object.entries(plan).filter(([role]) => role !== 'delete-replica');
    expect(others.flatMap(([, statements]) => statements.flatMap((s) => s.actions))).not.toContain(
      's3:DeleteObject',
    );
  });
});
