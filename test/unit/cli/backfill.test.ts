import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  GetExecutionHistoryCommand,
  ListMapRunsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateBackfill } from '../../../cli/backfill/estimate.ts';
import { renderBackfillProgress, renderBackfillStatus } from '../../../cli/backfill/render.ts';
import { readBackfillResults } from '../../../cli/backfill/results.ts';
import { type BackfillStatus, readBackfillStatus } from '../../../cli/backfill/status.ts';
import { createStyle } from '../../../cli/output/style.ts';
import type { WorkList } from '../../../core/backfill.ts';

const s3 = mockClient(S3Client);
const sfn = mockClient(SFNClient);
const PLAIN = createStyle(false);

afterEach(() => {
  s3.reset();
  sfn.reset();
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

const EXECUTION = 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay-backfill:backfill-1';
const MAP_RUN =
  'arn:aws:states:us-west-2:111122223333:mapRun:artifact-relay-backfill/RelayObjects:8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const MANIFEST_URL = 's3://inventory-oregon/inv/build-artifacts-oregon/daily/2026-12-02T01-00Z/manifest.json';

/** BuildWorkList's last answer: done, 12 rows, 4 queued, results under `backfills/`. */
const WORK_LIST: WorkList = {
  done: true,
  bucket: 'relay-results',
  key: 'backfills/backfill-1/work-list.jsonl',
  results: { bucket: 'relay-results', prefix: 'backfills' },
  items: 4,
  maxConcurrency: 40,
  toleratedFailurePercentage: 0,
  counts: { listed: 12, tooOld: 0, noTarget: 1, inSync: 7, queued: 4, queuedBytes: 4096 },
};

/** A backfill execution as Step Functions describes it, with BuildWorkList's answer in its history. */
function givenBackfill(described: { status: string; input: object; output?: object }): void {
  sfn.on(DescribeExecutionCommand).resolves({
    executionArn: EXECUTION,
    stateMachineArn: 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay-backfill',
    name: 'backfill-1',
    status: described.status as 'FAILED',
    startDate: new Date('2026-12-02T10:00:00Z'),
    stopDate: new Date('2026-12-02T10:05:00Z'),
    input: JSON.stringify(described.input),
    ...(described.output === undefined ? {} : { output: JSON.stringify(described.output) }),
  });
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      {
        id: 2,
        type: 'TaskStateEntered',
        timestamp: new Date(),
        stateEnteredEventDetails: { name: 'BuildWorkList' },
      },
      {
        id: 3,
        type: 'LambdaFunctionSucceeded',
        timestamp: new Date(),
        lambdaFunctionSucceededEventDetails: { output: JSON.stringify(WORK_LIST) },
      },
    ],
  });
  sfn.on(ListMapRunsCommand).resolves({
    mapRuns: [
      {
        mapRunArn: MAP_RUN,
        executionArn: EXECUTION,
        stateMachineArn:
          'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay-backfill/RelayObjects',
        startDate: new Date('2026-12-02T10:01:00Z'),
      },
    ],
  });
  sfn.on(DescribeMapRunCommand).resolves({
    mapRunArn: MAP_RUN,
    status: 'FAILED',
    startDate: new Date('2026-12-02T10:01:00Z'),
    stopDate: new Date('2026-12-02T10:05:00Z'),
    itemCounts: { total: 4, succeeded: 2, failed: 2, pending: 0, running: 0, aborted: 0, timedOut: 0 },
  } as never);
}

describe('relay backfill status', () => {
  it('finds the results of a FAILED backfill, which has no output, where its map run wrote them', async () => {
    // Arrange
    givenBackfill({ status: 'FAILED', input: { source: { bucket: 'build-artifacts-oregon' } } });

    // Act
    const status = await readBackfillStatus(new SFNClient({ region: 'us-west-2' }), EXECUTION);

    // Assert
    expect(status.results).toEqual({
      Bucket: 'relay-results',
      Key: 'backfills/8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f/manifest.json',
    });
  });

  it('takes the results a SUCCEEDED backfill names in its output, and derives none for one still running', async () => {
    // Arrange
    const written = {
      Bucket: 'elsewhere',
      Key: 'results/8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f/manifest.json',
    };
    givenBackfill({
      status: 'SUCCEEDED',
      input: { source: { bucket: 'build-artifacts-oregon' } },
      output: { relayed: { ResultWriterDetails: written } },
    });
    const client = new SFNClient({ region: 'us-west-2' });

    // Act
    const succeeded = await readBackfillStatus(client, EXECUTION);
    sfn.reset();
    givenBackfill({ status: 'RUNNING', input: { source: { bucket: 'build-artifacts-oregon' } } });
    const running = await readBackfillStatus(client, EXECUTION);

    // Assert
    expect(succeeded.results).toEqual(written);
    expect(running.results).toBeUndefined();
  });

  it('says the counts are of the inventory when the request named one, and listed otherwise', async () => {
    // Arrange
    givenBackfill({
      status: 'FAILED',
      input: { source: { bucket: 'build-artifacts-oregon' }, inventory: MANIFEST_URL },
    });
    const fromInventory = await readBackfillStatus(new SFNClient({ region: 'us-west-2' }), EXECUTION);
    const started = { executionArn: EXECUTION, name: 'backfill-1', status: 'RUNNING', startDate: new Date() };
    const listed: BackfillStatus = { ...started, workList: WORK_LIST };
    const building: BackfillStatus = {
      ...started,
      inventory: MANIFEST_URL,
      workList: { ...WORK_LIST, done: false },
    };

    // Act
    const inventoryText = renderBackfillStatus(fromInventory, undefined, PLAIN);
    const buildingText = renderBackfillStatus(building, undefined, PLAIN);
    const listedText = renderBackfillStatus(listed, undefined, PLAIN);
    const progress = renderBackfillProgress(building);

    // Assert
    expect(fromInventory.inventory).toBe(MANIFEST_URL);
    expect(inventoryText).toContain(
      `  report   12 objects in the inventory ${MANIFEST_URL}: 4 queued (4.0 KiB)`,
    );
    expect(inventoryText).not.toContain('listed');
    expect(buildingText).toMatch(/routed to none of the chosen targets \(still reading the inventory\)$/m);
    expect(listedText).toContain('  listed   12 objects: 4 queued (4.0 KiB)');
    expect(progress).toBe(
      'backfill-1: building the work list — 12 objects in the inventory, 4 queued, 7 in sync',
    );
  });

  it('says where the manifest should be when it is not there, and counts nothing', async () => {
    // Arrange
    givenBackfill({ status: 'FAILED', input: { source: { bucket: 'build-artifacts-oregon' } } });
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
    );
    const status = await readBackfillStatus(new SFNClient({ region: 'us-west-2' }), EXECUTION);

    // Act
    const tally = await readBackfillResults(new S3Client({ region: 'us-west-2' }), status.results!);
    const text = renderBackfillStatus(status, tally, PLAIN);

    // Assert
    expect(tally).toBeUndefined();
    expect(text).toContain(
      '  manifest s3://relay-results/backfills/8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f/manifest.json is not there',
    );
  });
});
