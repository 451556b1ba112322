/**
 * Approvals of deployment waves in the console API against a mocked Step Functions client
 * (aws-sdk-client-mock): what the execution's page answers (the requests, the one pending, the targets
 * its wave would deploy — never the task token), and POST …/approve and …/reject: what they send, as
 * whom, and how they refuse (400 without a reason, 409 when nothing waits, 403 without the page's token).
 */
import { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import { S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  DescribeStateMachineForExecutionCommand,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parseStateMachineArn } from '../../../cli/aws/arn.ts';
import { MAX_COMMENT_CHARS, TOKEN_HEADER } from '../../../console/api-types.ts';
import type { ConsoleBackend } from '../../../console/server/api.ts';
import {
  type ConsoleRequest,
  handleRequest,
  MAX_BODY_BYTES,
  type RouteDeps,
} from '../../../console/server/routes.ts';
import { startConsoleServer } from '../../../console/server/server.ts';
import { APPROVAL_REJECTED_ERROR, approveWaveState } from '../../../core/approvals.ts';

const MACHINE_ARN = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const EXECUTION_ARN = 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:web-1';
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAc0secret0token0of0wave0two==';
const ASKED_AT = new Date('2026-12-01T10:00:10Z');
const SOURCE = { bucket: 'src', key: 'builds/web-1.zip' };
const FRANKFURT = {
  bucket: 'builds-eu',
  region: 'eu-central-1',
  deploy: { application: 'web', deploymentGroup: 'web-prod', bundleType: 'zip', wave: 2 },
};

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
const TOKEN = 'the-token';
const deps: RouteDeps = {
  backend,
  token: TOKEN,
  ui: async () => ({ script: '', style: '' }),
  approver: () => 'ana@ops-laptop',
};
const HOST = { host: '127.0.0.1:4567' };
const JSON_POST = { ...HOST, [TOKEN_HEADER]: TOKEN, 'content-type': 'application/json' };
const detailUrl = `/api/executions/${encodeURIComponent(EXECUTION_ARN)}`;
const approveUrl = `${detailUrl}/approve`;
const rejectUrl = `${detailUrl}/reject`;

function described(status: ExecutionStatus) {
  return {
    executionArn: EXECUTION_ARN,
    stateMachineArn: MACHINE_ARN,
    name: 'web-1',
    status,
    startDate: new Date('2026-12-01T10:00:00Z'),
    input: JSON.stringify(SOURCE),
    redriveCount: 0,
  } as const;
}

/** The history up to the approval of wave 2 asked for: entered, scheduled with its token, submitted. */
function askedHistory(): HistoryEvent[] {
  const parameters = {
    Entries: [
      {
        Source: 'artifact-relay',
        DetailType: 'Approval Pending',
        Detail: {
          executionArn: EXECUTION_ARN,
          wave: 2,
          timeoutSeconds: 3600,
          source: SOURCE,
          items: [{ index: 1, target: FRANKFURT }],
          taskToken: TASK_TOKEN,
        },
      },
    ],
  };
  return [
    {
      id: 1,
      type: 'ExecutionStarted',
      timestamp: new Date('2026-12-01T10:00:00Z'),
      executionStartedEventDetails: { input: JSON.stringify(SOURCE) },
    },
    {
      id: 2,
      previousEventId: 1,
      type: 'TaskStateEntered',
      timestamp: ASKED_AT,
      stateEnteredEventDetails: { name: approveWaveState(2), input: '{}' },
    },
    {
      id: 3,
      previousEventId: 2,
      type: 'TaskScheduled',
      timestamp: ASKED_AT,
      taskScheduledEventDetails: {
        resourceType: 'events',
        resource: 'putEvents.waitForTaskToken',
        region: 'us-west-2',
        parameters: JSON.stringify(parameters),
        timeoutInSeconds: 3600,
      },
    },
    {
      id: 4,
      previousEventId: 3,
      type: 'TaskStarted',
      timestamp: ASKED_AT,
      taskStartedEventDetails: { resourceType: 'events', resource: 'putEvents.waitForTaskToken' },
    },
    {
      id: 5,
      previousEventId: 4,
      type: 'TaskSubmitted',
      timestamp: ASKED_AT,
      taskSubmittedEventDetails: {
        resourceType: 'events',
        resource: 'putEvents.waitForTaskToken',
        output: JSON.stringify({ Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 }),
      },
    },
  ];
}

function waiting(): void {
  sfn.on(DescribeExecutionCommand).resolves(described('RUNNING'));
  sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: '{}' } as never);
  sfn.on(GetExecutionHistoryCommand).resolves({ events: askedHistory() });
}

