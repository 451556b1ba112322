import { describe, expect, it } from 'vitest';
import {
  AccessDenied,
  DeploymentFailed,
  DeploymentGroupBusy,
  TransientAwsError,
  VerificationFailed,
} from '../../../core/errors.ts';
import { RETRY_SUFFIX } from '../../../core/state-names.ts';
import {
  type RelayOutput,
  type ResolveTargetsOutput,
  relayOutputSchema,
  type TaskInput,
} from '../../../core/workflow.ts';
import {
  callsOf,
  copied,
  lambdaError,
  type RunOutcome,
  resolvesTo,
  runRelay,
  SETTINGS,
  SOURCE,
  target,
} from './harness.ts';

const EVENT = {
  source: 'aws.s3',
  'detail-type': 'Object Created',
  detail: { bucket: { name: SOURCE.bucket } },
};

const seoul = target('artifacts-seoul', 'ap-northeast-2', true);
const frankfurt = target('artifacts-frankfurt', 'eu-central-1');
const tokyo = target('artifacts-tokyo', 'ap-northeast-1');

function relayOutput(outcome: RunOutcome): RelayOutput {
  expect(outcome.error).toBeUndefined();
  return relayOutputSchema.parse(outcome.output);
}

function resultFor(outcome: RunOutcome, bucket: string) {
  return relayOutput(outcome).results.find((result) => result.target.bucket === bucket);
}

function statesOf(outcome: RunOutcome, role: Parameters<typeof callsOf>[1], bucket: string): string[] {
  return callsOf(outcome, role, bucket).map((call) => call.state);
}

