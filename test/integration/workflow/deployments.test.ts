import { createHash } from 'node:crypto';
import type { DeploymentInfo } from '@aws-sdk/client-codedeploy';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerKey, ledgerRecordSchema } from '../../../core/deployment-ledger.ts';
import { zipWithAppspec } from '../../helpers/bundles.ts';
import {
  type Execution,
  relayOutput,
  resultFor,
  startWorkflowHarness,
  type TargetInput,
  type TaskHook,
  type WorkflowHarness,
} from './harness.ts';

/**
 * Newest wins for deployments, and exactly one deployment per revision (DESIGN §2), on the local stack
 * through real SDK clients: rapid overwrites of one key, and many executions of one version at once.
 */

const SOURCE_REGION = 'us-west-2';
const TARGET_REGION = 'ap-northeast-2';

function byCreation(deployments: readonly DeploymentInfo[]): DeploymentInfo[] {
  return [...deployments].sort((a, b) => (a.createTime?.getTime() ?? 0) - (b.createTime?.getTime() ?? 0));
}

function lastCreated(deployments: readonly DeploymentInfo[]): DeploymentInfo | undefined {
  return byCreation(deployments).at(-1);
}

function revisionVersions(deployments: readonly DeploymentInfo[]): string[] {
  return deployments.map((d) => d.revision?.s3Location?.version ?? 'none');
}

