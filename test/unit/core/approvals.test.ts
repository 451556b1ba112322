import { describe, expect, it } from 'vitest';
import {
  APPROVAL_REJECTED_ERROR,
  type ApprovalHistoryEvent,
  approvalsOf,
  decisionOf,
  describeApproval,
  pendingApproval,
  readDecision,
} from '../../../core/approvals.ts';

const at = (s: number) => new Date(Date.UTC(2026, 11, 2, 9, 0, s));

function asked(wave: number, token: string, second = 0): ApprovalHistoryEvent[] {
  return [
    {
      type: 'TaskStateEntered',
      timestamp: at(second),
      stateEnteredEventDetails: { name: `Approve wave ${wave}` },
    },
    {
      type: 'TaskScheduled',
      timestamp: at(second),
      taskScheduledEventDetails: {
        parameters: JSON.stringify({ Entries: [{ Detail: { wave, taskToken: token } }] }),
        timeoutInSeconds: 3600,
      },
    },
    { type: 'TaskStarted', timestamp: at(second) },
    { type: 'TaskSubmitted', timestamp: at(second) },
  ];
}

const approved = decisionOf('approved', 'ana', ' canary ok ', at(30));
const rejected = decisionOf('rejected', 'bo', 'error rate up', at(40));

describe('approvalsOf', () => {
  it('reads a pending request with its token, deadline and wave', () => {
    // Act
    const requests = approvalsOf([{ type: 'ExecutionStarted' }, ...asked(2, 'tok-1')]);

    // Assert
    expect(requests).toEqual([
      {
        wave: 2,
        status: 'pending',
        requestedAt: at(0).toISOString(),
        taskToken: 'tok-1',
        timeoutSeconds: 3600,
      },
    ]);
    expect(pendingApproval(requests)?.taskToken).toBe('tok-1');
    expect(describeApproval(requests[0]!)).toBe(
      'wave 2: waiting for approval until 2026-12-02T10:00:00.000Z — relay approve|reject <execution>',
    );
  });

  it('reads who approved, when and why, and forgets the spent token', () => {
    // Act
    const requests = approvalsOf([
      ...asked(2, 'tok-1'),
      { type: 'TaskSucceeded', taskSucceededEventDetails: { output: JSON.stringify(approved) } },
    ]);

    // Assert
    expect(requests).toEqual([
      {
        wave: 2,
        status: 'approved',
        requestedAt: at(0).toISOString(),
        timeoutSeconds: 3600,
        decision: { decision: 'approved', by: 'ana', at: at(30).toISOString(), comment: 'canary ok' },
      },
    ]);
    expect(pendingApproval(requests)).toBeUndefined();
    expect(describeApproval(requests[0]!)).toBe(
      'wave 2: approved by ana at 2026-12-02T09:00:30.000Z: canary ok',
    );
  });

  it('tells a rejection from a failed request, a timeout and a stopped execution', () => {
    // Arrange
    const history: ApprovalHistoryEvent[] = [
      ...asked(2, 'tok-1', 0),
      {
        type: 'TaskFailed',
        taskFailedEventDetails: { error: APPROVAL_REJECTED_ERROR, cause: JSON.stringify(rejected) },
      },
      ...asked(2, 'tok-2', 50),
      {
        type: 'TaskFailed',
        taskFailedEventDetails: { error: 'EventBridge.ThrottlingException', cause: 'slow down' },
      },
      ...asked(2, 'tok-3', 51),
      { type: 'TaskTimedOut', taskTimedOutEventDetails: { error: 'States.Timeout' } },
      ...asked(3, 'tok-4', 52),
      { type: 'ExecutionAborted' },
    ];

    // Act
    const requests = approvalsOf(history);

    // Assert
    expect(requests.map((r) => [r.wave, r.status, r.decision?.by ?? r.error ?? null])).toEqual([
      [2, 'rejected', 'bo'],
      [2, 'failed', 'EventBridge.ThrottlingException'],
      [2, 'timed-out', 'States.Timeout'],
      [3, 'stopped', 'ExecutionAborted'],
    ]);
    expect(requests.every((r) => r.taskToken === undefined)).toBe(true);
    expect(describeApproval(requests[0]!)).toBe(
      'wave 2: rejected by bo at 2026-12-02T09:00:40.000Z: error rate up',
    );
    expect(describeApproval(requests[2]!)).toBe('wave 2: nobody decided before the approval timed out');
  });

  it('ignores Task events of other states', () => {
    // Act
    const requests = approvalsOf([
      { type: 'TaskStateEntered', stateEnteredEventDetails: { name: 'Copy' } },
      { type: 'TaskScheduled', taskScheduledEventDetails: { parameters: '{}' } },
      { type: 'TaskSucceeded', taskSucceededEventDetails: { output: JSON.stringify(approved) } },
    ]);

    // Assert
    expect(requests).toEqual([]);
  });

  it('reads only well-formed decisions', () => {
    expect(readDecision(JSON.stringify(approved))).toEqual(approved);
    expect(readDecision('{"decision":"maybe","by":"x","at":"y"}')).toBeUndefined();
    expect(readDecision('not json')).toBeUndefined();
    expect(decisionOf('approved', 'ana', '   ', at(0))).toEqual({
      decision: 'approved',
      by: 'ana',
      at: at(0).toISOString(),
    });
  });
});
