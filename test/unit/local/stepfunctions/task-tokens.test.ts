import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deferred, errorCode, type Fixture, historyOf, startFixture } from './fixture.ts';

const PUT_EVENTS = 'arn:aws:states:::events:putEvents';

/** A callback Task that puts one event carrying the task token, then waits. */
function callbackDefinition(timeoutSeconds = 3600): object {
  return {
    StartAt: 'Approve',
    States: {
      Approve: {
        Type: 'Task',
        Resource: `${PUT_EVENTS}.waitForTaskToken`,
        Parameters: {
          Entries: [
            {
              Source: 'test',
              DetailType: 'Approval Pending',
              Detail: { 'wave.$': '$.wave', 'taskToken.$': '$$.Task.Token' },
            },
          ],
        },
        TimeoutSeconds: timeoutSeconds,
        ResultPath: '$.decision',
        End: true,
      },
    },
  };
}

interface Described {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
}

describe('callback Tasks (.waitForTaskToken)', () => {
  let f: Fixture;
  let tokens: Array<{ token: string; entries: unknown }>;
  let published: ReturnType<typeof deferred<string>>;

  beforeEach(async () => {
    f = await startFixture();
    tokens = [];
    published = deferred<string>();
    f.sfn.registerTaskHandler(PUT_EVENTS, async (input) => {
      const entries = (input as { Entries: Array<{ Detail: { taskToken: string } }> }).Entries;
      const token = entries[0]?.Detail.taskToken ?? '';
      tokens.push({ token, entries });
      published.resolve(token);
      return { Entries: [{ EventId: 'e-1' }], FailedEntryCount: 0 };
    });
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function start(definition = callbackDefinition()): Promise<string> {
    const stateMachineArn = await f.createMachine(definition);
    const { executionArn } = await f.call<{ executionArn: string }>('StartExecution', {
      stateMachineArn,
      input: JSON.stringify({ wave: 2 }),
    });
    return executionArn;
  }

  it('hands the integration a fresh token and continues with what SendTaskSuccess sends', async () => {
    const executionArn = await start();
    const token = await published.promise;
    expect(token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    const running = await f.call<Described>('DescribeExecution', { executionArn });
    expect(running.status).toBe('RUNNING');

    await f.call('SendTaskSuccess', {
      taskToken: token,
      output: JSON.stringify({ decision: 'approved', by: 'ana' }),
    });
    const done = (await f.sfn.waitForExecution(executionArn)) as Described;
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '{}')).toEqual({
      wave: 2,
      decision: { decision: 'approved', by: 'ana' },
    });

    const history = await historyOf(f, executionArn);
    const types = history.map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']),
    );
    expect(types.indexOf('TaskSubmitted')).toBeLessThan(types.indexOf('TaskSucceeded'));
    const scheduled = history.find((e) => e.type === 'TaskScheduled')?.taskScheduledEventDetails as {
      resourceType: string;
      resource: string;
      parameters: string;
    };
    // The token is in the scheduled parameters, as AWS shows them: that is where `relay approve` finds it.
    expect(scheduled.resourceType).toBe('events');
    expect(scheduled.resource).toBe('putEvents.waitForTaskToken');
    expect(JSON.parse(scheduled.parameters).Entries[0].Detail).toEqual({ wave: 2, taskToken: token });
  });

  it('fails the Task with the error and cause SendTaskFailure names, and then refuses the token', async () => {
    const executionArn = await start();
    const token = await published.promise;
    await f.call('SendTaskFailure', {
      taskToken: token,
      error: 'Relay.ApprovalRejected',
      cause: 'not today',
    });
    const done = (await f.sfn.waitForExecution(executionArn)) as Described;
    expect(done).toMatchObject({ status: 'FAILED', error: 'Relay.ApprovalRejected', cause: 'not today' });
    const failed = (await historyOf(f, executionArn)).find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails).toMatchObject({
      error: 'Relay.ApprovalRejected',
      cause: 'not today',
    });
    expect(await errorCode(f.call('SendTaskSuccess', { taskToken: token, output: '{}' }))).toBe(
      'TaskTimedOut',
    );
  });

  it('times the Task out after its TimeoutSeconds and refuses a late answer', async () => {
    const executionArn = await start(callbackDefinition(1));
    const token = await published.promise;
    const done = (await f.sfn.waitForExecution(executionArn)) as Described;
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect((await historyOf(f, executionArn)).some((e) => e.type === 'TaskTimedOut')).toBe(true);
    expect(await errorCode(f.call('SendTaskSuccess', { taskToken: token, output: '{}' }))).toBe(
      'TaskTimedOut',
    );
  });

  it('refuses a token it never issued and an output that is not JSON, and keeps waiting', async () => {
    const executionArn = await start();
    const token = await published.promise;
    expect(await errorCode(f.call('SendTaskSuccess', { taskToken: 'not-a-token', output: '{}' }))).toBe(
      'InvalidToken',
    );
    expect(await errorCode(f.call('SendTaskSuccess', { taskToken: token, output: '{oops' }))).toBe(
      'InvalidOutput',
    );
    await f.call('SendTaskHeartbeat', { taskToken: token });
    await f.call('SendTaskSuccess', { taskToken: token, output: '"ok"' });
    expect(((await f.sfn.waitForExecution(executionArn)) as Described).status).toBe('SUCCEEDED');
  });

  it('forgets the token of a stopped execution', async () => {
    const executionArn = await start();
    const token = await published.promise;
    await f.call('StopExecution', { executionArn });
    expect(await errorCode(f.call('SendTaskFailure', { taskToken: token }))).toBe('TaskTimedOut');
  });

  it('asks again with a new token when a failed execution is redriven', async () => {
    const executionArn = await start();
    const first = await published.promise;
    await f.call('SendTaskFailure', { taskToken: first, error: 'Rejected' });
    await f.sfn.waitForExecution(executionArn);
    published = deferred<string>();
    await f.call('RedriveExecution', { executionArn });
    const second = await published.promise;
    expect(second).not.toBe(first);
    await f.call('SendTaskSuccess', { taskToken: second, output: '{"decision":"approved"}' });
    const done = (await f.sfn.waitForExecution(executionArn)) as Described;
    expect(done.status).toBe('SUCCEEDED');
    expect(tokens).toHaveLength(2);
  });
});
