/**
 * Creates what a configuration needs on the local stack: every source and target bucket (in its region;
 * a new one is created versioned) and every CodeDeploy application and deployment group a target deploys
 * to. A bucket or key of another account (a target's `account`, a key ARN's account) is created by that
 * account's administrator and, as the README's cross-account section asks of a real target account, gets the
 * bucket policy and key policy statements the relay's roles need (core/permissions/cross-account.ts).
 * Existing ones are kept exactly as they are — an existing bucket's versioning is not touched, so an
 * unversioned bucket keeps exercising the relay's unversioned path (`CopySourceIfMatch` pinning) — and a
 * data directory from an earlier run is reused as it is.
 */
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DescribeKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  PutKeyPolicyCommand,
} from '@aws-sdk/client-kms';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { parseKmsKeyArn } from '../../core/aws-names.ts';
import type { RelayConfig } from '../../core/config/schema.ts';
import {
  type CrossAccountGrants,
  crossAccountGrants,
  type RelayRoleArns,
} from '../../core/permissions/cross-account.ts';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** The key pair provisioning signs with (a stack that verifies signatures must know it). */
export type Credentials = { readonly accessKeyId: string; readonly secretAccessKey: string };

export interface ProvisionedBucket {
  readonly bucket: string;
  readonly region: string;
  readonly created: boolean;
  /** The owner, when the configuration names another account than the local stack's. */
  readonly account?: string;
  /** Whether the relay's cross-account statements were put as the new bucket's policy. */
  readonly policyApplied?: boolean;
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
  /** Whether the relay's cross-account statements were added to the new key's policy. */
  readonly policyApplied?: boolean;
}

/**
 * How resources of other accounts are made: with their administrators' key pairs, granting the relay's
 * roles (by ARN) what they need there.
 */
export interface OtherAccounts {
  /** The key pair of an administrator of `account` (registered with the stack). */
  credentialsFor(account: string): Credentials;
  readonly roleArns: RelayRoleArns;
}

/** The accounts other than `accountId` that a configuration's buckets and target keys belong to. */
export function otherAccountsOf(config: RelayConfig, accountId: string): string[] {
  const accounts = new Set<string>();
  for (const { account } of configBuckets(config)) if (account !== undefined) accounts.add(account);
  for (const arn of configKmsKeys(config)) {
    const account = parseKmsKeyArn(arn)?.account;
    if (account !== undefined) accounts.add(account);
  }
  accounts.delete(accountId);
  return [...accounts].sort();
}

export interface Provisioned {
  readonly buckets: readonly ProvisionedBucket[];
  readonly deploymentGroups: readonly ProvisionedGroup[];
  readonly kmsKeys: readonly ProvisionedKey[];
}

function isError(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}

/** The buckets a configuration names, each once, sources first, with the owner it names (if any). */
export function configBuckets(
  config: RelayConfig,
): Array<{ bucket: string; region: string; account?: string }> {
  const seen = new Map<string, { bucket: string; region: string; account?: string }>();
  const add = (bucket: string, region: string, account: string | undefined): void => {
    if (!seen.has(bucket))
      seen.set(bucket, { bucket, region, ...(account === undefined ? {} : { account }) });
  };
  for (const source of config.sources) {
    add(source.bucket, source.region, source.account);
    for (const rule of source.rules) {
      for (const target of rule.targets) add(target.bucket, target.region, target.account);
    }
  }
  return [...seen.values()];
}

/**
 * Creates a versioned bucket in `region`; false when it was there already — then it is left exactly as it
 * is (its versioning, unversioned or Suspended included).
 */
