import {
  BatchGetDeploymentsCommand,
  CodeDeployClient,
  CreateDeploymentCommand,
  type DeploymentInfo,
  type DeploymentStatus,
  GetDeploymentCommand,
  ListDeploymentsCommand,
  type S3Location,
} from '@aws-sdk/client-codedeploy';
import {
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../../../core/config/schema.ts';
import { type LedgerRecord, ledgerKey, STALE_CLAIM_MS } from '../../../../core/deployment-ledger.ts';
import {
  DeploymentFailed,
  DeploymentGroupBusy,
  DeploymentRejected,
  InvalidInput,
} from '../../../../core/errors.ts';
import type { CopyResult, DeploymentState, TaskInput } from '../../../../core/workflow.ts';
import { createStartDeploymentHandler } from '../../../../functions/start-deployment/index.ts';
import { awsError, TARGET, taskInput } from '../fixtures.ts';

const DEPLOYING_TARGET: TargetConfig = {
  ...TARGET,
  deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip', waitTimeoutSeconds: 3600 },
};

const COPIED: CopyResult = {
  status: 'copied',
  bytes: 10,
  destination: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', versionId: 'v-replica', etag: 'abc' },
};

const NOW = Date.parse('2026-11-24T12:00:00Z');

const EXECUTION = {
  id: 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:e-1',
  redriveCount: 0,
};

const LEDGER_KEY = ledgerKey('web', 'web-prod');

function idOf(state: DeploymentState): string {
  if (!('id' in state)) throw new Error(`expected a deployment, got ${JSON.stringify(state)}`);
  return state.id;
}

/**
 * An in-memory S3 for the ledger and the destination: GetObject/PutObject on the ledger key honour
 * If-None-Match: * and If-Match like S3 (412 when the condition fails); HeadObject answers with
 * `destination` (the replica itself unless a test replaces it).
 */
class FakeS3 {
  readonly client = new S3Client({
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  readonly mock = mockClient(this.client);
  ledger: { text: string; etag: string } | undefined;
  destination: { VersionId?: string; ETag: string; Metadata?: Record<string, string> } = {
    VersionId: 'v-replica',
    ETag: '"abc"',
  };
  writes = 0;

  reset(): void {
    this.mock.reset();
    this.ledger = undefined;
    this.writes = 0;
    this.destination = { VersionId: 'v-replica', ETag: '"abc"' };
    this.mock.on(HeadObjectCommand).callsFake(() => ({ ...this.destination }));
    this.mock.on(GetObjectCommand).callsFake(() => {
      if (this.ledger === undefined) throw awsError('NoSuchKey', 404);
      const text = this.ledger.text;
      return {
        ETag: `"${this.ledger.etag}"`,
        Body: { transformToString: async () => text } as unknown as GetObjectCommandOutput['Body'],
      };
    });
    this.mock
      .on(PutObjectCommand)
      .callsFake((input: { Key: string; Body: string; IfMatch?: string; IfNoneMatch?: string }) => {
        if (input.Key !== LEDGER_KEY) throw new Error(`unexpected PutObject of ${input.Key}`);
        if (input.IfNoneMatch === '*' && this.ledger !== undefined) throw awsError('PreconditionFailed', 412);
        if (input.IfMatch !== undefined && input.IfMatch !== `"${this.ledger?.etag}"`) {
          throw awsError('PreconditionFailed', 412);
        }
        this.writes += 1;
        this.ledger = { text: input.Body, etag: `e${this.writes}` };
        return { ETag: `"e${this.writes}"` };
      });
  }

  record(): LedgerRecord | undefined {
    return this.ledger === undefined ? undefined : (JSON.parse(this.ledger.text) as LedgerRecord);
  }

  seed(record: LedgerRecord): void {
    this.writes += 1;
    this.ledger = { text: JSON.stringify(record), etag: `e${this.writes}` };
  }
}

/** A ledger record of another build deployed (or being deployed) in web-prod. */
function recordOf(overrides: {
  readonly sequencer?: string;
  readonly lastModified?: string;
  readonly versionId?: string;
  readonly revisionVersion?: string;
  readonly execution?: string;
  readonly redriveCount?: number;
  readonly claimedAt?: number;
  readonly deploymentId?: string;
}): LedgerRecord {
  return {
    format: 1,
    application: 'web',
    deploymentGroup: 'web-prod',
    build: {
      source: {
        bucket: 'build-artifacts-oregon',
        key: 'build_artifacts/web.zip',
        etag: 'other',
        ...(overrides.versionId === undefined ? {} : { versionId: overrides.versionId }),
        ...(overrides.sequencer === undefined ? {} : { sequencer: overrides.sequencer }),
        ...(overrides.lastModified === undefined ? {} : { lastModified: overrides.lastModified }),
      },
      revision: {
        bucket: TARGET.bucket,
        key: 'build_artifacts/web.zip',
        etag: 'other',
        versionId: overrides.revisionVersion ?? 'v-other',
      },
    },
    claimedBy: { execution: overrides.execution ?? 'arn:other#x', redriveCount: overrides.redriveCount ?? 0 },
    claimedAt: new Date(overrides.claimedAt ?? NOW).toISOString(),
    ...(overrides.deploymentId === undefined ? {} : { deploymentId: overrides.deploymentId }),
  };
}

function deployment(id: string, status: DeploymentStatus, s3Location: S3Location): DeploymentInfo {
  return {
    deploymentId: id,
    status,
    revision: {
      revisionType: 'S3',
      s3Location: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', bundleType: 'zip', ...s3Location },
    },
  };
}

describe('StartDeployment', () => {
  const client = new CodeDeployClient({
    region: 'ap-northeast-2',
    credentials: { accessKeyId: 't', secretAccessKey: 't' },
  });
  const codeDeploy = mockClient(client);
  const regions: string[] = [];
  const s3 = new FakeS3();
  const start = createStartDeploymentHandler({
    codeDeployClientFor: (region) => {
      regions.push(region);
      return client;
    },
    s3ClientFor: () => s3.client,
    clock: () => NOW,
  });

  function input(overrides: Partial<TaskInput> = {}): TaskInput {
    return taskInput({ target: DEPLOYING_TARGET, copy: COPIED, execution: EXECUTION, ...overrides });
  }

  beforeEach(() => {
    s3.reset();
    codeDeploy.reset();
    regions.length = 0;
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: [] });
    codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-NEW' });
  });

  it("creates a deployment in the target's region with the replica as an S3 revision", async () => {
    // Arrange / Act
    const state = await start(input());

    // Assert
    expect(state).toEqual({ id: 'd-NEW', status: 'Created', done: false });
    expect(regions).toEqual(['ap-northeast-2']);
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)[0]?.args[0].input).toMatchObject({
      applicationName: 'web',
      deploymentGroupName: 'web-prod',
      revision: {
        revisionType: 'S3',
        s3Location: {
          bucket: TARGET.bucket,
          key: 'build_artifacts/web.zip',
          bundleType: 'zip',
          eTag: 'abc',
          version: 'v-replica',
        },
      },
    });
    const list = codeDeploy.commandCalls(ListDeploymentsCommand)[0]?.args[0].input;
    expect(list?.includeOnlyStatuses).not.toContain('Failed');
    expect(list?.includeOnlyStatuses).not.toContain('Stopped');
    expect(list?.createTimeRange?.end?.getTime()).toBe(NOW);
  });

  it('reuses a deployment of the same revision instead of deploying twice', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OTHER', 'd-SAME'] });
    codeDeploy.on(BatchGetDeploymentsCommand).resolves({
      deploymentsInfo: [
        deployment('d-OTHER', 'Succeeded', { version: 'v-older', eTag: 'old' }),
        deployment('d-SAME', 'InProgress', { version: 'v-replica', eTag: 'abc' }),
      ],
    });

    // Act
    const state = await start(input());

    // Assert
    expect(state).toEqual({ id: 'd-SAME', status: 'InProgress', done: false });
    expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
  });

  it('reports a reused deployment that already succeeded as done', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-DONE'] });
    codeDeploy
      .on(BatchGetDeploymentsCommand)
      .resolves({ deploymentsInfo: [deployment('d-DONE', 'Succeeded', { eTag: '"ABC"' })] });
    const unversioned = {
      ...COPIED,
      destination: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', etag: 'abc' },
    };

    // Act
    const state = await start(input({ copy: unversioned }));

    // Assert
    expect(state).toEqual({ id: 'd-DONE', status: 'Succeeded', done: true });
  });

  it('does not reuse a deployment of another object written under the same key', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-OLD'] });
    codeDeploy
      .on(BatchGetDeploymentsCommand)
      .resolves({ deploymentsInfo: [deployment('d-OLD', 'Succeeded', { eTag: 'different' })] });
    const unversioned = {
      ...COPIED,
      destination: { bucket: TARGET.bucket, key: 'build_artifacts/web.zip', etag: 'abc' },
    };

    // Act
    const state = await start(input({ copy: unversioned }));

    // Assert
    expect(idOf(state)).toBe('d-NEW');
  });

  it('reads every page of the listing', async () => {
    // Arrange
    codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-1'], nextToken: 'page-2' });
    codeDeploy.on(ListDeploymentsCommand, { nextToken: 'page-2' }).resolves({ deployments: ['d-2'] });
    codeDeploy
      .on(BatchGetDeploymentsCommand, { deploymentIds: ['d-1'] })
      .resolves({ deploymentsInfo: [deployment('d-1', 'Succeeded', { eTag: 'x' })] });
    codeDeploy
      .on(BatchGetDeploymentsCommand, { deploymentIds: ['d-2'] })
      .resolves({ deploymentsInfo: [deployment('d-2', 'Queued', { version: 'v-replica' })] });

    // Act
    const state = await start(input());

    // Assert
    expect(state).toEqual({ id: 'd-2', status: 'Queued', done: false });
  });

  it('turns DeploymentLimitExceededException into the retryable DeploymentGroupBusy', async () => {
    // Arrange
    codeDeploy.on(CreateDeploymentCommand).rejects(awsError('DeploymentLimitExceededException', 400));

    // Act
    const starting = start(input());

    // Assert
    await expect(starting).rejects.toBeInstanceOf(DeploymentGroupBusy);
    await expect(starting).rejects.toMatchObject({ name: 'DeploymentGroupBusy', retryable: true });
  });

  it('reports a deployment group CodeDeploy does not know as DeploymentRejected', async () => {
    // Arrange
    codeDeploy.on(CreateDeploymentCommand).rejects(awsError('DeploymentGroupDoesNotExistException', 400));

    // Act / Assert
    await expect(start(input())).rejects.toBeInstanceOf(DeploymentRejected);
  });

  it('refuses a target without deploy settings', async () => {
    // Arrange / Act / Assert
    await expect(start(input({ target: TARGET }))).rejects.toBeInstanceOf(InvalidInput);
  });
  describe('exactly once, newest wins (the deployment ledger)', () => {
    it("claims the group in its ledger with If-None-Match, then records the deployment's id", async () => {
      // Arrange / Act
      const state = await start(input());

      // Assert
      expect(idOf(state)).toBe('d-NEW');
      const puts = s3.mock.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
      expect(puts[0]).toMatchObject({ Bucket: TARGET.bucket, Key: LEDGER_KEY, IfNoneMatch: '*' });
      expect(puts[1]).toMatchObject({ Key: LEDGER_KEY, IfMatch: '"e1"' });
      expect(s3.record()).toMatchObject({
        build: { revision: { bucket: TARGET.bucket, versionId: 'v-replica', etag: 'abc' } },
        claimedBy: { execution: `${EXECUTION.id}#${TARGET.bucket}/build_artifacts/web.zip`, redriveCount: 0 },
        deploymentId: 'd-NEW',
      });
    });

    it('reuses the deployment the ledger records for this revision, creating nothing', async () => {
      // Arrange
      await start(input());
      codeDeploy
        .on(GetDeploymentCommand)
        .resolves({ deploymentInfo: { deploymentId: 'd-NEW', status: 'InProgress' } });

      // Act: a duplicate event's execution
      const again = await start(input({ execution: { ...EXECUTION, id: `${EXECUTION.id}-duplicate` } }));

      // Assert
      expect(again).toEqual({ id: 'd-NEW', status: 'InProgress', done: false });
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    });

    it('skips the deployment when the ledger records a newer build of the same key (by sequencer)', async () => {
      // Arrange
      s3.seed(recordOf({ sequencer: '0062E99A88DC407461', deploymentId: 'd-NEWER' }));

      // Act
      const state = await start(input());

      // Assert
      expect(state).toMatchObject({
        status: 'Skipped',
        reason: 'newer-build-deployed',
        newerDeploymentId: 'd-NEWER',
      });
      expect(state).toMatchObject({
        detail: expect.stringContaining('sequencer 0062E99A88DC407461 > 0062E99A88DC407460'),
      });
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
      expect(s3.mock.commandCalls(PutObjectCommand)).toHaveLength(0);
    });

    it('orders a replay without a sequencer by LastModified and skips it behind a newer build', async () => {
      // Arrange
      s3.seed(recordOf({ lastModified: '2026-11-24T11:00:05.000Z', deploymentId: 'd-NEWER' }));
      const { sequencer: _omitted, ...replayed } = taskInput().source;
      const source = { ...replayed, lastModified: '2026-11-24T11:00:01.000Z' };

      // Act
      const state = await start(input({ source }));

      // Assert
      expect(state).toMatchObject({ status: 'Skipped', reason: 'newer-build-deployed' });
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    });

    it("replaces an older build's record and deploys", async () => {
      // Arrange
      s3.seed(recordOf({ sequencer: '0062E99A88DC407400', deploymentId: 'd-OLDER' }));

      // Act
      const state = await start(input());

      // Assert
      expect(idOf(state)).toBe('d-NEW');
      expect(s3.record()).toMatchObject({
        deploymentId: 'd-NEW',
        build: { revision: { versionId: 'v-replica' } },
      });
    });

    it('waits, retryably, while another execution is between its claim and its CreateDeployment', async () => {
      // Arrange: a fresh claim of an older build, no deployment yet
      s3.seed(recordOf({ sequencer: '0062E99A88DC407400' }));

      // Act
      const starting = start(input());

      // Assert
      await expect(starting).rejects.toBeInstanceOf(DeploymentGroupBusy);
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    });

    it('waits for the claimant of this very revision, then takes over a claim gone stale', async () => {
      // Arrange
      s3.seed(recordOf({ revisionVersion: 'v-replica', claimedAt: NOW - 60_000 }));
      await expect(start(input())).rejects.toBeInstanceOf(DeploymentGroupBusy);
      s3.seed(recordOf({ revisionVersion: 'v-replica', claimedAt: NOW - STALE_CLAIM_MS - 1 }));

      // Act
      const state = await start(input());

      // Assert
      expect(idOf(state)).toBe('d-NEW');
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
    });

    it('finds the deployment its own claim created before a crash kept it from being recorded', async () => {
      // Arrange
      s3.seed(
        recordOf({
          revisionVersion: 'v-replica',
          execution: `${EXECUTION.id}#${TARGET.bucket}/build_artifacts/web.zip`,
        }),
      );
      codeDeploy.on(ListDeploymentsCommand).resolves({ deployments: ['d-CRASHED'] });
      codeDeploy.on(BatchGetDeploymentsCommand).resolves({
        deploymentsInfo: [deployment('d-CRASHED', 'InProgress', { version: 'v-replica', eTag: 'abc' })],
      });

      // Act
      const state = await start(input());

      // Assert
      expect(idOf(state)).toBe('d-CRASHED');
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
      expect(s3.record()?.deploymentId).toBe('d-CRASHED');
    });

    it('never deploys a failed revision again on its own: a duplicate gets DeploymentFailed', async () => {
      // Arrange
      s3.seed(recordOf({ revisionVersion: 'v-replica', deploymentId: 'd-FAILED', execution: 'arn:first#x' }));
      codeDeploy.on(GetDeploymentCommand).resolves({
        deploymentInfo: {
          deploymentId: 'd-FAILED',
          status: 'Failed',
          errorInformation: { code: 'HEALTH_CONSTRAINTS', message: 'too many instances failed' },
        },
      });

      // Act
      const starting = start(input());

      // Assert
      await expect(starting).rejects.toBeInstanceOf(DeploymentFailed);
      await expect(starting).rejects.toMatchObject({
        deploymentId: 'd-FAILED',
        deploymentErrorCode: 'HEALTH_CONSTRAINTS',
        message: expect.stringContaining('redrive'),
      });
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    });

    it("deploys a failed revision again on an operator's redrive, once", async () => {
      // Arrange
      s3.seed(recordOf({ revisionVersion: 'v-replica', deploymentId: 'd-FAILED', execution: 'arn:first#x' }));
      codeDeploy
        .on(GetDeploymentCommand)
        .resolves({ deploymentInfo: { deploymentId: 'd-FAILED', status: 'Failed' } });
      const redrive = { ...EXECUTION, redriveCount: 1 };

      // Act
      const state = await start(input({ execution: redrive }));
      codeDeploy
        .on(GetDeploymentCommand)
        .resolves({ deploymentInfo: { deploymentId: 'd-NEW', status: 'InProgress' } });
      const concurrent = await start(input({ execution: { id: 'arn:other-redrive', redriveCount: 1 } }));

      // Assert
      expect(idOf(state)).toBe('d-NEW');
      expect(idOf(concurrent)).toBe('d-NEW');
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(1);
      expect(s3.record()?.claimedBy.redriveCount).toBe(1);
    });

    it('records a revision CodeDeploy refused and refuses it again without asking, until a redrive', async () => {
      // Arrange
      codeDeploy
        .on(CreateDeploymentCommand)
        .rejects(awsError('InvalidRevisionException', 400, 'no appspec.yml'));
      await expect(start(input())).rejects.toBeInstanceOf(DeploymentRejected);

      // Act: the second pass of the same execution, a duplicate, then an operator's redrive
      const secondPass = start(input());
      const duplicate = start(input({ execution: { ...EXECUTION, id: `${EXECUTION.id}-duplicate` } }));
      await expect(secondPass).rejects.toMatchObject({
        name: 'DeploymentRejected',
        message: expect.stringContaining('redrive'),
      });
      await expect(duplicate).rejects.toBeInstanceOf(DeploymentRejected);
      const createsBeforeRedrive = codeDeploy.commandCalls(CreateDeploymentCommand).length;
      codeDeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-FIXED' });
      const redriven = await start(input({ execution: { ...EXECUTION, redriveCount: 1 } }));

      // Assert
      expect(createsBeforeRedrive).toBe(1);
      expect(s3.record()?.rejected).toBeUndefined();
      expect(idOf(redriven)).toBe('d-FIXED');
    });

    it('lets a newer build replace a refused one without waiting', async () => {
      // Arrange
      s3.seed({
        ...recordOf({ sequencer: '0062E99A88DC407400' }),
        rejected: { error: 'InvalidRevisionException', message: 'no appspec.yml' },
      });

      // Act
      const state = await start(input());

      // Assert
      expect(idOf(state)).toBe('d-NEW');
    });

    it('skips the deployment when the destination key now holds a replica of a newer build', async () => {
      // Arrange
      s3.destination = {
        VersionId: 'v-replica-2',
        ETag: '"def"',
        Metadata: {
          'relay-source': 'build-artifacts-oregon/build_artifacts/web.zip',
          'relay-source-version': 'v-source-2',
          'relay-sequencer': '0062E99A88DC407499',
        },
      };

      // Act
      const state = await start(input());

      // Assert
      expect(state).toMatchObject({ status: 'Skipped', reason: 'replica-replaced' });
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    });

    it('reads the ledger again when another execution wrote it between its read and its claim', async () => {
      // Arrange: the first claim attempt loses to another execution of the same revision, which deploys
      let raced = false;
      s3.mock
        .on(PutObjectCommand)
        .callsFake((put: { Body: string; IfNoneMatch?: string; IfMatch?: string }) => {
          if (!raced) {
            raced = true;
            s3.seed(recordOf({ revisionVersion: 'v-replica', deploymentId: 'd-WINNER' }));
            throw awsError('PreconditionFailed', 412);
          }
          throw new Error(`unexpected write ${put.Body}`);
        });
      codeDeploy
        .on(GetDeploymentCommand)
        .resolves({ deploymentInfo: { deploymentId: 'd-WINNER', status: 'Queued' } });

      // Act
      const state = await start(input());

      // Assert
      expect(state).toEqual({ id: 'd-WINNER', status: 'Queued', done: false });
      expect(codeDeploy.commandCalls(CreateDeploymentCommand)).toHaveLength(0);
    });

    it('refuses an input without the execution context the state machine passes', async () => {
      // Arrange
      const { execution: _none, ...withoutExecution } = input();

      // Act / Assert
      await expect(start(withoutExecution)).rejects.toBeInstanceOf(InvalidInput);
    });
  });
});
