/**
 * Creates what a configuration needs on the local stack: every source and target bucket (versioned,
 * in its region) and every CodeDeploy application and deployment group a target deploys to.
 * Existing ones are kept, so a data directory from an earlier run is reused as it is.
 */
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
} from '@aws-sdk/client-codedeploy';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  PutBucketVersioningCommand,
  S3Client,
} from '@aws-sdk/client-s3';
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

export interface Provisioned {
  readonly buckets: readonly ProvisionedBucket[];
  readonly deploymentGroups: readonly ProvisionedGroup[];
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

/** Creates a versioned bucket in `region`; false when it was there already (kept as it is). */
export async function createBucket(endpoint: string, bucket: string, region: string): Promise<boolean> {
  const s3 = new S3Client({ endpoint, region, forcePathStyle: true, credentials: LOCAL_CREDENTIALS });
  try {
    let created = true;
    await s3
      .send(
        new CreateBucketCommand({
          Bucket: bucket,
          ...(region === 'us-east-1'
            ? {}
            : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
        }),
      )
      .catch((err: unknown) => {
        if (!isError(err, 'BucketAlreadyOwnedByYou')) throw err;
        created = false;
      });
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
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
  return { buckets, deploymentGroups };
}
