import { describe, expect, it } from 'vitest';
import { createStyle } from '../../../cli/output/style.ts';
import { renderShow } from '../../../cli/render/show.ts';
import { outcomeOfResult } from '../../../core/executions/outcome.ts';
import type { TargetResult } from '../../../core/workflow.ts';

const TARGET = {
  bucket: 'artifacts-seoul',
  region: 'ap-northeast-2',
  encryption: { type: 'SSE-S3' as const },
  deploy: {
    application: 'web',
    deploymentGroup: 'web-prod',
    bundleType: 'zip' as const,
    waitTimeoutSeconds: 3600,
  },
};

function show(result: TargetResult): string {
  return renderShow(
    {
      details: {
        executionArn: 'arn:aws:states:us-west-2:000000000000:execution:artifact-relay:e-1',
        stateMachineArn: 'arn:aws:states:us-west-2:000000000000:stateMachine:artifact-relay',
        name: 'e-1',
        status: 'SUCCEEDED',
        startDate: new Date('2026-11-24T12:00:00Z'),
        stopDate: new Date('2026-11-24T12:00:03Z'),
        redriveCount: 0,
      },
      steps: [],
      targets: [
        {
          index: 0,
          label: 's3://artifacts-seoul in ap-northeast-2',
          outcome: outcomeOfResult(result),
          passes: [],
        },
      ],
    },
    createStyle(false),
  );
}

describe('relay show', () => {
  it('says a stale build was copied and verified but not deployed, and why', () => {
    // Arrange
    const result: TargetResult = {
      target: TARGET,
      status: 'superseded',
      bytes: 1024,
      verifiedBy: 'checksum:CRC64NVME',
      destination: {
        bucket: 'artifacts-seoul',
        key: 'build_artifacts/web.zip',
        versionId: 'v1',
        etag: 'abc',
      },
      deployment: {
        status: 'Skipped',
        done: true,
        reason: 'newer-build-deployed',
        detail: 'a newer build is deployed in web/web-prod: s3://src/build_artifacts/web.zip (version s2)',
        newerDeploymentId: 'd-NEWER',
      },
    };

    // Act
    const text = show(result);

    // Assert
    expect(text).toContain('SUPERSEDED');
    expect(text).toContain('verified by checksum:CRC64NVME, deployment skipped (newer build deployed)');
    expect(text).toContain('a newer build is deployed in web/web-prod');
  });

  it('shows the deployment of a deployed target by id and status', () => {
    // Arrange
    const result: TargetResult = {
      target: TARGET,
      status: 'copied',
      bytes: 1024,
      verifiedBy: 'etag',
      destination: { bucket: 'artifacts-seoul', key: 'build_artifacts/web.zip', etag: 'abc' },
      deployment: { id: 'd-123', status: 'Succeeded' },
    };

    // Act / Assert
    expect(show(result)).toContain('verified by etag, deployment d-123 Succeeded');
  });
});
