import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListMapRunsCommand,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { CliError } from '../../../cli/errors.ts';
import {
  type BackfillDetailView,
  type BackfillPage,
  type MapRunChildrenPage,
  TOKEN_HEADER,
} from '../../../console/api-types.ts';
import type { ConsoleBackend } from '../../../console/server/api.ts';
import { decodeCursor } from '../../../console/server/cursor.ts';
import { MAX_FAILED_FILE_BYTES } from '../../../console/server/map-runs.ts';
import { handleRequest, type RouteDeps } from '../../../console/server/routes.ts';
import type { WorkList } from '../../../core/backfill.ts';

const ACCOUNT = '111122223333';
const RELAY_ARN = `arn:aws:states:us-west-2:${ACCOUNT}:stateMachine:artifact-relay`;
const BACKFILL_MACHINE = `arn:aws:states:us-west-2:${ACCOUNT}:stateMachine:artifact-relay-backfill`;
const BACKFILL_ARN = `arn:aws:states:us-west-2:${ACCOUNT}:execution:artifact-relay-backfill:bf-1`;
const MAP_RUN_ID = '0b8f2c1e-1111-2222-3333-444455556666';
const MAP_RUN_ARN = `arn:aws:states:us-west-2:${ACCOUNT}:mapRun:artifact-relay-backfill/RelayObjects:${MAP_RUN_ID}`;
const CHILD_PREFIX = `arn:aws:states:us-west-2:${ACCOUNT}:execution:artifact-relay-backfill/RelayObjects`;
const RELAY_EXECUTION = (name: string) =>
  `arn:aws:states:us-west-2:${ACCOUNT}:execution:artifact-relay:${name}`;
const REQUEST = { source: { bucket: 'builds-src', prefix: 'builds/' }, toleratedFailurePercentage: 10 };

const WORK_LIST: WorkList = {
  done: true,
  bucket: 'relay-results',
  key: 'backfills/bf-1/work-list.jsonl',
  results: { bucket: 'relay-results', prefix: 'backfills' },
  items: 3,
  maxConcurrency: 40,
  toleratedFailurePercentage: 10,
  counts: { listed: 5, tooOld: 1, noTarget: 1, inSync: 0, queued: 3, queuedBytes: 300 },
};

const sfn = mockClient(SFNClient);
const s3 = mockClient(S3Client);
const client = new SFNClient({ region: 'us-west-2' });
const s3Client = new S3Client({ region: 'us-west-2' });
const baseBackend: ConsoleBackend = {
  sfnFor: () => client,
  s3For: () => s3Client,
  codeDeployFor: () => new CodeDeployClient({ region: 'us-west-2' }),
  machine: async () => parseStateMachineArn(RELAY_ARN)!,
  backfillMachine: async () => parseStateMachineArn(BACKFILL_MACHINE)!,
  config: async () => {
    throw new Error('no configuration in these tests');
  },
};
const TOKEN = 'the-token';
const HOST = { host: '127.0.0.1:4567' };

function depsWith(backend: ConsoleBackend = baseBackend): RouteDeps {
  return { backend, token: TOKEN, ui: async () => ({ script: '', style: '' }) };
}

async function get<T>(url: string, backend?: ConsoleBackend): Promise<{ status: number; body: T }> {
  const reply = await handleRequest({ method: 'GET', url, headers: HOST }, depsWith(backend));
  return { status: reply.status, body: JSON.parse(reply.body) as T };
}

/** The backfill's history: BuildWorkList answered `workList` (as a Lambda's `Payload`). */
function historyWith(workList: WorkList): HistoryEvent[] {
  return [
    {
      id: 1,
      type: 'ExecutionStarted',
      timestamp: new Date(),
      executionStartedEventDetails: { input: JSON.stringify(REQUEST) },
    },
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
      lambdaFunctionSucceededEventDetails: { output: JSON.stringify({ Payload: workList }) },
    },
  ];
}