export async function createBucket(
  endpoint: string,
  bucket: string,
  region: string,
  credentials: Credentials = LOCAL_CREDENTIALS,
): Promise<boolean> {
  const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials });
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
  credentials: Credentials,
): Promise<boolean> {
  const cd = new CodeDeployClient({ endpoint, region: group.region, credentials });
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

/**
 * Creates what `config` needs. Without `others`, buckets and keys of other accounts are created in the
 * local stack's account, as before (no cross-account evaluation then).
 */
export async function provisionConfig(
  endpoint: string,
  config: RelayConfig,
  accountId: string,
  credentials: Credentials = LOCAL_CREDENTIALS,
  others?: OtherAccounts,
): Promise<Provisioned> {
  const grants =
    others === undefined
      ? undefined
      : crossAccountGrants({ config, relayAccount: accountId, roleArns: others.roleArns });
  const buckets: ProvisionedBucket[] = [];
  for (const { bucket, region, account } of configBuckets(config)) {
    if (others === undefined || account === undefined || account === accountId) {
      buckets.push({ bucket, region, created: await createBucket(endpoint, bucket, region, credentials) });
      continue;
    }
    const owner = others.credentialsFor(account);
    const created = await createBucket(endpoint, bucket, region, owner);
    const policy = grants?.buckets.find((grant) => grant.bucket === bucket)?.policy;
    if (created && policy !== undefined) await putBucketPolicy(endpoint, bucket, region, policy, owner);
    buckets.push({ bucket, region, created, account, policyApplied: created && policy !== undefined });
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
    deploymentGroups.push({
      ...group,
      created: await createDeploymentGroup(endpoint, accountId, group, credentials),
    });
  }
  return {
    buckets,
    deploymentGroups,
    kmsKeys: await provisionKmsKeys(endpoint, config, accountId, credentials, others, grants),
  };
}

async function putBucketPolicy(
  endpoint: string,
  bucket: string,
  region: string,
  policy: object,
  credentials: Credentials,
): Promise<void> {
  const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials });
  try {
    await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: JSON.stringify(policy) }));
  } finally {
    s3.destroy();
  }
}

/** Adds `statements` to the policy of the key an ARN names (its own account's administrator signs). */
async function addToKeyPolicy(
  arn: string,
  endpoint: string,
  statements: readonly object[],
  credentials: Credentials,
): Promise<void> {
  const region = parseKmsKeyArn(arn)?.region;
  const kms = new KMSClient({ endpoint, ...(region === undefined ? {} : { region }), credentials });
  try {
    const key = await kms.send(new DescribeKeyCommand({ KeyId: arn }));
    const KeyId = key.KeyMetadata?.KeyId;
    const current = await kms.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }));
    const policy = JSON.parse(current.Policy ?? '{}') as { Statement?: unknown };
    const existing = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement ?? []].flat();
    await kms.send(
      new PutKeyPolicyCommand({
        KeyId,
        PolicyName: 'default',
        Policy: JSON.stringify({ ...policy, Statement: [...existing, ...statements] }),
      }),
    );
  } finally {
    kms.destroy();
  }
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
export async function createKmsKey(
  endpoint: string,
  arn: string,
  credentials: Credentials = LOCAL_CREDENTIALS,
): Promise<boolean> {
  const parsed = parseKmsKeyArn(arn);
  if (parsed === undefined) throw new Error(`${arn} is not a KMS key or alias ARN`);
  if (parsed.resource.startsWith('alias/aws/')) return false;
  const kms = new KMSClient({ endpoint, region: parsed.region, credentials });
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
 * Creates every KMS key the configuration's targets name: a key of the local stack's account with
 * `credentials`; a key of another account, given `others`, by that account's administrator, its key policy
 * then also granting the relay's roles what `grants` says (without `others` such a key is not created, and S3
 * answers `KMS.NotFoundException` for it, as AWS would without a grant from that account).
 */
export async function provisionKmsKeys(
  endpoint: string,
  config: RelayConfig,
  accountId: string,
  credentials: Credentials = LOCAL_CREDENTIALS,
  others?: OtherAccounts,
  grants?: CrossAccountGrants,
): Promise<ProvisionedKey[]> {
  const keys: ProvisionedKey[] = [];
  for (const arn of configKmsKeys(config)) {
    const account = parseKmsKeyArn(arn)?.account;
    if (account === accountId) {
      keys.push({ arn, created: await createKmsKey(endpoint, arn, credentials) });
      continue;
    }
    if (others === undefined || account === undefined) continue;
    const owner = others.credentialsFor(account);
    const created = await createKmsKey(endpoint, arn, owner);
    const statements = grants?.keys.find((grant) => grant.keyArn === arn)?.statements ?? [];
    if (created && statements.length > 0) await addToKeyPolicy(arn, endpoint, statements, owner);
    keys.push({ arn, created, policyApplied: created && statements.length > 0 });
  }
  return keys;
}
