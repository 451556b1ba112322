/**
 * Creates what a configuration needs on the local stack: every source and target bucket (in its region;
 * a new one is created versioned) and every CodeDeploy application and deployment group a target deploys
 * to. Existing ones are kept exactly as they are — an existing bucket's versioning is not touched, so an
 * unversioned bucket keeps exercising the relay's unversioned path (`CopySourceIfMatch` pinning) — and a
 * data directory from an earlier run is reused as it is.
 */
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseKmsKeyArn } from '../../core/aws-names.ts';
import type { RelayConfig } from '../../core/config/schema.ts';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

export interface ProvisionedBucket {
  readonly bucket: string;
  readonly region: string;
  readonly created: boolean;
}

export interface ProvisionedGroup {
  readonly application: string;
  readonly deploymentGroup: string;
  readonly region: string;
  readonly created: boolean;
}

export interface ProvisionedKey {
  /** The key or alias ARN as the configuration names it. */
  readonly arn: string;
  readonly created: boolean;
}

export interface Provisioned {
  readonly buckets: readonly ProvisionedBucket[];
  readonly deploymentGroups: readonly ProvisionedGroup[];
  readonly kmsKeys: readonly ProvisionedKey[];
}

function isError(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}

/** The buckets a configuration names, each once, sources first. */
export function configBuckets(config: RelayConfig): Array<{ bucket: string; region: string }> {
  const seen = new Map<string, string>();
  for (const source of config.sources) {
    if (!seen.has(source.bucket)) seen.set(source.bucket, source.region);
    for (const rule of source.rules) {
      for (const target of rule.targets) if (!seen.has(target.bucket)) seen.set(target.bucket, target.region);
    }
  }
  return [...seen].map(([bucket, region]) => ({ bucket, region }));
}

/**
 * Creates a versioned bucket in `region`; false when it was there already — then it is left exactly as it
 * is (its versioning, unversioned or Suspended included).
 */
export async function createBucket(endpoint: string, bucket: string, region: string): Promise<boolean> {
  const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
  try {
    const created = await s3
      .send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      )
      .then(
        () => true,
        (err: unknown) => {
          if (!isError(err, 'BucketAlreadyOwnedByYou')) throw err;
          return false;
        },
      );
    if (created) {
      await s3.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
    }
    return created;
  } finally {
    s3.destroy();
  }
}

async function createDeploymentGroup(
  endpoint: string,
  accountId: string,
  group: { application: string; deploymentGroup: string; region: string },
): Promise<boolean> {
  const cd = new CodeDeployClient({ endpoint, region: group.region, credentials: LOCAL_CREDENTIALS });
  try {
    await cd
      .send(new CreateApplicationCommand({ applicationName: group.application }))
      .catch((err: unknown) => {
        if (!isError(err, 'ApplicationAlreadyExistsException')) throw err;
      });
    return await cd
      .send(
        new CreateDeploymentGroupCommand({
          applicationName: group.application,
          deploymentGroupName: group.deploymentGroup,
          serviceRoleArn: `arn:aws:iam::${accountId}:role/CodeDeployServiceRole`,
        }),
      )
      .then(
        () => true,
        (err: unknown) => {
          if (!isError(err, 'DeploymentGroupAlreadyExistsException')) throw err;
          return false;
        },
      );
  } finally {
    cd.destroy();
  }
}

export async function provisionConfig(
  endpoint: string,
  config: RelayConfig,
  accountId: string,
): Promise<Provisioned> {
  const buckets: ProvisionedBucket[] = [];
  for (const { bucket, region } of configBuckets(config)) {
    buckets.push({ bucket, region, created: await createBucket(endpoint, bucket, region) });
  }
  const deploymentGroups: ProvisionedGroup[] = [];
  const seen = new Set<string>();
  for (const target of config.sources.flatMap((s) => s.rules.flatMap((r) => r.targets))) {
    if (!target.deploy) continue;
    const group = {
      application: target.deploy.application,
      deploymentGroup: target.deploy.deploymentGroup,
      region: target.region,
    };
    const id = `${group.region}/${group.application}/${group.deploymentGroup}`;
    if (seen.has(id)) continue;
    seen.add(id);
    deploymentGroups.push({ ...group, created: await createDeploymentGroup(endpoint, accountId, group) });
  }
  return { buckets, deploymentGroups, kmsKeys: await provisionKmsKeys(endpoint, config, accountId) };
}

/** The KMS keys (or aliases) the configuration's SSE-KMS targets name, each once. */
export function configKmsKeys(config: RelayConfig): string[] {
  const arns = new Set<string>();
  for (const target of config.sources.flatMap((s) => s.rules.flatMap((r) => r.targets))) {
    if (target.encryption?.type === 'aws:kms') arns.add(target.encryption.kmsKeyArn);
  }
  return [...arns];
}

/**
 * Creates a KMS key on the local stack under the id (or alias) its ARN names, in the ARN's region, through
 * the KMS API — the key id is asked for with the `_custom_id_` tag, which the local KMS (like LocalStack's)
 * honours. An existing key or alias is kept as it is (a key someone disabled stays disabled); an
 * `alias/aws/…` alias needs nothing (KMS creates AWS managed keys on first use). Returns whether
 * anything was created.
 */
export async function createKmsKey(endpoint: string, arn: string): Promise<boolean> {
  const parsed = parseKmsKeyArn(arn);
  if (parsed === undefined) throw new Error(`${arn} is not a KMS key or alias ARN`);
  if (parsed.resource.startsWith('alias/aws/')) return false;
  const kms = new KMSClient({ endpoint, region: parsed.region, credentials: LOCAL_CREDENTIALS });
  try {
    const exists = await kms.send(new DescribeKeyCommand({ KeyId: arn })).then(
      () => true,
      (err: unknown) => {
        if (!isError(err, 'NotFoundException')) throw err;
        return false;
      },
    );
    if (exists) return false;
    const isAlias = parsed.resource.startsWith('alias/');
    const id = parsed.resource.slice(parsed.resource.indexOf('/') + 1);
    const created = await kms.send(
      new CreateKeyCommand({
        Description: `Created by relay local for ${arn}`,
        ...(isAlias ? {} : { Tags: [{ TagKey: '_custom_id_', TagValue: id }] }),
      }),
    );
    if (isAlias) {
      await kms.send(
        new CreateAliasCommand({
          AliasName: parsed.resource,
          TargetKeyId: created.KeyMetadata?.KeyId,
        }),
      );
    }
    return true;
  } finally {
    kms.destroy();
  }
}

/**
 * Creates every KMS key the configuration names that belongs to the local stack's account (a key of
 * another account cannot exist locally; S3 answers `KMS.NotFoundException` for it, as AWS would without
 * a grant from that account).
 */
export async function provisionKmsKeys(
  endpoint: string,
  config: RelayConfig,
  accountId: string,
): Promise<ProvisionedKey[]> {
  const keys: ProvisionedKey[] = [];
  for (const arn of configKmsKeys(config)) {
    if (parseKmsKeyArn(arn)?.account !== accountId) continue;
    keys.push({ arn, created: await createKmsKey(endpoint, arn) });
  }
  return keys;
}