function backfillDescribed(status: ExecutionStatus, extra: Record<string, unknown> = {}) {
  return {
    executionArn: BACKFILL_ARN,
    stateMachineArn: BACKFILL_MACHINE,
    name: 'bf-1',
    status,
    startDate: new Date('2026-12-01T10:00:00Z'),
    input: JSON.stringify(REQUEST),
    redriveCount: 0,
    ...extra,
  };
}

function mapRun(status: 'RUNNING' | 'SUCCEEDED' | 'FAILED', counts: Record<string, number>) {
  return {
    mapRunArn: MAP_RUN_ARN,
    executionArn: BACKFILL_ARN,
    status,
    startDate: new Date('2026-12-01T10:00:02Z'),
    ...(status === 'RUNNING' ? {} : { stopDate: new Date('2026-12-01T10:00:12Z') }),
    maxConcurrency: 40,
    toleratedFailurePercentage: 10,
    toleratedFailureCount: 0,
    itemCounts: {
      pending: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      timedOut: 0,
      aborted: 0,
      total: 3,
      resultsWritten: 0,
      ...counts,
    },
    executionCounts: {
      pending: 0,
      running: 0,
      succeeded: 0,
      failed: 0,
      timedOut: 0,
      aborted: 0,
      total: 3,
      resultsWritten: 0,
      ...counts,
    },
    redriveCount: 0,
  };
}

/** A relay execution's DescribeExecution, as `.sync:2` puts it in a failed child's cause. */
function relayCause(name: string): string {
  return JSON.stringify({
    ExecutionArn: RELAY_EXECUTION(name),
    Status: 'FAILED',
    Error: 'AccessDenied',
    Cause: JSON.stringify({ errorType: 'AccessDenied', errorMessage: 's3:CopyObject to builds-eu denied' }),
  });
}

function body(text: string) {
  return { Body: { transformToString: async () => text } } as never;
}

afterEach(() => {
  sfn.reset();
  s3.reset();
});

