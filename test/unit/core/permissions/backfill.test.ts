import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../core/config/parse.ts';
import type { RelayConfig } from '../../../../core/config/schema.ts';
import {
  INVENTORY_OBJECTS_REASON,
  RESULTS_OBJECTS_REASON,
  WILDCARD_REASONS,
} from '../../../../core/permissions/actions.ts';
import {
  buildWorkListMayReadInventory,
  planBuildWorkListPermissions,
} from '../../../../core/permissions/backfill.ts';
import { type PlannedStatement, planPermissions } from '../../../../core/permissions/plan.ts';
import { policyDocumentOf } from '../../../../core/permissions/policy-document.ts';

const ACCOUNT = '111122223333';
const RESULTS = { resultsBucketArn: 'arn:aws:s3:::relay-backfills' };

function config(value: unknown): RelayConfig {
  return parseConfig(value, 'test');
}

/** One source with one rule (`builds/*.zip`) and the given targets and extra source settings. */
function withTargets(targets: unknown[], extra: Record<string, unknown> = {}): RelayConfig {
  return config({
    sources: [
      {
        bucket: 'src-bucket',
        region: 'us-west-2',
        rules: [{ name: 'r', prefix: 'builds/', suffix: '.zip', targets }],
        ...extra,
      },
    ],
  });
}

function grantsOn(statements: readonly PlannedStatement[], resource: string): string[] {
  return statements
    .filter((s) => s.resources.includes(resource))
    .flatMap((s) => s.actions)
    .sort();
}