function post(url: string, body: unknown, headers: ConsoleRequest['headers'] = JSON_POST): ConsoleRequest {
  return { method: 'POST', url, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

function parsed(reply: { body: string }) {
  return JSON.parse(reply.body);
}

afterEach(() => {
  sfn.reset();
});

describe("the execution page's approvals", () => {
  it('shows the pending approval: its wave, deadline, the targets it would deploy and who decides', async () => {
    // Arrange
    waiting();

    // Act
    const reply = await handleRequest({ method: 'GET', url: detailUrl, headers: HOST }, deps);

    // Assert
    expect(reply.status).toBe(200);
    const { approvals } = parsed(reply);
    expect(approvals.pending).toMatchObject({
      wave: 2,
      status: 'pending',
      requestedAt: '2026-12-01T10:00:10.000Z',
      timeoutSeconds: 3600,
      deadline: '2026-12-01T11:00:10.000Z',
      decision: null,
    });
    expect(approvals.pendingTargets).toEqual([
      {
        index: 1,
        region: 'eu-central-1',
        location: 's3://builds-eu/',
        application: 'web',
        deploymentGroup: 'web-prod',
      },
    ]);
    expect(approvals.requests).toHaveLength(1);
    expect(approvals.decidesAs).toBe('ana@ops-laptop');
  });

  it('shows nothing pending once the execution no longer runs, even where its history ends at the request', async () => {
    // Arrange: stopped, the history read before its end was logged
    sfn.on(DescribeExecutionCommand).resolves(described('ABORTED'));
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: '{}' } as never);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: askedHistory() });

    // Act
    const reply = await handleRequest({ method: 'GET', url: detailUrl, headers: HOST }, deps);

    // Assert
    expect(parsed(reply).approvals).toMatchObject({ pending: null, pendingTargets: [] });
  });

  it('never hands out the task token, not even in the history it shows', async () => {
    // Arrange
    waiting();

    // Act
    const reply = await handleRequest({ method: 'GET', url: detailUrl, headers: HOST }, deps);

    // Assert
    expect(reply.body).not.toContain(TASK_TOKEN);
    const scheduled = parsed(reply).events.find((e: { type: string }) => e.type === 'TaskScheduled');
    expect(JSON.parse(scheduled.details.parameters).Entries[0].Detail).toMatchObject({
      wave: 2,
      taskToken: expect.stringContaining('hidden'),
    });
  });

  it("records who rejected, when and why — in words as the execution's error too — and shows nothing pending once it ended", async () => {
    // Arrange
    const decision = {
      decision: 'rejected',
      by: 'bo@desk',
      at: '2026-12-01T10:05:00.000Z',
      comment: 'errors up',
    };
    const history: HistoryEvent[] = [
      ...askedHistory(),
      {
        id: 6,
        previousEventId: 5,
        type: 'TaskFailed',
        timestamp: new Date('2026-12-01T10:05:00Z'),
        taskFailedEventDetails: {
          resourceType: 'events',
          resource: 'putEvents.waitForTaskToken',
          error: APPROVAL_REJECTED_ERROR,
          cause: JSON.stringify(decision),
        },
      },
      {
        id: 7,
        previousEventId: 6,
        type: 'ExecutionFailed',
        timestamp: new Date('2026-12-01T10:05:00Z'),
        executionFailedEventDetails: { error: APPROVAL_REJECTED_ERROR, cause: JSON.stringify(decision) },
      },
    ];
    sfn.on(DescribeExecutionCommand).resolves({
      ...described('FAILED'),
      error: APPROVAL_REJECTED_ERROR,
      cause: JSON.stringify(decision),
    });
    sfn.on(DescribeStateMachineForExecutionCommand).resolves({ definition: '{}' } as never);
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history });

    // Act
    const reply = await handleRequest({ method: 'GET', url: detailUrl, headers: HOST }, deps);

    // Assert
    const { approvals, error, message } = parsed(reply);
    expect([error, message]).toEqual([
      APPROVAL_REJECTED_ERROR,
      'wave 2: rejected by bo@desk at 2026-12-01T10:05:00.000Z: errors up',
    ]);
    expect(approvals.pending).toBeNull();
    expect(approvals.pendingTargets).toEqual([]);
    expect(approvals.requests).toEqual([
      expect.objectContaining({
        wave: 2,
        status: 'rejected',
        deadline: null,
        decision: {
          decision: 'rejected',
          by: 'bo@desk',
          at: '2026-12-01T10:05:00.000Z',
          comment: 'errors up',
        },
        summary: 'wave 2: rejected by bo@desk at 2026-12-01T10:05:00.000Z: errors up',
      }),
    ]);
  });
});

