import {
  CreateStateMachineCommand,
  DeleteStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  InvalidDefinition,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  type SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  StopExecutionCommand,
  UpdateStateMachineCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../../../helpers/local-stack.ts';
import { deferred } from '../../../unit/local/stepfunctions/fixture.ts';

const ACCOUNT = '000000000000';
const fn = (name: string): string => `arn:aws:lambda:us-west-2:${ACCOUNT}:function:${name}`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/relay`;

const definition = {
  StartAt: 'Copy',
  States: {
    Copy: {
      Type: 'Task',
      Resource: fn('copy'),
      Retry: [{ ErrorEquals: ['SlowDown'], IntervalSeconds: 5, MaxAttempts: 2 }],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', Seconds: 30, End: true },
  },
};

let stack: TestStack;
let sfn: SFNClient;
let stateMachineArn: string;
beforeAll(async () => {
  stack = await startTestStack({ timeScale: 0.000001 });
  sfn = stack.sfnClient('us-west-2');
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'sdk-relay',
      definition: JSON.stringify(definition),
      roleArn: ROLE,
    }),
  );
  stateMachineArn = created.stateMachineArn ?? '';
});
afterAll(async () => {
  await stack.dispose();
});

describe('Step Functions through @aws-sdk/client-sfn', () => {
  it('creates, describes, lists and updates a state machine in the client’s region', async () => {
    // Act
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'sdk-create',
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      }),
    );
    const described = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }),
    );
    const listed = await sfn.send(new ListStateMachinesCommand({}));
    const updated = await sfn.send(
      new UpdateStateMachineCommand({
        stateMachineArn: created.stateMachineArn,
        definition: JSON.stringify(definition),
      }),
    );

    // Assert
    expect(created.stateMachineArn).toBe(`arn:aws:states:us-west-2:${ACCOUNT}:stateMachine:sdk-create`);
    expect(created.creationDate).toBeInstanceOf(Date);
    expect(described).toMatchObject({
      name: 'sdk-create',
      type: 'STANDARD',
      status: 'ACTIVE',
      roleArn: ROLE,
    });
    expect(described.creationDate?.getTime()).toBe(created.creationDate?.getTime());
    expect(listed.stateMachines?.map((m) => m.name)).toContain('sdk-create');
    expect(updated.updateDate).toBeInstanceOf(Date);
  });

  it('raises the modelled exceptions', async () => {
    // Arrange
    const missing = `arn:aws:states:us-west-2:${ACCOUNT}:stateMachine:missing`;

    // Act
    const invalid = sfn
      .send(new CreateStateMachineCommand({ name: 'bad', definition: '{"StartAt":"X"}', roleArn: ROLE }))
      .catch((error: unknown) => error);
    const noMachine = sfn
      .send(new StartExecutionCommand({ stateMachineArn: missing }))
      .catch((error: unknown) => error);
    const noExecution = sfn
      .send(
        new DescribeExecutionCommand({ executionArn: `arn:aws:states:us-west-2:${ACCOUNT}:execution:x:y` }),
      )
      .catch((error: unknown) => error);

    // Assert
    expect(await invalid).toBeInstanceOf(InvalidDefinition);
    expect(await noMachine).toBeInstanceOf(StateMachineDoesNotExist);
    expect(await noExecution).toBeInstanceOf(ExecutionDoesNotExist);
  });

  it('runs an execution whose history the SDK parses, with retries and dates', async () => {
    // Arrange
    let calls = 0;
    stack.stepFunctions.registerTaskHandler(fn('copy'), async (input) => {
      calls += 1;
      if (calls === 1) {
        const error = new Error('reduce your request rate');
        error.name = 'SlowDown';
        throw error;
      }
      return { copied: input };
    });
    // Act
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'sdk-run', input: '{"key":"a.zip"}' }),
    );
    const again = await sfn
      .send(new StartExecutionCommand({ stateMachineArn, name: 'sdk-run', input: '{"key":"b.zip"}' }))
      .catch((error: unknown) => error);
    await stack.stepFunctions.waitForExecution(started.executionArn ?? '');
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'SUCCEEDED' }));

    // Assert
    expect(again).toBeInstanceOf(ExecutionAlreadyExists);
    expect(described).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"copied":{"key":"a.zip"}}',
      redriveCount: 0,
      redriveStatus: 'NOT_REDRIVABLE',
    });
    expect(described.startDate).toBeInstanceOf(Date);
    expect(described.stopDate).toBeInstanceOf(Date);
    const events = history.events ?? [];
    expect(events.map((e) => e.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionFailed',
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
      'TaskStateExited',
      'WaitStateEntered',
      'WaitStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[0]?.timestamp).toBeInstanceOf(Date);
    expect(events[4]?.lambdaFunctionFailedEventDetails?.error).toBe('SlowDown');
    expect(events[1]?.stateEnteredEventDetails).toMatchObject({ name: 'Copy', input: '{"key":"a.zip"}' });
    expect(list.executions?.map((e) => e.name)).toContain('sdk-run');
  });

  it('stops and redrives an execution', async () => {
    // Arrange
    const release = deferred();
    const reached = deferred();
    let blocked = true;
    stack.stepFunctions.registerTaskHandler(fn('copy'), async (input) => {
      if (blocked) {
        reached.resolve();
        await release.promise;
      }
      return input;
    });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: 'sdk-stopped' }),
    );
    await reached.promise;

    // Act
    const stopped = await sfn.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'by hand' }),
    );
    const aborted = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    blocked = false;
    release.resolve();
    const redriven = await sfn.send(new RedriveExecutionCommand({ executionArn }));
    await stack.stepFunctions.waitForExecution(executionArn ?? '');
    const done = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const notAgain = await sfn
      .send(new RedriveExecutionCommand({ executionArn }))
      .catch((error: unknown) => error);

    // Assert
    expect(stopped.stopDate).toBeInstanceOf(Date);
    expect(aborted).toMatchObject({
      status: 'ABORTED',
      error: 'Operator',
      cause: 'by hand',
      redriveStatus: 'REDRIVABLE',
    });
    expect(redriven.redriveDate).toBeInstanceOf(Date);
    expect(done).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    expect(done.redriveDate).toBeInstanceOf(Date);
    expect(notAgain).toBeInstanceOf(ExecutionNotRedrivable);
  });

  it('deletes a state machine', async () => {
    // Arrange
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: 'sdk-delete',
        definition: JSON.stringify(definition),
        roleArn: ROLE,
      }),
    );

    // Act
    await sfn.send(new DeleteStateMachineCommand({ stateMachineArn: created.stateMachineArn }));
    const gone = await sfn
      .send(new DescribeStateMachineCommand({ stateMachineArn: created.stateMachineArn }))
      .catch((error: unknown) => error);

    // Assert
    expect(gone).toBeInstanceOf(StateMachineDoesNotExist);
  });
});
