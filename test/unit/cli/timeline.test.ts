import { readFileSync } from 'node:fs';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { countOutcomes, targetOutcome } from '../../../core/executions/outcome.ts';
import { buildTimeline } from '../../../core/executions/timeline.ts';

/** A real local-stack history: target 2 denied (AccessDenied) in both passes, redriven twice, then copied. */
function failedThenRedriven(): HistoryEvent[] {
  const raw = JSON.parse(
    readFileSync(new URL('./fixtures/history-failed-then-redriven.json', import.meta.url), 'utf8'),
  ) as Array<HistoryEvent & { timestamp: string }>;
  return raw.map((event) => ({ ...event, timestamp: new Date(event.timestamp) }));
}

let nextId = 1;
function event(type: string, previousEventId: number, details: Partial<HistoryEvent> = {}): HistoryEvent {
  return {
    id: nextId++,
    previousEventId,
    type,
    timestamp: new Date(1_700_000_000_000 + nextId * 10),
    ...details,
  } as HistoryEvent;
}

describe('buildTimeline', () => {
  it('names the targets from the first Map state input', () => {
    // Act
    const timeline = buildTimeline(failedThenRedriven());

    // Assert
    expect(timeline.targets.map((t) => t.target)).toEqual([
      { bucket: 'cli-eu', region: 'eu-central-1', keyPrefix: undefined },
      { bucket: 'cli-ap', region: 'ap-northeast-2', keyPrefix: 'releases/' },
    ]);
  });

  it('attributes each task to its target, pass and redrive', () => {
    // Act
    const [first, second] = buildTimeline(failedThenRedriven()).targets;

    // Assert
    expect(first?.passes.map((p) => [p.pass, p.redrive, p.status, p.steps.map((s) => s.name)])).toEqual([
      [1, 0, 'succeeded', ['Copy', 'Verify']],
      [2, 0, 'succeeded', []],
    ]);
    expect(
      second?.passes.map((p) => [p.pass, p.redrive, p.status, p.steps.map((s) => `${s.name}:${s.status}`)]),
    ).toEqual([
      [1, 0, 'succeeded', ['Copy:failed']],
      [2, 0, 'failed', ['Pause before retry:succeeded', 'Copy (retry):failed']],
      [2, 1, 'failed', ['Pause before retry:succeeded', 'Copy (retry):failed']],
      [
        2,
        2,
        'succeeded',
        ['Pause before retry:succeeded', 'Copy (retry):succeeded', 'Verify (retry):succeeded'],
      ],
    ]);
  });

  it('keeps the error of every failed attempt with its step', () => {
    // Act
    const copy = buildTimeline(failedThenRedriven()).targets[1]?.passes[0]?.steps[0];

    // Assert
    expect(copy?.attempts).toBe(1);
    expect(copy?.errors.map((e) => e.error)).toEqual(['AccessDenied']);
    expect(copy?.errors[0]?.cause).toContain('s3://cli-ap/releases/a.zip');
  });

  it('lists the redrives and the steps outside the Map states', () => {
    // Act
    const timeline = buildTimeline(failedThenRedriven());

    // Assert
    expect(timeline.redrives.map((r) => r.count)).toEqual([1, 2]);
    expect(timeline.steps.map((s) => [s.name, s.attempts, s.status])).toEqual([
      ['ResolveTargets', 1, 'succeeded'],
    ]);
  });

  it('counts every scheduled attempt of a retried task', () => {
    // Arrange
    const started = event('ExecutionStarted', 0);
    const entered = event('TaskStateEntered', started.id ?? 0, {
      stateEnteredEventDetails: { name: 'ResolveTargets' },
    });
    const first = event('LambdaFunctionScheduled', entered.id ?? 0);
    const failed = event('LambdaFunctionFailed', first.id ?? 0, {
      lambdaFunctionFailedEventDetails: { error: 'TransientAwsError', cause: '{"errorMessage":"SlowDown"}' },
    });
    const second = event('LambdaFunctionScheduled', failed.id ?? 0);
    const succeeded = event('LambdaFunctionSucceeded', second.id ?? 0);
    const exited = event('TaskStateExited', succeeded.id ?? 0, {
      stateExitedEventDetails: { name: 'ResolveTargets' },
    });

    // Act
    const [step] = buildTimeline([started, entered, first, failed, second, succeeded, exited]).steps;

    // Assert
    expect([step?.attempts, step?.status, step?.errors.map((e) => e.error)]).toEqual([
      2,
      'succeeded',
      ['TransientAwsError'],
    ]);
  });
});

describe('targetOutcome', () => {
  it('takes the outcome of the last iteration that ran', () => {
    // Act
    const outcomes = buildTimeline(failedThenRedriven()).targets.map((t) => targetOutcome(t));

    // Assert
    expect(outcomes.map((o) => o.status)).toEqual(['copied', 'copied']);
    expect(countOutcomes(outcomes)).toEqual({ total: 2, ok: 2, failed: 0, skipped: 0, pending: 0 });
  });

  it('reports the error of a failed second pass', () => {
    // Arrange: the history up to the first ExecutionFailed
    const events = failedThenRedriven();
    const cut = events.findIndex((e) => e.type === 'ExecutionFailed');

    // Act
    const outcome = targetOutcome(buildTimeline(events.slice(0, cut + 1)).targets[1]!);

    // Assert
    expect([outcome.status, outcome.error]).toEqual(['failed', 'AccessDenied']);
  });

  it('says running while the iteration has not ended', () => {
    // Arrange
    const events = failedThenRedriven();
    const cut = events.findIndex((e) => e.type === 'MapIterationFailed');

    // Act
    const outcome = targetOutcome(buildTimeline(events.slice(0, cut)).targets[1]!);

    // Assert
    expect(outcome.status).toBe('running');
  });
});
