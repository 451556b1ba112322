/**
 * Executions whose output the console does not read (an older definition's, a hand-made one): the list
 * row and the execution's page still answer, with what cannot be read as unknown (null), and an output
 * holding a `results` list of which some items still read shows those.
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import type { ExecutionDetailView, ExecutionPage } from '../../../console/api-types.ts';
import type { ConsoleBackend } from '../../../console/server/api.ts';
import { handleRequest, type RouteDeps } from '../../../console/server/routes.ts';
import { readExecutionDetail, readExecutionPage } from '../../../console/ui/read-views.ts';

const MACHINE_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const EXECUTION_ARN = 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:odd-1';
const DEFINITION = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' } } });

const sfn = mockClient(SFNClient);
const backend: ConsoleBackend = {
  sfnFor: () => new SFNClient({ region: 'us-west-2' }),
  s3For: () => new S3Client({ region: 'us-west-2' }),
  codeDeployFor: () => new CodeDeployClient({ region: 'us-west-2' }),
  machine: async () => parseStateMachineArn(MACHINE_ARN)!,
  config: async () => {
    throw new Error('no configuration in these tests');
  },
};
const deps: RouteDeps = { backend, token: 't', ui: async () => ({ script: '', style: '' }) };
const HOST = { host: '127.0.0.1:4567' };

/** An execution that SUCCEEDED with `output`, from an input of `input`. */
function succeededWith(output: unknown, input: unknown): void {
  const text = JSON.stringify(output);
  sfn.on(ListExecutionsCommand).resolves({
    executions: [
      {
        executionArn: EXECUTION_ARN,
        stateMachineArn: MACHINE_ARN,
        name: 'odd-1',
        status: 'SUCCEEDED',
        startDate: new Date('2026-12-01T10:00:00Z'),
      },
    ],
  });
  sfn.on(DescribeExecutionCommand).resolves({
    executionArn: EXECUTION_ARN,
    stateMachineArn: MACHINE_ARN,
    name: 'odd-1',
    status: 'SUCCEEDED',
    startDate: new Date('2026-12-01T10:00:00Z'),
    stopDate: new Date('2026-12-01T10:00:02Z'),
    input: JSON.stringify(input),
    output: text,
    redriveCount: 0,
  });
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: DEFINITION } as never);
  sfn.on(GetExecutionHistoryCommand).resolves({
    events: [
      {
        id: 1,
        type: 'ExecutionStarted',
        timestamp: new Date('2026-12-01T10:00:00Z'),
        executionStartedEventDetails: { input: JSON.stringify(input) },
      },
      {
        id: 2,
        previousEventId: 1,
        type: 'ExecutionSucceeded',
        timestamp: new Date('2026-12-01T10:00:02Z'),
        executionSucceededEventDetails: { output: text },
      },
    ],
  });
}

async function get(url: string): Promise<{ status: number; body: unknown }> {
  const reply = await handleRequest({ method: 'GET', url, headers: HOST }, deps);
  return { status: reply.status, body: JSON.parse(reply.body) as unknown };
}

afterEach(() => {
  sfn.reset();
});

describe('an execution whose output is of a shape the console does not read', () => {
  it('is still a row of the list, its targets and source unknown (null)', async () => {
    // Arrange
    succeededWith({ something: 'else' }, { made: 'by hand' });

    // Act
    const { status, body } = await get('/api/executions');

    // Assert
    expect(status).toBe(200);
    const page = body as ExecutionPage;
    expect(page.executions).toHaveLength(1);
    expect(page.executions[0]).toMatchObject({
      name: 'odd-1',
      status: 'SUCCEEDED',
      source: null,
      targets: null,
    });
  });

  it('still has its page, saying the output shape is unknown, with input and output as they are', async () => {
    // Arrange
    succeededWith({ something: 'else' }, { made: 'by hand' });

    // Act
    const { status, body } = await get(`/api/executions/${encodeURIComponent(EXECUTION_ARN)}`);

    // Assert
    expect(status).toBe(200);
    const view = body as ExecutionDetailView;
    expect(view.outputShape).toBe('unknown');
    expect(view.summary.targets).toBeNull();
    expect(view.targets).toEqual([]);
    expect(view.output).toEqual({ something: 'else' });
    expect(view.input).toEqual({ made: 'by hand' });
  });

  it('reads the results it can from an output whose results list is partly of an unknown shape', async () => {
    // Arrange
    const readable = {
      target: { bucket: 'builds-eu', region: 'eu-central-1' },
      status: 'copied',
      bytes: 7,
      verifiedBy: 'etag',
      destination: { bucket: 'builds-eu', key: 'builds/web-1.zip', etag: 'abc' },
    };
    succeededWith(
      { source: { bucket: 'src', key: 'builds/web-1.zip' }, results: [readable, { outcome: 'copied-v0' }] },
      { bucket: 'src', key: 'builds/web-1.zip' },
    );

    // Act
    const { body } = await get(`/api/executions/${encodeURIComponent(EXECUTION_ARN)}`);

    // Assert
    const view = body as ExecutionDetailView;
    expect(view.outputShape).toBe('unknown');
    expect(view.targets.map((t) => [t.index, t.status, t.bucket])).toEqual([
      [0, 'copied', 'builds-eu'],
      [1, 'unknown', null],
    ]);
    expect(view.summary.targets).toMatchObject({ total: 2, ok: 1, pending: 1 });
  });
});

describe("the UI's reading of the API's answers", () => {
  it('keeps a row whose fields it cannot read, those fields null, and drops one that names no execution', () => {
    // Arrange
    const answer = {
      stateMachineArn: MACHINE_ARN,
      executions: [
        {
          executionArn: EXECUTION_ARN,
          name: 'odd-1',
          status: 'SUCCEEDED',
          targets: { ok: 'many' },
          source: 7,
        },
        { name: 'no arn' },
      ],
      nextToken: null,
    };

    // Act
    const page = readExecutionPage(answer);

    // Assert
    expect(page.executions).toHaveLength(1);
    expect(page.executions[0]).toMatchObject({
      executionArn: EXECUTION_ARN,
      targets: null,
      source: null,
      stopDate: null,
      redriveCount: 0,
    });
    expect(page.scanned).toBe(0);
  });

  it('reads an execution answer of an older server, the fields it lacks unknown', () => {
    // Arrange
    const answer = {
      summary: { executionArn: EXECUTION_ARN, name: 'odd-1', status: 'SUCCEEDED', startDate: 'yesterday' },
      targets: [{ index: 0, status: 'copied', bucket: 'builds-eu' }, 'not a row'],
    };

    // Act
    const view = readExecutionDetail(answer);

    // Assert
    expect(view.outputShape).toBe('unknown');
    expect(view.summary.targets).toBeNull();
    expect(view.targets).toEqual([expect.objectContaining({ index: 0, status: 'copied', region: null })]);
    expect(view.events).toEqual([]);
    expect(view.notRedrivable).not.toBeNull();
  });
});