describe('POST …/approve and …/reject', () => {
  it('approves the pending wave with SendTaskSuccess, recorded as the operator running the console, with the comment', async () => {
    // Arrange
    waiting();
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const reply = await handleRequest(post(approveUrl, { comment: ' canary ok ', wave: 2 }), deps);

    // Assert
    expect(reply.status).toBe(200);
    expect(parsed(reply)).toMatchObject({
      executionArn: EXECUTION_ARN,
      name: 'web-1',
      wave: 2,
      decision: { decision: 'approved', by: 'ana@ops-laptop', comment: 'canary ok' },
    });
    const calls = sfn.commandCalls(SendTaskSuccessCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input.taskToken).toBe(TASK_TOKEN);
    expect(JSON.parse(calls[0]?.args[0].input.output ?? '')).toMatchObject({
      decision: 'approved',
      by: 'ana@ops-laptop',
      comment: 'canary ok',
    });
    expect(reply.body).not.toContain(TASK_TOKEN);
  });

  it('approves without a body at all (no comment)', async () => {
    // Arrange
    waiting();
    sfn.on(SendTaskSuccessCommand).resolves({});

    // Act
    const reply = await handleRequest(
      { method: 'POST', url: approveUrl, headers: { ...HOST, [TOKEN_HEADER]: TOKEN } },
      deps,
    );

    // Assert
    expect(reply.status).toBe(200);
    expect(parsed(reply).decision.comment).toBeNull();
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('rejects the pending wave with SendTaskFailure (Relay.ApprovalRejected), the reason as the comment', async () => {
    // Arrange
    waiting();
    sfn.on(SendTaskFailureCommand).resolves({});

    // Act
    const reply = await handleRequest(post(rejectUrl, { reason: 'error rate up in Seoul' }), deps);

    // Assert
    expect(reply.status).toBe(200);
    expect(parsed(reply).decision).toMatchObject({ decision: 'rejected', comment: 'error rate up in Seoul' });
    const input = sfn.commandCalls(SendTaskFailureCommand)[0]?.args[0].input;
    expect(input?.taskToken).toBe(TASK_TOKEN);
    expect(input?.error).toBe(APPROVAL_REJECTED_ERROR);
    expect(JSON.parse(input?.cause ?? '')).toMatchObject({
      decision: 'rejected',
      by: 'ana@ops-laptop',
      comment: 'error rate up in Seoul',
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it.each([
    ['no body', undefined, /a rejection needs a reason/],
    ['no reason', {}, /a rejection needs a reason/],
    ['a blank reason', { reason: '   ' }, /"reason" must say why/],
    ['a reason that is not text', { reason: 42 }, /"reason" must be text/],
  ])('answers 400 to a rejection with %s, and decides nothing', async (_, body, message) => {
    // Arrange
    waiting();

    // Act
    const reply = await handleRequest(
      body === undefined ? { method: 'POST', url: rejectUrl, headers: JSON_POST } : post(rejectUrl, body),
      deps,
    );

    // Assert
    expect(reply.status).toBe(400);
    expect(parsed(reply)).toMatchObject({ error: 'BadRequest', message: expect.stringMatching(message) });
    expect(parsed(reply).message).toContain('{ "reason": string');
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  it.each([
    ['a body that is not JSON', '{comment:', /the body is not JSON/],
    ['an unknown member', { comments: 'typo' }, /unknown member "comments"/],
    ['a comment that is too long', { comment: 'x'.repeat(MAX_COMMENT_CHARS + 1) }, /at most 4000 characters/],
    ['a wave that is not one', { wave: 1 }, /"wave" must be a whole number of 2 or more/],
    ['an array', [], /must be a JSON object/],
  ])('answers 400 to an approval with %s, and decides nothing', async (_, body, message) => {
    // Arrange
    waiting();

    // Act
    const reply = await handleRequest(post(approveUrl, body), deps);

    // Assert
    expect(reply.status).toBe(400);
    expect(parsed(reply).message).toMatch(message);
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('answers 415 to a body that is not sent as JSON', async () => {
    // Act
    const reply = await handleRequest(
      post(approveUrl, 'comment=ok', {
        ...HOST,
        [TOKEN_HEADER]: TOKEN,
        'content-type': 'application/x-www-form-urlencoded',
      }),
      deps,
    );

    // Assert
    expect(reply.status).toBe(415);
    expect(parsed(reply).message).toContain('content-type: application/json');
  });

  it('answers 409 with the reason when the execution waits for no approval', async () => {
    // Arrange
    sfn.on(DescribeExecutionCommand).resolves(described('SUCCEEDED'));
    sfn.on(GetExecutionHistoryCommand).resolves({ events: [] });

    // Act
    const reply = await handleRequest(post(approveUrl, {}), deps);

    // Assert
    expect(reply.status).toBe(409);
    expect(parsed(reply)).toEqual({
      error: 'ApprovalNotPending',
      message: 'web-1 is SUCCEEDED, not waiting for an approval',
    });
    expect(sfn.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('answers 409 when the page asks about another wave than the one waiting', async () => {
    // Arrange
    waiting();

    // Act
    const reply = await handleRequest(post(rejectUrl, { reason: 'no', wave: 3 }), deps);

    // Assert
    expect(reply.status).toBe(409);
    expect(parsed(reply).message).toBe('web-1 waits for an approval of wave 2, not wave 3');
    expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
  });

  it('answers 409 when Step Functions says the token is no longer waiting', async () => {
    // Arrange
    waiting();
    sfn
      .on(SendTaskSuccessCommand)
      .rejects(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));

    // Act
    const reply = await handleRequest(post(approveUrl, {}), deps);

    // Assert
    expect(reply.status).toBe(409);
    expect(parsed(reply).message).toMatch(/the approval of wave 2 of web-1 is no longer waiting/);
  });

  it('answers 403 to an approval without the page token or from another origin, and decides nothing', async () => {
    // Arrange
    waiting();

    // Act
    const noToken = await handleRequest(
      post(approveUrl, {}, { ...HOST, 'content-type': 'application/json' }),
      deps,
    );
    const crossOrigin = await handleRequest(
      post(approveUrl, {}, { ...JSON_POST, origin: 'http://evil.example' }),
      deps,
    );

    // Assert
    expect([noToken.status, parsed(noToken).error]).toEqual([403, 'InvalidToken']);
    expect([crossOrigin.status, parsed(crossOrigin).error]).toEqual([403, 'CrossOriginRequest']);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 405 to a GET of the approve and reject routes', async () => {
    // Act
    const approve = await handleRequest({ method: 'GET', url: approveUrl, headers: HOST }, deps);
    const reject = await handleRequest({ method: 'GET', url: rejectUrl, headers: HOST }, deps);

    // Assert
    expect([approve.status, reject.status]).toEqual([405, 405]);
    expect(approve.headers.allow).toBe('POST');
  });
});

describe('the console server reading request bodies', () => {
  it('hands a JSON body to the route over HTTP, and answers 413 to one too long to read', async () => {
    // Arrange
    waiting();
    sfn.on(SendTaskFailureCommand).resolves({});
    const server = await startConsoleServer({ backend, port: 0, prebuild: false });
    const send = (body: string) =>
      fetch(new URL(rejectUrl, server.url), {
        method: 'POST',
        headers: { [TOKEN_HEADER]: server.token, 'content-type': 'application/json' },
        body,
      });

    try {
      // Act
      const ok = await send(JSON.stringify({ reason: 'over HTTP' }));
      const tooLarge = await send(JSON.stringify({ reason: 'x'.repeat(MAX_BODY_BYTES) }));

      // Assert
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { decision: { comment: string } }).decision.comment).toBe('over HTTP');
      expect(tooLarge.status).toBe(413);
      expect(((await tooLarge.json()) as { error: string }).error).toBe('PayloadTooLarge');
      expect(sfn.commandCalls(SendTaskFailureCommand)).toHaveLength(1);
    } finally {
      await server.close();
    }
  });
});
