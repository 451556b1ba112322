/**
 * The backfill definition (state-machine/backfill.ts) on the local stack's Distributed Map, with a stand-in
 * work-list builder and a stand-in relay state machine: the loop until the list is built, one relay
 * execution per line through `states:startExecution.sync:2`, the tolerated failure share, the results
 * written to S3, and a redrive of the map run that relays the failed lines only.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { backfillRequestSchema, type WorkList, workListKey } from '../../../core/backfill.ts';
import {
  BACKFILL_MAP_LABEL,
  buildBackfillDefinition,
  renderBackfillDefinition,
} from '../../../state-machine/backfill.ts';
import { startTestStack, type TestStack } from '../../helpers/local-stack.ts';

const ACCOUNT = '000000000000';
const REGION = 'us-west-2';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/backfill`;
const BUILD = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:backfill-build-work-list`;
const RELAY_TASK = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:backfill-relay`;

let stack: TestStack;
let s3: S3Client;
let sfn: SFNClient;
let backfillArn: string;
const failing = new Set<string>();
const relayed: string[] = [];
let buildCalls = 0;

beforeAll(async () => {
  stack = await startTestStack({ timeScale: 0.000001 });
  s3 = stack.s3Client(REGION);
  sfn = stack.sfnClient(REGION);
  await s3.send(
    new CreateBucketCommand({
      Bucket: 'backfill-results',
      CreateBucketConfiguration: { LocationConstraint: REGION },
    }),
  );
  // The stand-in builder writes ten lines on its second call (the first says "not done yet").
  stack.stepFunctions.registerTaskHandler(BUILD, async (input) => {
    buildCalls += 1;
    const { state, backfillId } = input as { state: unknown; backfillId: string };
    const parsed = backfillRequestSchema.parse(state);
    const request = {
      ...parsed,
      results: parsed.results ?? { bucket: 'backfill-results', prefix: 'backfills' },
    };
    const key = workListKey(request, backfillId);
    const settings = {
      maxConcurrency: request.maxConcurrency,
      toleratedFailurePercentage: request.toleratedFailurePercentage,
    };
    const counts = {
      listed: 10,
      tooOld: 0,
      noTarget: 0,
      inSync: 0,
      queued: 10,
      queuedBytes: 100,
    };
    if ((state as { workList?: unknown }).workList === undefined) {
      return {
        done: false,
        bucket: request.results.bucket,
        results: request.results,
        key,
        items: 0,
        ...settings,
        counts,
        cursor: {
          listing: 'objects',
          parts: [],
          chunks: [],
          chunkBytes: 0,
          chunksWritten: 0,
          spentChunks: [],
        },
      } satisfies WorkList;
    }
    const lines = Array.from({ length: 10 }, (_, i) =>
      JSON.stringify({ bucket: 'src', key: `builds/app-${i}.zip` }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: request.results.bucket, Key: key, Body: `${lines.join('\n')}\n` }),
    );
    return {
      done: true,
      bucket: request.results.bucket,
      results: request.results,
      key,
      items: 10,
      ...settings,
      counts,
    } satisfies WorkList;
  });
  // The stand-in relay: one Task that fails for the keys in `failing`.
  stack.stepFunctions.registerTaskHandler(RELAY_TASK, async (input) => {
    const { key } = input as { key: string };
    relayed.push(key);
    if (failing.has(key)) {
      const error = new Error(`artifacts-seoul denies PutObject of ${key}`);
      error.name = 'AccessDenied';
      throw error;
    }
    return { key, status: 'copied' };
  });
  const relay = await sfn.send(
    new CreateStateMachineCommand({
      name: 'artifact-relay',
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: 'Relay',
        States: { Relay: { Type: 'Task', Resource: RELAY_TASK, End: true } },
      }),
    }),
  );
  const definition = renderBackfillDefinition(buildBackfillDefinition(), {
    BuildWorkListFunctionArn: BUILD,
    RelayStateMachineArn: relay.stateMachineArn ?? '',
  });
  const backfill = await sfn.send(
    new CreateStateMachineCommand({
      name: 'artifact-relay-backfill',
      roleArn: ROLE,
      definition: JSON.stringify(definition),
    }),
  );
  backfillArn = backfill.stateMachineArn ?? '';
});

afterAll(async () => {
  await stack?.dispose();
});

async function ended(executionArn: string) {
  return vi.waitFor(
    async () => {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') throw new Error(d.status);
      return d;
    },
    { timeout: 60_000, interval: 50 },
  );
}

describe('the backfill definition on the local stack', () => {
  it('relays every line as a relay execution, fails past the tolerated share, and redrives only the failed lines', async () => {
    // Arrange: two of ten relays fail; 10% is tolerated
    failing.add('builds/app-3.zip');
    failing.add('builds/app-7.zip');
    const input = {
      source: { bucket: 'src' },
      toleratedFailurePercentage: 10,
    };

    // Act
    const { executionArn = '' } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: backfillArn, name: 'bf-1', input: JSON.stringify(input) }),
    );
    const failed = await ended(executionArn);
    const relayedFirst = [...relayed];
    failing.clear();
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const redriven = await ended(executionArn);

    // Assert: the builder looped once; ten relays ran; 20% failed > 10% tolerated
    expect(buildCalls).toBe(2);
    expect(relayedFirst.toSorted()).toHaveLength(10);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('States.ExceedToleratedFailureThreshold');
    // Assert: the redrive relayed the two failed lines only, and the backfill succeeded
    expect(relayed.slice(10).toSorted()).toEqual(['builds/app-3.zip', 'builds/app-7.zip']);
    expect(redriven.status).toBe('SUCCEEDED');
    const [mapRun] = (await sfn.send(new ListMapRunsCommand({ executionArn }))).mapRuns ?? [];
    expect(mapRun?.mapRunArn).toContain(`:mapRun:artifact-relay-backfill/${BACKFILL_MAP_LABEL}:`);
    const output = JSON.parse(redriven.output ?? '{}') as {
      relayed: { ResultWriterDetails: { Bucket: string; Key: string } };
    };
    const manifest = await s3.send(
      new GetObjectCommand({
        Bucket: output.relayed.ResultWriterDetails.Bucket,
        Key: output.relayed.ResultWriterDetails.Key,
      }),
    );
    const text = (await manifest.Body?.transformToString()) ?? '';
    expect(JSON.parse(text)).toMatchObject({ ResultFiles: expect.any(Object) });
  });
});
