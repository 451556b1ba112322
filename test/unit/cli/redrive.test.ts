import { describe, expect, it } from 'vitest';
import type { ExecutionDetails } from '../../../cli/executions/describe.ts';
import { whyNotRedrivable } from '../../../cli/executions/redrive.ts';

function execution(overrides: Partial<ExecutionDetails>): ExecutionDetails {
  return {
    executionArn: 'arn:aws:states:us-west-2:111122223333:execution:artifact-relay:x',
    stateMachineArn: 'arn:aws:states:us-west-2:111122223333:stateMachine:artifact-relay',
    name: 'x',
    status: 'FAILED',
    startDate: new Date('2026-11-01T10:00:00Z'),
    redriveCount: 0,
    redriveStatus: 'REDRIVABLE',
    ...overrides,
  };
}

describe('whyNotRedrivable', () => {
  it('accepts failed, timed-out and aborted executions Step Functions calls redrivable', () => {
    // Act / Assert
    for (const status of ['FAILED', 'TIMED_OUT', 'ABORTED'])
      expect(whyNotRedrivable(execution({ status }))).toBeUndefined();
  });

  it('says why the others cannot be redriven', () => {
    // Act
    const reasons = [
      execution({ status: 'SUCCEEDED', redriveStatus: 'NOT_REDRIVABLE' }),
      execution({
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'Execution redrivable period exceeded.',
        stopDate: new Date(2026, 9, 1, 8, 0, 0),
      }),
      execution({
        redriveStatus: 'NOT_REDRIVABLE',
        redriveStatusReason: 'State machine is in DELETING status.',
      }),
    ].map(whyNotRedrivable);

    // Assert
    expect(reasons).toEqual([
      'not failed (it is SUCCEEDED)',
      'past the 14-day redrive window (it stopped 2026-10-01 08:00:00)',
      'not redrivable: State machine is in DELETING status.',
    ]);
  });
});