describe('deployments under races and duplicates (local stack)', () => {
  let h: WorkflowHarness;

  beforeAll(async () => {
    h = await startWorkflowHarness();
  });

  afterAll(async () => {
    h?.stack.codeDeploy.clearFailures();
    await h?.dispose();
  });

  it('deploys the newest build last when three builds of a key land within milliseconds, for every key', async () => {
    // Arrange: the oldest build of each key is held after Verify until the newest build's StartDeployment
    // returned — the slow execution a busy region or a throttled Lambda makes in real life.
    const bundles = await Promise.all(
      [0, 1, 2].map((build) => zipWithAppspec({ 'index.html': `build ${build}` })),
    );
    const etags = bundles.map((bundle) => createHash('md5').update(bundle).digest('hex'));
    const gates = new Map<string, { opened: Promise<void>; open: () => void }>();
    const gate = (key: string) => {
      let entry = gates.get(key);
      if (entry === undefined) {
        let open = () => {};
        const opened = new Promise<void>((resolve) => {
          open = resolve;
        });
        entry = { opened, open };
        gates.set(key, entry);
      }
      return entry;
    };
    const holdOldest: TaskHook = async (role, input) => {
      const source = (input as { source?: { key: string; etag: string } }).source;
      if (source === undefined) return;
      if (role === 'verify-copy' && source.etag === etags[0]) await gate(source.key).opened;
      if (role === 'start-deployment' && source.etag === etags[2]) gate(source.key).open();
    };
    // Three keys, each deployed to its own group
    const keys = ['app-0/web.zip', 'app-1/web.zip', 'app-2/web.zip'];
    const source = h.name('race-src');
    const seoul = h.name('race-seoul');
    await h.bucket(source, SOURCE_REGION, { versioned: true });
    await h.bucket(seoul, TARGET_REGION, { versioned: true });
    const groups = keys.map((_, index) => h.name(`race-grp-${index}`));
    for (const group of groups) await h.deploymentGroup(TARGET_REGION, group, group);
    const relay = await h.deploy(
      {
        sources: [
          {
            bucket: source,
            region: SOURCE_REGION,
            rules: keys.map((key, index) => ({
              name: `app-${index}`,
              prefix: key.split('/')[0] ?? '',
              targets: [
                {
                  bucket: seoul,
                  region: TARGET_REGION,
                  deploy: {
                    application: groups[index] ?? '',
                    deploymentGroup: groups[index] ?? '',
                    bundleType: 'zip',
                  },
                } satisfies TargetInput,
              ],
            })),
          },
        ],
      },
      { afterTask: holdOldest },
    );

    // Act: per key, three builds one right after another (what a busy pipeline does)
    for (const key of keys) {
      for (const bundle of bundles) await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: bundle });
    }
    const executions = await relay.settle();

    // Assert
    expect(executions).toHaveLength(9);
    expect(executions.map((e) => e.status)).toEqual(Array(9).fill('SUCCEEDED'));
    const skipped: Execution[] = [];
    for (const [index, key] of keys.entries()) {
      const current = (await h.versions(TARGET_REGION, seoul, key)).find((v) => v.IsLatest);
      const deployments = await h.deployments(TARGET_REGION, groups[index] ?? '', groups[index] ?? '');
      // The last deployment in the group deploys the replica the key holds now: the newest build.
      expect(lastCreated(deployments)?.revision?.s3Location?.version).toBe(current?.VersionId);
      // Deployments follow the builds' order: never an older replica after a newer one.
      const replicaAge = (await h.versions(TARGET_REGION, seoul, key)).map((v) => v.VersionId); // newest first
      const ages = byCreation(deployments).map((d) => replicaAge.indexOf(d.revision?.s3Location?.version));
      expect(ages.every((age) => age >= 0)).toBe(true);
      expect([...ages].sort((x, y) => y - x)).toEqual(ages);
      // No revision is deployed twice.
      expect(new Set(revisionVersions(deployments)).size).toBe(deployments.length);
      for (const execution of executions) {
        const output = relayOutput(execution);
        if (output.source.key !== key) continue;
        const result = resultFor(output, seoul);
        if (result.status === 'superseded') skipped.push(execution);
        else if (result.status === 'copied' || result.status === 'in-sync') {
          expect(deployments.map((d) => d.deploymentId)).toContain(result.deployment?.id);
        }
      }
    }
    expect(skipped.length).toBeGreaterThan(0);
    // The stale executions say why they deployed nothing, in their output.
    for (const execution of skipped) {
      const result = resultFor(relayOutput(execution), seoul);
      expect(result.status).toBe('superseded');
      if (result.status === 'superseded' && result.deployment !== undefined) {
        expect(result.deployment).toMatchObject({
          status: 'Skipped',
          detail: expect.stringContaining('newer'),
        });
      }
    }
  });

  it('creates exactly one deployment when five executions of one version run at once', async () => {
    // Arrange
    const source = h.name('many-src');
    const seoul = h.name('many-seoul');
    await h.bucket(source, SOURCE_REGION, { versioned: true });
    await h.bucket(seoul, TARGET_REGION, { versioned: true });
    await h.deploymentGroup(TARGET_REGION, 'many-web', 'many-prod');
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
                  bucket: seoul,
                  region: TARGET_REGION,
                  deploy: { application: 'many-web', deploymentGroup: 'many-prod', bundleType: 'zip' },
                },
              ],
            },
          ],
        },
      ],
    });
    const key = 'build_artifacts/web.zip';

    // Act: the S3 event's own execution, its duplicate delivery, and three replays of the same version
    const put = await h.put(SOURCE_REGION, { Bucket: source, Key: key, Body: await zipWithAppspec() });
    const request = { bucket: source, key, versionId: put.VersionId };
    const started = await Promise.all([
      relay.start(h.events(source)[0]),
      relay.start(request),
      relay.start(request),
      relay.start(request),
    ]);
    const executions = [
      ...(await relay.settle()),
      ...(await Promise.all(started.map((arn) => relay.wait(arn)))),
    ];

    // Assert
    expect(executions).toHaveLength(5);
    expect(executions.map((e) => e.status)).toEqual(Array(5).fill('SUCCEEDED'));
    const deployments = await h.deployments(TARGET_REGION, 'many-web', 'many-prod');
    expect(deployments).toHaveLength(1);
    const ids = executions.map((e) => {
      const result = resultFor(relayOutput(e), seoul);
      return result.status === 'copied' || result.status === 'in-sync' ? result.deployment?.id : undefined;
    });
    expect(ids).toEqual(Array(5).fill(deployments[0]?.deploymentId));
    // The group's ledger names the deployment and the build it deploys.
    const ledger = await h
      .s3(TARGET_REGION)
      .send(new GetObjectCommand({ Bucket: seoul, Key: ledgerKey('many-web', 'many-prod') }));
    const record = ledgerRecordSchema.parse(JSON.parse((await ledger.Body?.transformToString()) ?? 'null'));
    expect(record).toMatchObject({
      deploymentId: deployments[0]?.deploymentId,
      build: { source: { bucket: source, key, versionId: put.VersionId } },
    });
  });
});
