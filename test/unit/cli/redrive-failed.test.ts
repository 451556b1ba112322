import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandInput,
  ListExecutionsCommand,
  type ListExecutionsCommandInput,
  RedriveExecutionCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runRedrive } from '../../../cli/actions/redrive.ts';

const sfn = mockClient(SFNClient);
const MACHINE = 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay';
const arnOf = (name: string) => `arn:aws:states:us-west-2:111122223333:execution:artifact-relay:${name}`;

describe('relay redrive --failed', () => {
  afterEach(() => {
    sfn.reset();
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it('offers failed, timed-out and aborted executions, as Step Functions redrives all three', async () => {
    // Arrange
    const stopped = new Date();
    const byStatus: Record<string, string> = {
      FAILED: 'failed-1',
      TIMED_OUT: 'timed-out-1',
      ABORTED: 'stopped-1',
    };
    sfn.on(ListExecutionsCommand).callsFake((input: ListExecutionsCommandInput) => {
      const name = byStatus[input.statusFilter ?? ''];
      return {
        executions: name
          ? [
              {
                executionArn: arnOf(name),
                stateMachineArn: MACHINE,
                name,
                status: input.statusFilter,
                startDate: stopped,
                stopDate: stopped,
              },
            ]
          : [],
      };
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: DescribeExecutionCommandInput) => {
      const name = input.executionArn?.split(':').at(-1) ?? '';
      const status = Object.entries(byStatus).find(([, n]) => n === name)?.[0];
      return {
        executionArn: input.executionArn,
        stateMachineArn: MACHINE,
        name,
        status,
        startDate: stopped,
        stopDate: stopped,
        input: '{"bucket":"b","key":"k.zip"}',
        redriveCount: 0,
        redriveStatus: 'REDRIVABLE',
      };
    });
    sfn.on(RedriveExecutionCommand).resolves({ redriveDate: new Date() });
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });

    // Act
    await runRedrive([], {
      failed: true,
      dryRun: true,
      json: true,
      region: 'us-west-2',
      stateMachine: MACHINE,
    });

    // Assert
    const statuses = sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input.statusFilter);
    expect(statuses).toEqual(expect.arrayContaining(['FAILED', 'TIMED_OUT', 'ABORTED']));
    const report = JSON.parse(written.join('')) as { executions: Array<{ name: string; action: string }> };
    expect(report.executions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'stopped-1', action: 'would-redrive' }),
        expect.objectContaining({ name: 'failed-1', action: 'would-redrive' }),
        expect.objectContaining({ name: 'timed-out-1', action: 'would-redrive' }),
      ]),
    );
    expect(sfn.commandCalls(RedriveExecutionCommand)).toHaveLength(0);
  });
});