describe('the relay definition, run locally', () => {
  it('gives one result per target on the happy path, deploying only where asked', async () => {
    // Arrange
    const fakes = { resolveTargets: resolvesTo([seoul, frankfurt, tokyo]) };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    const output = relayOutput(outcome);
    expect(output.source).toEqual(SOURCE);
    expect(output.results.map((result) => result.target.bucket)).toEqual([
      'artifacts-seoul',
      'artifacts-frankfurt',
      'artifacts-tokyo',
    ]);
    expect(resultFor(outcome, 'artifacts-seoul')).toEqual({
      target: seoul,
      index: 0,
      status: 'copied',
      bytes: SOURCE.size,
      verifiedBy: 'checksum:CRC64NVME',
      destination: { bucket: 'artifacts-seoul', key: SOURCE.key, versionId: 'r1', etag: SOURCE.etag },
      deployment: { id: 'd-FAKE0001', status: 'Succeeded' },
    });
    expect(resultFor(outcome, 'artifacts-frankfurt')).toEqual({
      target: frankfurt,
      index: 1,
      status: 'copied',
      bytes: SOURCE.size,
      verifiedBy: 'checksum:CRC64NVME',
      destination: { bucket: 'artifacts-frankfurt', key: SOURCE.key, versionId: 'r1', etag: SOURCE.etag },
    });
    expect(callsOf(outcome, 'start-deployment', 'artifacts-frankfurt')).toHaveLength(0);
    expect(outcome.calls.filter((call) => call.state.endsWith(RETRY_SUFFIX))).toHaveLength(0);
  });

  it('ends with both passes side by side: nothing retried when nothing failed, only the failed target when one did', async () => {
    // Arrange
    const healthy = { resolveTargets: resolvesTo([frankfurt, tokyo]) };
    const oneFailing = {
      resolveTargets: resolvesTo([frankfurt, tokyo]),
      copy: (input: TaskInput, { state }: { state: string }) => {
        if (input.target.bucket === 'artifacts-tokyo' && state === 'Copy')
          throw new AccessDenied('denied (fake)');
        return copied(input);
      },
    };

    // Act
    const clean = await runRelay(EVENT, healthy);
    const retried = await runRelay(EVENT, oneFailing);

    // Assert
    expect(clean.output).toMatchObject({ firstPass: { failed: [] }, retried: [] });
    expect(retried.output).toMatchObject({
      firstPass: { failed: [{ index: 1, status: 'failed', error: 'AccessDenied' }] },
      retried: [{ index: 1, status: 'copied' }],
    });
    expect(relayOutput(retried).results.map((result) => [result.index, result.status])).toEqual([
      [0, 'copied'],
      [1, 'copied'],
    ]);
    expect(statesOf(retried, 'copy-object', 'artifacts-frankfurt')).toEqual(['Copy']);
  });

  it('hands each task the execution settings, the source and its own target', async () => {
    // Arrange
    const fakes = { resolveTargets: resolvesTo([frankfurt]) };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    const [copy] = callsOf(outcome, 'copy-object', 'artifacts-frankfurt');
    expect(copy?.input).toEqual({ source: SOURCE, settings: SETTINGS, target: frankfurt, index: 0 });
    const [resolve] = outcome.calls;
    expect(resolve?.input).toEqual(EVENT);
  });

  it('reports an in-sync replica as in-sync', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([tokyo]),
      copy: (input: TaskInput) => copied(input, 'in-sync'),
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(resultFor(outcome, 'artifacts-tokyo')?.status).toBe('in-sync');
    expect(callsOf(outcome, 'verify-copy', 'artifacts-tokyo')).toHaveLength(1);
  });

  it('calls Copy again while a multipart copy reports copying, passing its progress back', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([frankfurt]),
      copy: (input: TaskInput, { attempt }: { attempt: number }) =>
        attempt < 3
          ? {
              status: 'copying' as const,
              bytes: attempt * 1024,
              uploadId: 'upload-1',
              nextPart: attempt + 1,
              destination: { bucket: input.target.bucket, key: input.source.key },
            }
          : copied(input),
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    const copies = callsOf(outcome, 'copy-object', 'artifacts-frankfurt');
    expect(copies.map((call) => call.state)).toEqual(['Copy', 'Copy', 'Copy']);
    expect(copies[2]?.input).toMatchObject({
      copy: { status: 'copying', uploadId: 'upload-1', nextPart: 3 },
    });
    expect(resultFor(outcome, 'artifacts-frankfurt')?.status).toBe('copied');
  });

  it('runs a permanent failure through the chain once more at once, without a pause, then fails the execution', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([frankfurt, tokyo]),
      copy: (input: TaskInput) => {
        if (input.target.bucket === 'artifacts-tokyo')
          throw new AccessDenied('s3:PutObject denied on artifacts-tokyo');
        return copied(input);
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(outcome.error?.name).toBe('AccessDenied');
    expect(outcome.error?.message).toBe('s3:PutObject denied on artifacts-tokyo');
    expect(statesOf(outcome, 'copy-object', 'artifacts-tokyo')).toEqual(['Copy', `Copy${RETRY_SUFFIX}`]);
    expect(statesOf(outcome, 'copy-object', 'artifacts-frankfurt')).toEqual(['Copy']);
    expect(statesOf(outcome, 'verify-copy', 'artifacts-frankfurt')).toEqual(['Verify']);
  });

  it('fails the execution when a target fails transiently in both passes', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([frankfurt, tokyo]),
      copy: (input: TaskInput) => {
        if (input.target.bucket === 'artifacts-tokyo') throw new TransientAwsError('503 SlowDown, again');
        return copied(input);
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(outcome.error?.name).toBe('TransientAwsError');
    const tokyoStates = statesOf(outcome, 'copy-object', 'artifacts-tokyo');
    expect(tokyoStates.filter((state) => state === 'Copy')).toHaveLength(7); // 1 + 6 retries
    expect(tokyoStates.filter((state) => state === `Copy${RETRY_SUFFIX}`)).toHaveLength(7);
    expect(statesOf(outcome, 'copy-object', 'artifacts-frankfurt')).toEqual(['Copy']);
  });

  it('succeeds when a target that failed transiently in the first pass succeeds in the second', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([frankfurt, tokyo]),
      copy: (input: TaskInput, { state }: { state: string }) => {
        if (input.target.bucket === 'artifacts-tokyo' && state === 'Copy') {
          throw new TransientAwsError('503 SlowDown from artifacts-tokyo');
        }
        return copied(input);
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(resultFor(outcome, 'artifacts-tokyo')).toMatchObject({
      status: 'copied',
      verifiedBy: 'checksum:CRC64NVME',
    });
    expect(resultFor(outcome, 'artifacts-frankfurt')?.status).toBe('copied');
    const retry = callsOf(outcome, 'copy-object', 'artifacts-tokyo').find(
      (call) => call.state === `Copy${RETRY_SUFFIX}`,
    );
    expect(
      callsOf(outcome, 'copy-object', 'artifacts-tokyo').filter((call) => call.state === 'Copy'),
    ).toHaveLength(7);
    expect(retry?.input).toMatchObject({
      target: tokyo,
      result: {
        target: tokyo,
        status: 'failed',
        error: 'TransientAwsError',
        // A Lambda error's Cause is the runtime's JSON, on AWS and locally alike.
        cause: expect.stringContaining('"errorMessage":"503 SlowDown from artifacts-tokyo"'),
      },
    });
    expect(statesOf(outcome, 'copy-object', 'artifacts-frankfurt')).toEqual(['Copy']);
  });

  it('re-copies once with recopy set after a verification mismatch, then succeeds', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([frankfurt]),
      verify: (input: TaskInput, { attempt }: { attempt: number }) => {
        if (attempt === 1) throw new VerificationFailed('CRC64NVME differs');
        return { verifiedBy: 'checksum:CRC64NVME' as const, bytes: input.source.size };
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    const copies = callsOf(outcome, 'copy-object', 'artifacts-frankfurt');
    expect(copies.map((call) => call.state)).toEqual(['Copy', 'Copy']);
    expect(copies[0]?.input).not.toHaveProperty('recopy');
    expect(copies[1]?.input).toMatchObject({
      recopy: true,
      mismatch: { Error: 'VerificationFailed', Cause: expect.stringContaining('CRC64NVME differs') },
    });
    expect(resultFor(outcome, 'artifacts-frankfurt')?.status).toBe('copied');
  });

  it('fails the execution with VerificationFailed when the re-copy mismatches too, in both passes', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([frankfurt]),
      verify: (): never => {
        throw new VerificationFailed('size 4096 != 4095');
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(outcome.error?.name).toBe('VerificationFailed');
    expect(outcome.error?.message).toBe('size 4096 != 4095');
    expect(statesOf(outcome, 'copy-object', 'artifacts-frankfurt')).toEqual([
      'Copy',
      'Copy',
      `Copy${RETRY_SUFFIX}`,
      `Copy${RETRY_SUFFIX}`,
    ]);
  });

  it('polls the deployment until CheckDeployment reports it done', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([seoul]),
      checkDeployment: (_input: TaskInput, { attempt }: { attempt: number }) =>
        attempt < 3
          ? { id: 'd-FAKE0001', status: 'InProgress' as const, done: false }
          : { id: 'd-FAKE0001', status: 'Succeeded' as const, done: true },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(statesOf(outcome, 'start-deployment', 'artifacts-seoul')).toEqual(['StartDeployment']);
    expect(statesOf(outcome, 'check-deployment', 'artifacts-seoul')).toEqual([
      'CheckDeployment',
      'CheckDeployment',
      'CheckDeployment',
    ]);
    expect(callsOf(outcome, 'check-deployment', 'artifacts-seoul')[0]?.input).toMatchObject({
      deployment: { id: 'd-FAKE0001', status: 'Created', done: false },
    });
    expect(resultFor(outcome, 'artifacts-seoul')?.status).toBe('copied');
    expect(relayOutput(outcome).results[0]).toMatchObject({
      deployment: { id: 'd-FAKE0001', status: 'Succeeded' },
    });
  });

  it('propagates a delete to every target of a deleting rule, one DeleteReplica each, never copying', async () => {
    // Arrange
    const deleted = {
      bucket: SOURCE.bucket,
      key: SOURCE.key,
      region: SOURCE.region,
      deletion: 'delete-marker' as const,
      sequencer: '0055AED6DCD90281F0',
    };
    const fakes = {
      resolveTargets: () => ({
        operation: 'delete' as const,
        source: deleted,
        targets: [frankfurt, tokyo],
        settings: SETTINGS,
      }),
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(outcome.error).toBeUndefined();
    expect(outcome.output).toMatchObject({
      operation: 'delete',
      results: [
        { target: frankfurt, status: 'deleted' },
        { target: tokyo, status: 'deleted' },
      ],
    });
    expect(statesOf(outcome, 'delete-replica', 'artifacts-tokyo')).toEqual(['DeleteReplica']);
    expect(callsOf(outcome, 'delete-replica', 'artifacts-tokyo')[0]?.input).toEqual({
      source: deleted,
      target: tokyo,
    });
    expect(outcome.calls.filter((call) => call.role === 'copy-object')).toEqual([]);
  });

  it('fails the execution when a replica cannot be deleted, for redrive', async () => {
    // Arrange
    const fakes = {
      resolveTargets: () => ({
        operation: 'delete' as const,
        source: {
          bucket: SOURCE.bucket,
          key: SOURCE.key,
          region: SOURCE.region,
          deletion: 'permanent' as const,
        },
        targets: [tokyo],
        settings: SETTINGS,
      }),
      deleteReplica: (): never => {
        throw new AccessDenied('s3:DeleteObject denied (fake)');
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(outcome.error?.name).toBe('AccessDenied');
  });

  it('ends a delete no rule propagates in NothingToRelay with the reason', async () => {
    // Arrange
    const nothing = {
      operation: 'delete' as const,
      source: {
        bucket: SOURCE.bucket,
        key: SOURCE.key,
        region: SOURCE.region,
        deletion: 'permanent' as const,
      },
      targets: [],
      settings: SETTINGS,
      reason: 'no-rule' as const,
    };

    // Act
    const outcome = await runRelay(EVENT, { resolveTargets: () => nothing });

    // Assert
    expect(outcome.output).toEqual(nothing);
    expect(outcome.calls.map((call) => call.role)).toEqual(['resolve-targets']);
  });

  it('ends in NothingToRelay with the reason when there are no targets', async () => {
    // Arrange
    const nothing: ResolveTargetsOutput = {
      targets: [],
      settings: SETTINGS,
      reason: 'no-rule',
      detail: 'no rule of build-artifacts-oregon matches the key',
    };
    const fakes = { resolveTargets: () => nothing };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(outcome.output).toEqual(nothing);
    expect(outcome.calls.map((call) => call.role)).toEqual(['resolve-targets']);
  });

  it.each(['superseded', 'source-gone'] as const)(
    'reports %s without verifying or deploying',
    async (status) => {
      // Arrange
      const fakes = {
        resolveTargets: resolvesTo([seoul]),
        copy: (input: TaskInput) =>
          status === 'superseded'
            ? {
                status,
                bytes: 0,
                destination: { bucket: input.target.bucket, key: input.source.key, etag: 'newer' },
              }
            : { status, bytes: 0, destination: { bucket: input.target.bucket, key: input.source.key } },
      };

      // Act
      const outcome = await runRelay(EVENT, fakes);

      // Assert
      expect(resultFor(outcome, 'artifacts-seoul')).toMatchObject({ status, bytes: 0 });
      expect(callsOf(outcome, 'verify-copy', 'artifacts-seoul')).toHaveLength(0);
      expect(callsOf(outcome, 'start-deployment', 'artifacts-seoul')).toHaveLength(0);
    },
  );

  it('retries transient errors in place, not through the second pass', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([seoul]),
      copy: (input: TaskInput, { attempt }: { attempt: number }) => {
        if (attempt === 1) throw new TransientAwsError('503 SlowDown');
        return copied(input);
      },
      verify: (input: TaskInput, { attempt }: { attempt: number }) => {
        if (attempt === 1) throw lambdaError('Lambda.ServiceException');
        return { verifiedBy: 'etag' as const, bytes: input.source.size };
      },
      startDeployment: (_input: TaskInput, { attempt }: { attempt: number }) => {
        if (attempt < 3) throw new DeploymentGroupBusy('another deployment is in progress');
        return { id: 'd-FAKE0002', status: 'Queued' as const, done: false };
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(statesOf(outcome, 'copy-object', 'artifacts-seoul')).toEqual(['Copy', 'Copy']);
    expect(statesOf(outcome, 'verify-copy', 'artifacts-seoul')).toEqual([
      'Verify before deploy',
      'Verify before deploy',
    ]);
    expect(statesOf(outcome, 'start-deployment', 'artifacts-seoul')).toEqual([
      'StartDeployment',
      'StartDeployment',
      'StartDeployment',
    ]);
    expect(resultFor(outcome, 'artifacts-seoul')).toMatchObject({
      status: 'copied',
      verifiedBy: 'etag',
      deployment: { id: 'd-FAKE0002', status: 'Succeeded' },
    });
  });

  it('does not retry a failed deployment in place; the second pass runs the chain at once, without a pause', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([seoul]),
      checkDeployment: (): never => {
        throw new DeploymentFailed('d-FAKE0001', 'SCRIPT_FAILED: ApplicationStart failed', {
          deploymentErrorCode: 'SCRIPT_FAILED',
        });
      },
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(outcome.error?.name).toBe('DeploymentFailed');
    expect(outcome.error?.message).toBe('SCRIPT_FAILED: ApplicationStart failed');
    expect(statesOf(outcome, 'check-deployment', 'artifacts-seoul')).toEqual([
      'CheckDeployment',
      `CheckDeployment${RETRY_SUFFIX}`,
    ]);
  });
  it("passes StartDeployment the execution's id and redrive count from the context object", async () => {
    // Arrange / Act
    const outcome = await runRelay(EVENT, { resolveTargets: resolvesTo([seoul]) });

    // Assert
    const [start] = callsOf(outcome, 'start-deployment', 'artifacts-seoul');
    expect(start?.input).toMatchObject({ execution: { id: outcome.executionArn, redriveCount: 0 } });
  });

  it('reports a target superseded, copied and verified but not deployed, when a newer build is deployed', async () => {
    // Arrange
    const fakes = {
      resolveTargets: resolvesTo([seoul]),
      startDeployment: () => ({
        status: 'Skipped' as const,
        done: true as const,
        reason: 'newer-build-deployed' as const,
        detail: 'a newer build is deployed in web/web-prod',
        newerDeploymentId: 'd-NEWER',
      }),
    };

    // Act
    const outcome = await runRelay(EVENT, fakes);

    // Assert
    expect(resultFor(outcome, 'artifacts-seoul')).toMatchObject({
      status: 'superseded',
      verifiedBy: 'checksum:CRC64NVME',
      deployment: { status: 'Skipped', reason: 'newer-build-deployed', newerDeploymentId: 'd-NEWER' },
    });
    expect(callsOf(outcome, 'check-deployment', 'artifacts-seoul')).toHaveLength(0);
  });
});
