/**
 * `relay deploy` as a person runs it: a spawned CLI against `relay local` (a child process), deploying
 * replicas of a target whose configuration does not deploy.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CodeDeployClient,
  CreateApplicationCommand,
  CreateDeploymentGroupCommand,
  GetDeploymentCommand,
  ListDeploymentsCommand,
} from '@aws-sdk/client-codedeploy';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKey, ledgerRecordSchema } from '../../../core/deployment-ledger.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import { type ChildStack, startChildStack } from '../../helpers/child-stack.ts';
import { TEST_CREDENTIALS } from '../../helpers/local-stack.ts';
import { parseJsonOutput, REGION, runCli, settledExecutionsOf, writeTestConfig } from './harness.ts';

const TARGET_REGION = 'eu-central-1';

interface DeployJson {
  readonly region: string;
  readonly deployment: { readonly id: string; readonly status: string };
}

describe('relay deploy against relay local', () => {
  let dir: string;
  let stack: ChildStack;
  let s3: S3Client;
  let s3Target: S3Client;
  let sfn: SFNClient;
  let codeDeploy: CodeDeployClient;
  let at: string[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'relay-deploy-'));
    const configPath = await writeTestConfig(dir);
    stack = await startChildStack(join(dir, 'data'), ['--config', configPath, '--time-scale', '0.001']);
    at = ['--endpoint-url', stack.endpoint];
    const client = { endpoint: stack.endpoint, credentials: TEST_CREDENTIALS };
    s3 = new S3Client({ ...client, region: REGION, forcePathStyle: true });
    s3Target = new S3Client({ ...client, region: TARGET_REGION, forcePathStyle: true });
    sfn = new SFNClient({ ...client, region: REGION });
    codeDeploy = new CodeDeployClient({ ...client, region: TARGET_REGION });
    await codeDeploy.send(new CreateApplicationCommand({ applicationName: 'cli-web' }));
    await codeDeploy.send(
      new CreateDeploymentGroupCommand({
        applicationName: 'cli-web',
        deploymentGroupName: 'cli-eu',
        serviceRoleArn: 'arn:aws:iam::000000000000:role/CodeDeployServiceRole',
      }),
    );
  });

  afterAll(async () => {
    for (const c of [s3, s3Target, sfn, codeDeploy]) c?.destroy();
    await stack?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** The builds uploaded so far, by key: the relay executions to wait for. */
  const uploads = new Map<string, number>();

  /**
   * Uploads a build to the source and waits until the relay copied it — until as many executions of the key
   * as builds uploaded have settled (the new build's execution starts a moment after the upload) — and
   * returns its replica's version id.
   */
  async function relayed(key: string, page: string): Promise<string> {
    const builds = (uploads.get(key) ?? 0) + 1;
    uploads.set(key, builds);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'cli-src',
        Key: key,
        Body: await zipWithAppspec({ 'index.html': page }),
      }),
    );
    await settledExecutionsOf(sfn, key, builds);
    const head = await s3Target.send(new GetObjectCommand({ Bucket: 'cli-eu', Key: key }));
    return head.VersionId ?? '';
  }

  const deploy = (key: string, ...extra: string[]) =>
    runCli([
      'deploy',
      `s3://cli-eu/${key}`,
      '--application',
      'cli-web',
      '--deployment-group',
      'cli-eu',
      ...at,
      ...extra,
    ]);

  it('deploys a replica on demand, once, and refuses an older build unless it is a rollback', async () => {
    // Arrange: two builds of one key, relayed to a target that does not deploy; the older one deployed first
    const key = 'builds/web-deploy.zip';
    const older = await relayed(key, 'build 1');
    const firstOfOlder = parseJsonOutput<DeployJson>(await deploy(key, '--json')).deployment;
    const newer = await relayed(key, 'build 2');

    // Act
    const first = await deploy(key, '--json');
    const again = await deploy(key, '--json');
    const stale = await deploy(key, '--version-id', older);
    const rollback = await deploy(key, '--version-id', older, '--rollback', '--json');

    // Assert
    expect(first.code).toBe(0);
    const deployed = parseJsonOutput<DeployJson>(first);
    expect(deployed).toMatchObject({ region: TARGET_REGION, deployment: { status: 'Succeeded' } });
    const info = await codeDeploy.send(new GetDeploymentCommand({ deploymentId: deployed.deployment.id }));
    expect(info.deploymentInfo?.revision?.s3Location).toMatchObject({
      bucket: 'cli-eu',
      key,
      version: newer,
    });
    // The same revision again: the same deployment, nothing new.
    expect(parseJsonOutput<DeployJson>(again).deployment.id).toBe(deployed.deployment.id);
    // An older build: refused, saying how to roll back.
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/newer build[\s\S]*--rollback/);
    // The rollback: deployed anew (the older build's first deployment is not what the fleet runs now), and
    // recorded as such in the group's ledger.
    expect(rollback.code).toBe(0);
    const rolledBack = parseJsonOutput<DeployJson>(rollback).deployment;
    expect(rolledBack.id).not.toBe(firstOfOlder.id);
    const back = await codeDeploy.send(new GetDeploymentCommand({ deploymentId: rolledBack.id }));
    expect(back.deploymentInfo?.revision?.s3Location?.version).toBe(older);
    const listed = await codeDeploy.send(
      new ListDeploymentsCommand({ applicationName: 'cli-web', deploymentGroupName: 'cli-eu' }),
    );
    expect(listed.deployments).toHaveLength(3);
    const ledger = await s3Target.send(
      new GetObjectCommand({ Bucket: 'cli-eu', Key: ledgerKey('cli-web', 'cli-eu') }),
    );
    const record = ledgerRecordSchema.parse(JSON.parse((await ledger.Body?.transformToString()) ?? 'null'));
    expect(record).toMatchObject({
      deploymentId: rolledBack.id,
      build: { revision: { versionId: older } },
      rolledBackFrom: { bucket: 'cli-src', key },
    });
  });

  it('refuses an object the relay did not write, saying what to use instead', async () => {
    // Arrange
    await s3Target.send(
      new PutObjectCommand({ Bucket: 'cli-eu', Key: 'hand-made.zip', Body: 'not a replica' }),
    );

    // Act
    const result = await deploy('hand-made.zip');

    // Assert
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('is not a replica the relay wrote');
    expect(result.stderr).toContain('aws deploy create-deployment');
  });
});
