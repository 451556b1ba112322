import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerStartExecutionIntegration } from '../../../../local/stepfunctions/start-execution-integration.ts';
import { deferred, type Fixture, fn, historyOf, named, startFixture } from './fixture.ts';

interface Described {
  status: string;
  output?: string;
  error?: string;
  cause?: string;
}

/** A parent whose one Task starts `child` with its input and waits (`.sync:2`, or another pattern). */
function parentDefinition(
  childArn: string,
  resource = 'arn:aws:states:::states:startExecution.sync:2',
): object {
  return {
    StartAt: 'Start child',
    States: {
      'Start child': {
        Type: 'Task',
        Resource: resource,
        Parameters: { StateMachineArn: childArn, 'Input.$': '$' },
        ResultSelector: { 'status.$': '$.Status', 'output.$': '$.Output', 'arn.$': '$.ExecutionArn' },
        End: true,
      },
    },
  };
}

const child = { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: fn('work'), End: true } } };

describe('the startExecution integration', () => {
  let f: Fixture;

  beforeEach(async () => {
    f = await startFixture();
    registerStartExecutionIntegration(f.sfn);
  });
  afterEach(async () => {
    await f.dispose();
  });

  async function run(definition: object, input: unknown): Promise<Described & { executionArn: string }> {
    const stateMachineArn = await f.createMachine(definition, 'parent');
    const { executionArn } = await f.call<{ executionArn: string }>('StartExecution', {
      stateMachineArn,
      input: JSON.stringify(input),
    });
    return { executionArn, ...((await f.sfn.waitForExecution(executionArn)) as Described) };
  }

  it('starts the execution with the Task input, waits for it and hands on its parsed output (.sync:2)', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('work'), async (input) => ({ doubled: (input as { n: number }).n * 2 }));
    const childArn = await f.createMachine(child, 'child');

    // Act
    const parent = await run(parentDefinition(childArn), { n: 21 });

    // Assert
    expect(parent.status).toBe('SUCCEEDED');
    const output = JSON.parse(parent.output ?? '{}') as { status: string; output: unknown; arn: string };
    expect(output).toMatchObject({ status: 'SUCCEEDED', output: { doubled: 42 } });
    expect(output.arn).toMatch(/:execution:child:/);
    const scheduled = (await historyOf(f, parent.executionArn)).find((e) => e.type === 'TaskScheduled');
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({
      resourceType: 'states',
      resource: 'startExecution.sync:2',
    });
  });

  it('hands on the output as JSON text with .sync, as DescribeExecution gives it', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('work'), async () => ({ ok: true }));
    const childArn = await f.createMachine(child, 'child');

    // Act
    const parent = await run(parentDefinition(childArn, 'arn:aws:states:::states:startExecution.sync'), {});

    // Assert
    expect(JSON.parse(parent.output ?? '{}').output).toBe('{"ok":true}');
  });

  it('fails the Task with States.TaskFailed and the failed execution as the cause', async () => {
    // Arrange
    f.sfn.registerTaskHandler(fn('work'), async () => {
      throw named('CopyFailed', 'the bucket is gone');
    });
    const childArn = await f.createMachine(child, 'child');

    // Act
    const parent = await run(parentDefinition(childArn), {});

    // Assert
    expect(parent).toMatchObject({ status: 'FAILED', error: 'States.TaskFailed' });
    expect(JSON.parse(parent.cause ?? '{}')).toMatchObject({ Status: 'FAILED', Error: 'CopyFailed' });
  });

  it('stops the execution it started when the waiting Task is stopped', async () => {
    // Arrange
    const started = deferred();
    f.sfn.registerTaskHandler(fn('work'), async (_input, { signal }) => {
      started.resolve();
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      return {};
    });
    const childArn = await f.createMachine(child, 'child');
    const parentArn = await f.createMachine(parentDefinition(childArn), 'parent');
    const { executionArn } = await f.call<{ executionArn: string }>('StartExecution', {
      stateMachineArn: parentArn,
      input: '{}',
    });
    await started.promise;

    // Act
    await f.call('StopExecution', { executionArn });

    // Assert
    const listed = await f.call<{ executions: Array<{ executionArn: string }> }>('ListExecutions', {
      stateMachineArn: childArn,
    });
    const childRun = listed.executions[0]?.executionArn ?? '';
    const ended = (await f.sfn.waitForExecution(childRun)) as Described;
    expect(ended.status).toBe('ABORTED');
  });
});