describe('planBuildWorkListPermissions', () => {
  it('lists the sources, HEADs the destination keys (404 with ListBucket) and builds the work list in the results bucket only', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-eu', region: 'eu-central-1', keyPrefix: 'releases/' }]);

    // Act
    const plan = planBuildWorkListPermissions(relay, RESULTS);

    // Assert
    expect(plan.map((s) => s.resources)).toEqual([
      ['arn:aws:s3:::src-bucket'],
      ['arn:aws:s3:::dst-eu/releases/*.zip'],
      ['arn:aws:s3:::dst-eu'],
      ['arn:aws:s3:::relay-backfills/*'],
    ]);
    expect(grantsOn(plan, 'arn:aws:s3:::src-bucket')).toEqual([
      's3:GetBucketVersioning',
      's3:ListBucket',
      's3:ListBucketVersions',
    ]);
    expect(grantsOn(plan, 'arn:aws:s3:::dst-eu/releases/*.zip')).toEqual(['s3:GetObject']);
    expect(grantsOn(plan, 'arn:aws:s3:::dst-eu')).toEqual(['s3:ListBucket']);
    expect(grantsOn(plan, 'arn:aws:s3:::relay-backfills/*')).toEqual([
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetObject',
      's3:PutObject',
    ]);
    expect(plan.at(-1)?.wildcardReason).toBe(RESULTS_OBJECTS_REASON);
    expect(plan.flatMap((s) => s.actions).some((action) => action.includes('*'))).toBe(false);
  });

  it("grants an SSE-KMS target's key for the checksum exactly as VerifyCopy holds it, by ARN and by alias", () => {
    // Arrange
    const byArn = 'arn:aws:kms:eu-central-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const byAlias = 'arn:aws:kms:ap-northeast-2:111122223333:alias/artifacts';
    const relay = withTargets([
      { bucket: 'dst-eu', region: 'eu-central-1', encryption: { type: 'aws:kms', kmsKeyArn: byArn } },
      { bucket: 'dst-ap', region: 'ap-northeast-2', encryption: { type: 'aws:kms', kmsKeyArn: byAlias } },
    ]);

    // Act
    const keys = planBuildWorkListPermissions(relay, RESULTS).filter((s) =>
      s.actions.some((a) => a.startsWith('kms:')),
    );
    const verify = planPermissions(relay, ACCOUNT)['verify-copy'].filter(
      (s) => s.actions.includes('kms:Decrypt') && !s.resources[0]?.includes('us-west-2'),
    );

    // Assert
    expect(keys).toEqual(verify);
    expect(keys.map((s) => s.actions)).toEqual([['kms:Decrypt'], ['kms:Decrypt']]);
    expect(keys[0]?.resources).toEqual([byArn]);
    expect(keys[1]).toMatchObject({
      resources: ['arn:aws:kms:ap-northeast-2:111122223333:key/*'],
      conditions: { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/artifacts' } },
      wildcardReason: WILDCARD_REASONS.aliasKeys,
    });
  });

  it("reads the source's TargetBucket tag and HEADs the keys the allowlisted buckets would receive", () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-eu', region: 'eu-central-1' }], {
      targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*', 'dr-bucket@eu-west-1'] },
    });

    // Act
    const plan = planBuildWorkListPermissions(relay, RESULTS);

    // Assert
    expect(grantsOn(plan, 'arn:aws:s3:::src-bucket')).toContain('s3:GetBucketTagging');
    expect(grantsOn(plan, 'arn:aws:s3:::artifacts-*/builds/*.zip')).toEqual(['s3:GetObject']);
    expect(grantsOn(plan, 'arn:aws:s3:::dr-bucket/builds/*.zip')).toEqual(['s3:GetObject']);
    expect(grantsOn(plan, 'arn:aws:s3:::artifacts-*')).toEqual(['s3:ListBucket']);
    expect(grantsOn(plan, 'arn:aws:s3:::dr-bucket')).toEqual(['s3:ListBucket']);
  });

  it('names a resource in every statement when the rules route by the TargetBucket tag alone', () => {
    // Arrange: a rule with no targets of its own (a policy statement must name a resource)
    const relay = withTargets([], { targetBucketTag: { enabled: true, allowedBuckets: ['artifacts-*'] } });

    // Act
    const plan = planBuildWorkListPermissions(relay, RESULTS);

    // Assert
    expect(plan.filter((s) => s.resources.length === 0)).toEqual([]);
    expect(grantsOn(plan, 'arn:aws:s3:::artifacts-*/builds/*.zip')).toEqual(['s3:GetObject']);
    expect(policyDocumentOf(plan).Statement).toHaveLength(plan.length);
  });

  it('reads no tag of a source that does not enable the convention', () => {
    // Act
    const plan = planBuildWorkListPermissions(
      withTargets([{ bucket: 'dst-eu', region: 'eu-central-1' }]),
      RESULTS,
    );

    // Assert
    expect(plan.flatMap((s) => s.actions)).not.toContain('s3:GetBucketTagging');
  });

  it('reads the S3 Inventory reports under the configured destination prefix, listing nothing there', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-eu', region: 'eu-central-1' }], {
      inventory: { bucket: 'inventory-oregon', prefix: 'inventory/' },
    });

    // Act
    const plan = planBuildWorkListPermissions(relay, RESULTS);
    const reports = plan.filter((s) => s.resources.some((r) => r.includes('inventory-oregon')));

    // Assert
    expect(reports).toEqual([
      {
        actions: ['s3:GetObject'],
        resources: ['arn:aws:s3:::inventory-oregon/inventory/*'],
        wildcardReason: INVENTORY_OBJECTS_REASON,
      },
    ]);
    expect(plan.flatMap((s) => s.actions)).not.toContain('kms:Decrypt');
  });

  it('grants the whole destination bucket when the inventory has no prefix, in the partition of the source', () => {
    // Arrange
    const relay = config({
      sources: [
        {
          bucket: 'src-beijing',
          region: 'cn-north-1',
          rules: [{ name: 'r', targets: [{ bucket: 'dst-ningxia', region: 'cn-northwest-1' }] }],
          inventory: { bucket: 'inventory-beijing' },
        },
      ],
    });

    // Act
    const plan = planBuildWorkListPermissions(relay, RESULTS);

    // Assert
    expect(grantsOn(plan, 'arn:aws-cn:s3:::inventory-beijing/*')).toEqual(['s3:GetObject']);
  });

  it("decrypts SSE-KMS reports with their key, for S3 in the source's region and the reports only", () => {
    // Arrange
    const key = 'arn:aws:kms:us-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const relay = withTargets([{ bucket: 'dst-eu', region: 'eu-central-1' }], {
      inventory: { bucket: 'inventory-oregon', prefix: 'daily/', kmsKeyArn: key },
    });

    // Act
    const keys = planBuildWorkListPermissions(relay, RESULTS).filter((s) =>
      s.actions.includes('kms:Decrypt'),
    );

    // Assert
    expect(keys).toEqual([
      {
        actions: ['kms:Decrypt'],
        resources: [key],
        conditions: {
          StringEquals: { 'kms:ViaService': 's3.us-west-2.amazonaws.com' },
          StringLike: {
            'kms:EncryptionContext:aws:s3:arn': [
              'arn:aws:s3:::inventory-oregon',
              'arn:aws:s3:::inventory-oregon/daily/*',
            ],
          },
        },
      },
    ]);
  });

  it('grants no inventory bucket to a configuration that names none', () => {
    // Act
    const plan = planBuildWorkListPermissions(
      withTargets([{ bucket: 'dst-eu', region: 'eu-central-1' }]),
      RESULTS,
    );

    // Assert
    expect(plan.map((s) => s.wildcardReason)).not.toContain(INVENTORY_OBJECTS_REASON);
    expect(plan.flatMap((s) => s.resources)).toEqual([
      'arn:aws:s3:::src-bucket',
      'arn:aws:s3:::dst-eu/builds/*.zip',
      'arn:aws:s3:::dst-eu',
      'arn:aws:s3:::relay-backfills/*',
    ]);
  });

  it('tells which reports the builder may read: in the results bucket, or under the configured inventory prefix', () => {
    // Arrange
    const relay = withTargets([{ bucket: 'dst-eu', region: 'eu-central-1' }], {
      inventory: { bucket: 'inventory-oregon', prefix: 'inventory/' },
    });
    const source = relay.sources[0]!;
    const manifest = 'inventory/src-bucket/daily/2026-12-02T01-00Z/manifest.json';

    // Act
    const mayRead = (bucket: string, key: string, results?: string) =>
      buildWorkListMayReadInventory(source, { bucket, key }, results);

    // Assert
    expect(mayRead('inventory-oregon', manifest)).toBe(true);
    expect(mayRead('inventory-oregon', `other/${manifest}`)).toBe(false);
    expect(mayRead('reports-elsewhere', manifest)).toBe(false);
    expect(mayRead('relay-backfills', manifest, 'relay-backfills')).toBe(true);
    expect(mayRead('relay-backfills', manifest)).toBe(false);
  });
});
