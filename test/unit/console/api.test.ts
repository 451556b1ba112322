import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { TOKEN_HEADER } from '../../../console/api-types.ts';
import type { ConsoleBackend } from '../../../console/server/api.ts';
import { decodeCursor } from '../../../console/server/cursor.ts';
import { handleRequest, type RouteDeps } from '../../../console/server/routes.ts';

const MACHINE_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const EXECUTION_ARN = 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:web-1';
const INPUT = JSON.stringify({ bucket: 'src', key: 'builds/web-1.zip' });
const TARGET = { bucket: 'builds-eu', region: 'eu-central-1' };
const OUTPUT = JSON.stringify({
  source: { bucket: 'src', key: 'builds/web-1.zip', region: 'us-west-2', size: 7, etag: 'abc' },
  results: [
    {
      target: TARGET,
      status: 'copied',
      bytes: 7,
      verifiedBy: 'etag',
      destination: { bucket: 'builds-eu', key: 'builds/web-1.zip', etag: 'abc' },
      deployment: { id: 'd-1', status: 'Succeeded' },
    },
  ],
});
const DEFINITION = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } });

const sfn = mockClient(SFNClient);
const client = new SFNClient({ region: 'us-west-2' });
const backend: ConsoleBackend = {
  sfnFor: () => client,
  s3For: () => new S3Client({ region: 'us-west-2' }),
  codeDeployFor: () => new CodeDeployClient({ region: 'us-west-2' }),
  machine: async () => parseStateMachineArn(MACHINE_ARN)!,
  config: async () => {
    throw new Error('no configuration in these tests');
  },
};
const TOKEN = 'the-token';
const deps: RouteDeps = { backend, token: TOKEN, ui: async () => ({ script: '', style: '' }) };
const HOST = { host: '127.0.0.1:4567' };

function described(status: ExecutionStatus, extra: Record<string, unknown> = {}) {
  return {
    executionArn: EXECUTION_ARN,
    stateMachineArn: MACHINE_ARN,
    name: 'web-1',
    status,
    startDate: new Date('2026-12-01T10:00:00Z'),
    stopDate: new Date('2026-12-01T10:00:05Z'),
    input: INPUT,
    redriveCount: 0,
    ...extra,
  } as const;
}

afterEach(() => {
  sfn.reset();
});

describe('the console API', () => {
  it('lists one page of executions with their targets counted and the next token', async () => {
    // Arrange
    sfn
      .on(ListExecutionsCommand)
      .resolves({ executions: [{ executionArn: EXECUTION_ARN } as never], nextToken: 'n2' });
    sfn.on(DescribeExecutionCommand).resolves({ ...described('SUCCEEDED'), output: OUTPUT });

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: '/api/executions?status=SUCCEEDED&limit=10', headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(decodeCursor(body.nextToken, 10)).toEqual({ token: 'n2', skip: 0, size: 10 });
    expect(body.executions[0]).toMatchObject({
      name: 'web-1',
      status: 'SUCCEEDED',
      durationMs: 5000,
      source: { bucket: 'src', key: 'builds/web-1.zip' },
      targets: { total: 1, ok: 1, failed: 0 },
    });
    expect(sfn.commandCalls(ListExecutionsCommand)[0]?.args[0].input).toMatchObject({
      stateMachineArn: MACHINE_ARN,
      maxResults: 10,
      statusFilter: 'SUCCEEDED',
    });
  });

  it('answers 400 BadRequest to a status ListExecutions does not know', async () => {
    // Act
    const reply = await handleRequest(
      { method: 'GET', url: '/api/executions?status=DONE', headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body).error).toBe('BadRequest');
  });

  it('shows one execution: per-target row, input, output, definition and history', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves({ ...described('SUCCEEDED'), output: OUTPUT });
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: DEFINITION } as never);
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 1,
          type: 'ExecutionStarted',
          timestamp: new Date(),
          executionStartedEventDetails: { input: INPUT },
        },
        {
          id: 2,
          type: 'ExecutionSucceeded',
          previousEventId: 1,
          timestamp: new Date(),
          executionSucceededEventDetails: { output: OUTPUT },
        },
      ],
    });

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: `/api/executions/${encodeURIComponent(EXECUTION_ARN)}`, headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    const body = JSON.parse(reply.body);
    expect(body.targets).toEqual([
      expect.objectContaining({
        region: 'eu-central-1',
        bucket: 'builds-eu',
        key: 'builds/web-1.zip',
        status: 'copied',
        bytes: 7,
        verifiedBy: 'etag',
        deploymentId: 'd-1',
        deploymentStatus: 'Succeeded',
        error: null,
      }),
    ]);
    expect(body.input).toEqual({ bucket: 'src', key: 'builds/web-1.zip' });
    expect(body.definition).toEqual(JSON.parse(DEFINITION));
    expect(body.events.map((e: { type: string }) => e.type)).toEqual([
      'ExecutionStarted',
      'ExecutionSucceeded',
    ]);
    expect(body.notRedrivable).toBe('not failed (it is SUCCEEDED)');
  });

  it('falls back to DescribeStateMachine where DescribeStateMachineForExecution is not implemented', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED'));
    sfn
      .on(DescribeStateMachineForExecutionCommand)
      .rejects(Object.assign(new Error('not implemented'), { name: 'UnknownOperationException' }));
    sfn.on(DescribeStateMachineCommand).resolves({ definition: DEFINITION } as never);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: `/api/executions/${encodeURIComponent(EXECUTION_ARN)}`, headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body).definition).toEqual(JSON.parse(DEFINITION));
  });

  it('answers 404 NotFound for an execution Step Functions does not know', async () => {
    // Arrange
    sfn
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ExecutionDoesNotExist' }));

    // Act
    const reply = await handleRequest(
      { method: 'GET', url: `/api/executions/${encodeURIComponent(EXECUTION_ARN)}`, headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(404);
  });

  it('redrives a failed execution when the request carries the token', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves(described('FAILED'));
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });

    // Act
    const reply = await handleRequest(
      {
        method: 'POST',
        url: `/api/executions/${encodeURIComponent(EXECUTION_ARN)}/redrive`,
        headers: { ...HOST, [TOKEN_HEADER]: TOKEN },
      },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ executionArn: EXECUTION_ARN, action: 'redriven', reason: null });
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(1);
  });

  it('answers 403 InvalidToken to a redrive without the token, and redrives nothing', async () => {
    // Act
    const reply = await handleRequest(
      { method: 'POST', url: `/api/executions/${encodeURIComponent(EXECUTION_ARN)}/redrive`, headers: HOST },
      deps,
    );

    // Assert
    expect(reply.status).toBe(403);
    expect(JSON.parse(reply.body).error).toBe('InvalidToken');
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });

  it('serves the page with the token in it', async () => {
    // Act
    const reply = await handleRequest({ method: 'GET', url: '/', headers: HOST }, deps);

    // Assert
    expect(reply.status).toBe(200);
    expect(reply.body).toContain(`content="${TOKEN}"`);
    expect(reply.headers['content-security-policy']).toContain("default-src 'self'");
  });
});
