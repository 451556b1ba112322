import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateBackfill } from '../../../cli/backfill/estimate.ts';
import { readBackfillResults } from '../../../cli/backfill/results.ts';

const s3 = mockClient(S3Client);

afterEach(() => {
  s3.reset();
});

function body(value: unknown) {
  const stream = Readable.from([Buffer.from(JSON.stringify(value))]);
  return { Body: Object.assign(stream, { transformToString: async () => JSON.stringify(value) }) };
}

const relayOutput = (statuses: string[]) => ({
  source: { bucket: 'build-src', key: 'k', region: 'us-west-2', versionId: 'v', size: 1, etag: 'e' },
  results: statuses.map((status, index) => ({
    target: { bucket: `target-${index}`, region: 'eu-central-1', encryption: { type: 'SSE-S3' } },
    index,
    status,
    ...(status === 'failed'
      ? { error: 'AccessDenied' }
      : { bytes: 1, destination: { bucket: `target-${index}`, key: 'k', etag: 'e' }, verifiedBy: 'etag' }),
  })),
});

describe('the backfill from the CLI', () => {
  it('estimates transitions as the relay plus one per object, and prices them', () => {
    // Act
    const estimate = estimateBackfill(1_000_000, 1024 ** 3, 2);

    // Assert
    expect(estimate.transitions).toBe(1_000_000 * 11 + 4);
    expect(estimate.stepFunctionsCost).toBeCloseTo(275, 0);
    expect(estimate.lambdaInvocations).toBe(5_000_001);
    expect(estimate.transferCost).toBeCloseTo(0.04, 5);
  });

  it('counts the results files by object and by target status, naming the failed relay executions', async () => {
    // Arrange
    const manifest = {
      ResultFiles: {
        SUCCEEDED: [{ Key: 'r/SUCCEEDED_0.json' }],
        FAILED: [{ Key: 'r/FAILED_0.json' }],
        PENDING: [{ Key: 'r/PENDING_0.json' }],
      },
    };
    const files: Record<string, unknown> = {
      'r/manifest.json': manifest,
      'r/SUCCEEDED_0.json': [
        {
          Output: JSON.stringify({
            executionArn: 'arn:a',
            status: 'SUCCEEDED',
            output: relayOutput(['copied', 'in-sync']),
          }),
        },
        {
          Output: JSON.stringify({
            executionArn: 'arn:b',
            status: 'SUCCEEDED',
            output: relayOutput(['copied', 'superseded']),
          }),
        },
        { Output: 'not json' },
      ],
      'r/FAILED_0.json': [
        {
          Cause: JSON.stringify({
            ExecutionArn: 'arn:aws:states:us-west-2:1:execution:artifact-relay:abc',
            Status: 'FAILED',
          }),
        },
      ],
      'r/PENDING_0.json': [{}, {}],
    };
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => body(files[input.Key]));

    // Act
    const tally = await readBackfillResults(new S3Client({ region: 'us-west-2' }), {
      Bucket: 'res',
      Key: 'r/manifest.json',
    });

    // Assert
    expect(tally).toEqual({
      objects: { succeeded: 3, failed: 1, pending: 2 },
      targets: { copied: 2, 'in-sync': 1, superseded: 1, unknown: 1 },
      failedExecutions: ['arn:aws:states:us-west-2:1:execution:artifact-relay:abc'],
      manifestUrl: 's3://res/r/manifest.json',
    });
  });
});
