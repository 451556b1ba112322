/**
 * The deployment logic shared by StartDeployment and `relay deploy` (core/deployment/start.ts), driven
 * through in-memory ports: the operator's rollback and what automatic work does after it.
 */
import { describe, expect, it } from 'vitest';
import type { TargetConfig } from '../../../../core/config/schema.ts';
import type {
  CreateDeploymentRequest,
  DeploymentPorts,
  ReplicaHead,
} from '../../../../core/deployment/ports.ts';
import { deployReplica, replicaOf } from '../../../../core/deployment/start.ts';
import { claimRecord, type LedgerRecord } from '../../../../core/deployment-ledger.ts';
import type { TaskInput } from '../../../../core/workflow.ts';
import { SOURCE, TARGET, taskInput } from '../../functions/fixtures.ts';

const DEPLOYING: TargetConfig = {
  ...TARGET,
  deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip', waitTimeoutSeconds: 3600 },
};

const NOW = Date.parse('2026-11-24T12:00:00Z');

/** A build of the source at `sequencer`, its replica `replicaVersion`, deployed by `execution`. */
function build(sequencer: string, replicaVersion: string, execution = 'e-1', redriveCount = 0): TaskInput {
  return taskInput({
    source: { ...SOURCE, versionId: `src-${sequencer}`, sequencer, etag: `etag-${sequencer}` },
    target: DEPLOYING,
    copy: {
      status: 'copied',
      bytes: 10,
      destination: {
        bucket: TARGET.bucket,
        key: 'web.zip',
        versionId: replicaVersion,
        etag: `r-${sequencer}`,
      },
    },
    execution: { id: execution, redriveCount },
  });
}

/** In-memory ports: a ledger honouring the expected ETag, a replica key, and a CodeDeploy that creates. */
class Fakes {
  ledger: { record: LedgerRecord; etag: string } | undefined;
  head: ReplicaHead | undefined;
  readonly created: CreateDeploymentRequest[] = [];
  private writes = 0;

  readonly ports: DeploymentPorts = {
    ledger: {
      read: async () => ({ record: this.ledger?.record, etag: this.ledger?.etag }),
      write: async (record, expected) => {
        if (expected !== this.ledger?.etag) return undefined;
        this.writes += 1;
        this.ledger = { record, etag: `etag-${this.writes}` };
        return this.ledger.etag;
      },
    },
    replica: { head: async () => this.head },
    deployments: {
      find: async () => undefined,
      create: async (request) => {
        this.created.push(request);
        return `d-${this.created.length}`;
      },
      get: async (id) => ({ id, status: 'Succeeded' }),
    },
  };
}

function deployed(fakes: Fakes, input: TaskInput, id: string): void {
  const source = input.source;
  const replica = replicaOf(input);
  fakes.ledger = {
    record: {
      ...claimRecord(
        DEPLOYING.deploy ?? { application: '', deploymentGroup: '' },
        {
          source: {
            bucket: source.bucket,
            key: source.key,
            etag: source.etag,
            ...(source.versionId === undefined ? {} : { versionId: source.versionId }),
            ...(source.sequencer === undefined ? {} : { sequencer: source.sequencer }),
          },
          revision: {
            bucket: replica.bucket,
            key: replica.key,
            etag: replica.etag,
            ...(replica.versionId === undefined ? {} : { versionId: replica.versionId }),
          },
        },
        { execution: 'earlier#x', redriveCount: 0 },
        NOW - 60_000,
      ),
      deploymentId: id,
    },
    etag: 'etag-0',
  };
}

describe('deploying a replica through the ports', () => {
  it('skips an older build than the group runs when it is not a rollback', async () => {
    // Arrange
    const fakes = new Fakes();
    deployed(fakes, build('0002', 'v2'), 'd-newer');

    // Act
    const state = await deployReplica(build('0001', 'v1', 'operator'), fakes.ports, NOW);

    // Assert
    expect(state).toMatchObject({
      status: 'Skipped',
      reason: 'newer-build-deployed',
      newerDeploymentId: 'd-newer',
    });
    expect(fakes.created).toEqual([]);
  });

  it('deploys an older build on a rollback and records the build rolled back from', async () => {
    // Arrange: the key holds the newer replica, which alone would skip an automatic deployment
    const fakes = new Fakes();
    deployed(fakes, build('0002', 'v2'), 'd-newer');
    fakes.head = { versionId: 'v2', etag: 'r-0002' };

    // Act
    const state = await deployReplica(build('0001', 'v1', 'operator', 1), fakes.ports, NOW, {
      rollback: true,
    });

    // Assert
    expect(state).toMatchObject({ id: 'd-1', status: 'Created' });
    expect(fakes.created[0]?.revision).toMatchObject({ key: 'web.zip', versionId: 'v1' });
    expect(fakes.ledger?.record).toMatchObject({
      deploymentId: 'd-1',
      build: { revision: { versionId: 'v1' } },
      rolledBackFrom: { versionId: 'src-0002', sequencer: '0002' },
    });
  });

  it('after a rollback deploys automatically only a build newer than the one rolled back from', async () => {
    // Arrange
    const fakes = new Fakes();
    deployed(fakes, build('0002', 'v2'), 'd-newer');
    await deployReplica(build('0001', 'v1', 'operator', 1), fakes.ports, NOW, { rollback: true });

    // Act
    const lateDuplicate = await deployReplica(build('0002', 'v2', 'e-late'), fakes.ports, NOW);
    const newer = await deployReplica(build('0003', 'v3', 'e-3'), fakes.ports, NOW);

    // Assert
    expect(lateDuplicate).toMatchObject({ status: 'Skipped', reason: 'newer-build-deployed' });
    expect(newer).toMatchObject({ id: 'd-2', status: 'Created' });
    expect(fakes.ledger?.record.rolledBackFrom).toBeUndefined();
  });
});