describe('the console backfills API', () => {
  it('lists one page of backfills with their work-list counts and items done, failed and total', async () => {
    // Arrange
    sfn
      .on(ListExecutionsCommand)
      .resolves({ executions: [{ executionArn: BACKFILL_ARN } as never], nextToken: 'n2' });
    sfn.on(DescribeExecutionCommand).resolves(backfillDescribed('RUNNING'));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyWith(WORK_LIST) });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: MAP_RUN_ARN } as never] });
    sfn.on(DescribeMapRunCommand).resolves(mapRun('RUNNING', { succeeded: 1, failed: 1, running: 1 }));

    // Act
    const { status, body: page } = await get<BackfillPage>('/api/backfills?limit=10');

    // Assert
    expect(status).toBe(200);
    expect(page.stateMachineArn).toBe(BACKFILL_MACHINE);
    expect(page.backfills).toEqual([
      expect.objectContaining({
        name: 'bf-1',
        status: 'RUNNING',
        workList: WORK_LIST.counts,
        items: { total: 3, done: 2, succeeded: 1, failed: 1, running: 1, pending: 0 },
      }),
    ]);
    expect(decodeCursor(page.nextToken, 10)).toEqual({ token: 'n2', skip: 0, size: 10 });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: BACKFILL_MACHINE,
      maxResults: 10,
    });
  });

  it('answers 409 NoBackfill, saying why, when no backfill state machine is found', async () => {
    // Arrange
    const missing: ConsoleBackend = {
      ...baseBackend,
      backfillMachine: async () => {
        throw new CliError(
          'the backfill state machine was not found in us-west-2 (looked for artifact-relay-backfill)',
        );
      },
    };
    const { backfillMachine: _none, ...without } = baseBackend;

    // Act
    const notFound = await get<{ error: string; message: string }>('/api/backfills', missing);
    const notGiven = await get<{ error: string }>('/api/backfills', without);

    // Assert
    expect(notFound.status).toBe(409);
    expect(notFound.body).toEqual({
      error: 'NoBackfill',
      message: expect.stringContaining('looked for artifact-relay-backfill'),
    });
    expect(notGiven.status).toBe(409);
    expect(notGiven.body.error).toBe('NoBackfill');
  });

  it("shows a running backfill's map run with its results to come, and its failed items from the failed children", async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand, { executionArn: BACKFILL_ARN }).resolves(backfillDescribed('RUNNING'));
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: BACKFILL_ARN })
      .resolves({ events: historyWith(WORK_LIST) });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: MAP_RUN_ARN } as never] });
    sfn.on(DescribeMapRunCommand).resolves(mapRun('RUNNING', { succeeded: 1, failed: 1, running: 1 }));
    sfn
      .on(ListExecutionsCommand, { mapRunArn: MAP_RUN_ARN, statusFilter: 'FAILED' })
      .resolves({ executions: [{ executionArn: `${CHILD_PREFIX}:child-2` } as never] });
    sfn.on(DescribeExecutionCommand, { executionArn: `${CHILD_PREFIX}:child-2` }).resolves({
      executionArn: `${CHILD_PREFIX}:child-2`,
      name: 'child-2',
      status: 'FAILED',
      startDate: new Date('2026-12-01T10:00:03Z'),
      input: JSON.stringify({ request: { bucket: 'builds-src', key: 'builds/app-2.zip', versionId: 'v2' } }),
      error: 'States.TaskFailed',
      cause: relayCause('relay-2'),
    });

    // Act
    const { status, body: view } = await get<BackfillDetailView>(
      `/api/backfills/${encodeURIComponent(BACKFILL_ARN)}`,
    );

    // Assert
    expect(status).toBe(200);
    expect(view.request).toEqual(REQUEST);
    expect(view.workList).toEqual({
      counts: WORK_LIST.counts,
      done: true,
      location: 's3://relay-results/backfills/bf-1/work-list.jsonl',
      items: 3,
    });
    expect(view.notRedrivable).toBe('not failed (it is RUNNING)');
    expect(view.mapRuns).toEqual([
      expect.objectContaining({
        status: 'RUNNING',
        maxConcurrency: 40,
        toleratedFailurePercentage: 10,
        results: {
          bucket: 'relay-results',
          prefix: 'backfills',
          manifestKey: `backfills/${MAP_RUN_ID}/manifest.json`,
          manifestUrl: `s3://relay-results/backfills/${MAP_RUN_ID}/manifest.json`,
          written: null,
          error: null,
        },
      }),
    ]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
    expect(view.failed).toMatchObject({ from: 'children', mapRunArn: MAP_RUN_ARN, nextToken: null });
    expect(view.failed.items).toEqual([
      {
        executionArn: `${CHILD_PREFIX}:child-2`,
        name: 'child-2',
        status: 'FAILED',
        startDate: '2026-12-01T10:00:03.000Z',
        stopDate: null,
        object: { bucket: 'builds-src', key: 'builds/app-2.zip', versionId: 'v2' },
        relayExecutionArn: RELAY_EXECUTION('relay-2'),
        relayStatus: 'FAILED',
        error: 'States.TaskFailed',
        message: 'AccessDenied: s3:CopyObject to builds-eu denied',
      },
    ]);
  });

  it("reads a failed backfill's failed items from the FAILED file beside the manifest its map run wrote", async () => {
    // Arrange
    const manifestKey = `backfills/${MAP_RUN_ID}/manifest.json`;
    const failedKey = `backfills/${MAP_RUN_ID}/FAILED_0.json`;
    sfn.on(DescribeExecutionCommand).resolves(
      backfillDescribed('FAILED', {
        stopDate: new Date('2026-12-01T10:00:12Z'),
        error: 'States.ExceedToleratedFailureThreshold',
        cause: 'The tolerated failure threshold was exceeded',
        redriveStatus: 'REDRIVABLE',
      }),
    );
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyWith(WORK_LIST) });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: MAP_RUN_ARN } as never] });
    sfn.on(DescribeMapRunCommand).resolves(mapRun('FAILED', { succeeded: 2, failed: 1 }));
    s3.on(GetObjectCommand, { Bucket: 'relay-results', Key: manifestKey }).resolves(
      body(
        JSON.stringify({
          ResultFiles: { FAILED: [{ Key: failedKey, Size: 900 }], SUCCEEDED: [], PENDING: [] },
        }),
      ),
    );
    s3.on(GetObjectCommand, { Bucket: 'relay-results', Key: failedKey }).resolves(
      body(
        JSON.stringify([
          {
            ExecutionArn: `${CHILD_PREFIX}:child-3`,
            Name: 'child-3',
            Status: 'FAILED',
            Input: JSON.stringify({ request: { bucket: 'builds-src', key: 'builds/app-3.zip' } }),
            Error: 'States.TaskFailed',
            Cause: relayCause('relay-3'),
            StartDate: '2026-12-01T10:00:04.000Z',
          },
        ]),
      ),
    );

    // Act
    const { body: view } = await get<BackfillDetailView>(
      `/api/backfills/${encodeURIComponent(BACKFILL_ARN)}`,
    );

    // Assert
    expect(view.summary.status).toBe('FAILED');
    expect(view.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(view.notRedrivable).toBeNull();
    expect(view.mapRuns[0]?.results).toMatchObject({ manifestKey, written: true, error: null });
    expect(view.failed).toMatchObject({
      from: 'results',
      total: 1,
      files: [`s3://relay-results/${failedKey}`],
      nextToken: null,
    });
    expect(view.failed.items[0]).toMatchObject({
      name: 'child-3',
      object: { bucket: 'builds-src', key: 'builds/app-3.zip', versionId: null },
      relayExecutionArn: RELAY_EXECUTION('relay-3'),
      message: 'AccessDenied: s3:CopyObject to builds-eu denied',
    });
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });

  it('reads the failed children instead when the FAILED files are too large to read in one request', async () => {
    // Arrange
    const manifestKey = `backfills/${MAP_RUN_ID}/manifest.json`;
    sfn.on(DescribeExecutionCommand).resolves(backfillDescribed('FAILED', { stopDate: new Date() }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyWith(WORK_LIST) });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: MAP_RUN_ARN } as never] });
    sfn.on(DescribeMapRunCommand).resolves(mapRun('FAILED', { failed: 3 }));
    s3.on(GetObjectCommand, { Key: manifestKey }).resolves(
      body(
        JSON.stringify({
          ResultFiles: { FAILED: [{ Key: 'backfills/x/FAILED_0.json', Size: MAX_FAILED_FILE_BYTES + 1 }] },
        }),
      ),
    );
    sfn.on(ListExecutionsCommand).resolves({ executions: [], nextToken: 'more' });

    // Act
    const { body: view } = await get<BackfillDetailView>(
      `/api/backfills/${encodeURIComponent(BACKFILL_ARN)}`,
    );

    // Assert
    expect(view.failed.from).toBe('children');
    expect(view.failed.files).toEqual(['s3://relay-results/backfills/x/FAILED_0.json']);
    expect(view.failed.nextToken).not.toBeNull();
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({
      mapRunArn: MAP_RUN_ARN,
      statusFilter: 'FAILED',
    });
  });

  it("says a map run's results were not written when its manifest is missing", async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves(backfillDescribed('FAILED', { stopDate: new Date() }));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: historyWith(WORK_LIST) });
    sfn.on(ListMapRunsCommand).resolves({ mapRuns: [{ mapRunArn: MAP_RUN_ARN } as never] });
    sfn.on(DescribeMapRunCommand).resolves(mapRun('FAILED', { failed: 1 }));
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
    );
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });

    // Act
    const { status, body: view } = await get<BackfillDetailView>(
      `/api/backfills/${encodeURIComponent(BACKFILL_ARN)}`,
    );

    // Assert
    expect(status).toBe(200);
    expect(view.mapRuns[0]?.results).toMatchObject({ written: false, error: null });
    expect(view.failed.from).toBe('children');
  });

  it("lists a map run's children, each with its object and the relay execution it started — from its output, its cause or its TaskSubmitted event", async () => {
    // Arrange
    const child = (name: string) => `${CHILD_PREFIX}:${name}`;
    const input = (key: string) => JSON.stringify({ request: { bucket: 'builds-src', key } });
    sfn.on(ListExecutionsCommand).resolves({
      executions: ['c-1', 'c-2', 'c-3'].map((name) => ({ executionArn: child(name) }) as never),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: child('c-1') }).resolves({
      name: 'c-1',
      status: 'SUCCEEDED',
      input: input('builds/app-1.zip'),
      output: JSON.stringify({ executionArn: RELAY_EXECUTION('relay-1'), status: 'SUCCEEDED', output: {} }),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: child('c-2') }).resolves({
      name: 'c-2',
      status: 'FAILED',
      input: input('builds/app-2.zip'),
      error: 'States.TaskFailed',
      cause: relayCause('relay-2'),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: child('c-3') }).resolves({
      name: 'c-3',
      status: 'RUNNING',
      input: input('builds/app-3.zip'),
    });
    sfn.on(GetExecutionHistoryCommand, { executionArn: child('c-3') }).resolves({
      events: [
        {
          id: 4,
          type: 'TaskSubmitted',
          timestamp: new Date(),
          taskSubmittedEventDetails: {
            resourceType: 'states',
            resource: 'startExecution.sync:2',
            output: JSON.stringify({ ExecutionArn: RELAY_EXECUTION('relay-3'), StartDate: 1 }),
          },
        },
      ],
    });

    // Act
    const { status, body: page } = await get<MapRunChildrenPage>(
      `/api/map-runs/${encodeURIComponent(MAP_RUN_ARN)}/executions?status=RUNNING&limit=3`,
    );

    // Assert
    expect(status).toBe(200);
    expect(page.children.map((c) => [c.object?.key, c.relayExecutionArn, c.relayStatus])).toEqual([
      ['builds/app-1.zip', RELAY_EXECUTION('relay-1'), 'SUCCEEDED'],
      ['builds/app-2.zip', RELAY_EXECUTION('relay-2'), 'FAILED'],
      ['builds/app-3.zip', RELAY_EXECUTION('relay-3'), 'RUNNING'],
    ]);
    expect(page.nextToken).toBeNull();
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toEqual({
      mapRunArn: MAP_RUN_ARN,
      maxResults: 3,
      statusFilter: 'RUNNING',
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)).toHaveLength(1);
  });

  it('answers 400 to a map run ARN it cannot read and to a status ListExecutions does not know', async () => {
    // Act
    const badArn = await get<{ error: string; message: string }>(
      `/api/map-runs/${encodeURIComponent(BACKFILL_ARN)}/executions`,
    );
    const badStatus = await get<{ error: string }>(
      `/api/map-runs/${encodeURIComponent(MAP_RUN_ARN)}/executions?status=DONE`,
    );

    // Assert
    expect(badArn.status).toBe(400);
    expect(badArn.body.message).toContain('is not a map run ARN');
    expect(badStatus.status).toBe(400);
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(0);
  });

  it("redrives a failed backfill through the console's own redrive, behind the page token", async () => {
    // Arrange
    sfn
      .on(DescribeExecutionCommand)
      .resolves(backfillDescribed('FAILED', { stopDate: new Date(), redriveStatus: 'REDRIVABLE' }));
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    const url = `/api/executions/${encodeURIComponent(BACKFILL_ARN)}/redrive`;

    // Act
    const refused = await handleRequest({ method: 'POST', url, headers: HOST }, depsWith());
    const redriven = await handleRequest(
      { method: 'POST', url, headers: { ...HOST, [TOKEN_HEADER]: TOKEN } },
      depsWith(),
    );

    // Assert
    expect(refused.status).toBe(403);
    expect(redriven.status).toBe(200);
    expect(JSON.parse(redriven.body)).toMatchObject({ executionArn: BACKFILL_ARN, action: 'redriven' });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(1);
  });
});
