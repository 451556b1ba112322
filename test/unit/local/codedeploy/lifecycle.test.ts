import { describe, expect, it } from 'vitest';
import { deploymentState, scheduleDeployment } from '../../../../local/codedeploy/lifecycle.ts';
import type { DeploymentRecord } from '../../../../local/codedeploy/model.ts';

const T0 = 1_700_000_000_000;

function record(extra: Partial<DeploymentRecord> = {}): DeploymentRecord {
  return {
    region: 'us-east-1',
    deploymentId: 'd-AAAAAAAAA',
    applicationName: 'web',
    deploymentGroupName: 'prod',
    deploymentConfigName: 'CodeDeployDefault.OneAtATime',
    computePlatform: 'Server',
    revision: { revisionType: 'S3', s3Location: { bucket: 'b', key: 'k', bundleType: 'zip' } },
    createTime: T0,
    startTime: T0 + 1000,
    completeTime: T0 + 3000,
    outcome: { status: 'Succeeded' },
    ...extra,
  };
}

describe('scheduleDeployment', () => {
  it('places the phases at the scaled durations after creation', () => {
    // Act
    const times = scheduleDeployment(T0, { createdMs: 1000, inProgressMs: 2000 }, 0.01);

    // Assert
    expect(times).toEqual({ createTime: T0, startTime: T0 + 10, completeTime: T0 + 30 });
  });
});

describe('deploymentState', () => {
  it('reads a failed outcome only once the deployment has completed', () => {
    // Arrange
    const failed = record({ outcome: { status: 'Failed', code: 'TIMEOUT', message: 'timed out' } });

    // Act
    const running = deploymentState(failed, T0 + 2999);
    const ended = deploymentState(failed, T0 + 3000);

    // Assert
    expect(running).toEqual({
      status: 'InProgress',
      startTime: T0 + 1000,
      overview: { Pending: 0, InProgress: 1, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 },
    });
    expect(ended).toMatchObject({
      status: 'Failed',
      completeTime: T0 + 3000,
      errorInformation: { code: 'TIMEOUT', message: 'timed out' },
    });
  });

  it('reads a deployment stopped before it started as Stopped without a start time', () => {
    // Act
    const state = deploymentState(record({ stopTime: T0 + 500 }), T0 + 10_000);

    // Assert
    expect(state).toMatchObject({ status: 'Stopped', completeTime: T0 + 500, overview: { Skipped: 1 } });
    expect(state).not.toHaveProperty('startTime');
  });

  it('reads a deployment stopped while in progress as Stopped with its start time', () => {
    // Act
    const state = deploymentState(record({ stopTime: T0 + 2000 }), T0 + 2000);

    // Assert
    expect(state).toMatchObject({
      status: 'Stopped',
      startTime: T0 + 1000,
      completeTime: T0 + 2000,
      errorInformation: { code: 'MANUAL_STOP' },
    });
  });
});
