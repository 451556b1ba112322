import { describe, expect, it } from 'vitest';
import type { HistoryEventView } from '../../../console/api-types.ts';
import { definitionGraph, stateRuns, targetPath } from '../../../console/ui/graph-model.ts';
import { approveWaveState } from '../../../core/approvals.ts';
import { approvalNeededState } from '../../../core/state-names.ts';
import { buildDefinition } from '../../../state-machine/build.ts';

/** Resolve → Fan (a Map over targets: Copy → Verify → Deploy, Copy caught into Skipped) → Done. */
const DEFINITION = {
  StartAt: 'Resolve',
  States: {
    Resolve: { Type: 'Task', Next: 'Fan' },
    Fan: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'Copy',
        States: {
          Copy: { Type: 'Task', Next: 'Verify', Catch: [{ ErrorEquals: ['Skip'], Next: 'Skipped' }] },
          Verify: { Type: 'Task', Next: 'Deploy' },
          Deploy: { Type: 'Task', End: true },
          Skipped: { Type: 'Pass', End: true },
        },
      },
      Next: 'Done',
    },
    Done: { Type: 'Succeed' },
    Never: { Type: 'Fail' },
  },
};

/** Builds a history the way Step Functions links it: each event names the one before it on its thread. */
class History {
  readonly events: HistoryEventView[] = [];

  add(type: string, previous: number, extra: { stateName?: string; details?: unknown } = {}): number {
    const id = this.events.length + 1;
    this.events.push({
      id,
      previousEventId: previous === 0 ? null : previous,
      type,
      timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(),
      stateName: extra.stateName ?? null,
      details: extra.details ?? null,
    });
    return id;
  }

  /** A Task state entered, attempted, and ended as `end` says; returns its last event's id. */
  task(previous: number, name: string, end: 'exit' | 'fail' | 'open', attempts = 1): number {
    let last = this.add('TaskStateEntered', previous, { stateName: name });
    for (let i = 0; i < attempts; i++) {
      last = this.add('LambdaFunctionScheduled', last);
      const failing = end === 'fail' || i < attempts - 1;
      if (end === 'open' && i === attempts - 1) return last;
      last = failing
        ? this.add('LambdaFunctionFailed', last, {
            details: { error: 'AccessDenied', cause: `denied on ${name}` },
          })
        : this.add('LambdaFunctionSucceeded', last);
    }
    return end === 'exit' ? this.add('TaskStateExited', last, { stateName: name }) : last;
  }

  iteration(previous: number, index: number): number {
    return this.add('MapIterationStarted', previous, { details: { name: 'Fan', index } });
  }

  /** The start: Resolve done, the Map entered; returns the Map's start event. */
  start(): number {
    const started = this.add('ExecutionStarted', 0);
    const resolved = this.task(started, 'Resolve', 'exit');
    const entered = this.add('MapStateEntered', resolved, { stateName: 'Fan' });
    return this.add('MapStateStarted', entered);
  }
}

describe('stateRuns', () => {
  it('colours states that ran to their end succeeded and leaves states never entered out (not run)', () => {
    // Arrange
    const h = new History();
    const map = h.start();
    const copied = h.task(h.iteration(map, 0), 'Copy', 'exit');
    const verified = h.task(copied, 'Verify', 'exit');
    h.task(verified, 'Deploy', 'exit');
    h.add('MapStateExited', h.add('MapStateSucceeded', map), { stateName: 'Fan' });

    // Act
    const runs = stateRuns(DEFINITION, h.events, 'SUCCEEDED');

    // Assert
    expect(Object.fromEntries(runs)).toEqual({
      Resolve: 'succeeded',
      Fan: 'succeeded',
      Copy: 'succeeded',
      Verify: 'succeeded',
      Deploy: 'succeeded',
    });
    expect(runs.has('Never')).toBe(false);
    expect(runs.has('Skipped')).toBe(false);
  });

  it('colours a state whose task failed, uncaught, failed once the execution ended', () => {
    // Arrange
    const h = new History();
    const map = h.start();
    h.task(h.iteration(map, 0), 'Copy', 'fail');

    // Act
    const runs = stateRuns(DEFINITION, h.events, 'FAILED');

    // Assert
    expect(runs.get('Copy')).toBe('failed');
    expect(runs.has('Verify')).toBe(false);
  });

  it('colours a state caught when its Catch target is entered next in the same iteration', () => {
    // Arrange
    const h = new History();
    const map = h.start();
    const failed = h.task(h.iteration(map, 0), 'Copy', 'fail');
    h.add('PassStateExited', h.add('PassStateEntered', failed, { stateName: 'Skipped' }), {
      stateName: 'Skipped',
    });

    // Act
    const runs = stateRuns(DEFINITION, h.events, 'SUCCEEDED');

    // Assert
    expect(runs.get('Copy')).toBe('caught');
    expect(runs.get('Skipped')).toBe('succeeded');
  });

  it('colours a state entered and not ended in progress while the execution runs', () => {
    // Arrange
    const h = new History();
    const map = h.start();
    h.task(h.iteration(map, 0), 'Copy', 'open');

    // Act
    const runs = stateRuns(DEFINITION, h.events, 'RUNNING');

    // Assert
    expect(runs.get('Copy')).toBe('running');
    expect(runs.get('Fan')).toBe('running');
  });

  it('lets a redrive’s later run of a state win over the failed run it repeats', () => {
    // Arrange
    const h = new History();
    const map = h.start();
    h.task(h.iteration(map, 0), 'Copy', 'fail');
    const redriven = h.add('ExecutionRedriven', 0);
    const again = h.add('MapStateRedriven', redriven);
    const copied = h.task(h.iteration(again, 0), 'Copy', 'exit');
    h.task(h.task(copied, 'Verify', 'exit'), 'Deploy', 'exit');

    // Act
    const runs = stateRuns(DEFINITION, h.events, 'SUCCEEDED');

    // Assert
    expect(runs.get('Copy')).toBe('succeeded');
    expect(runs.get('Deploy')).toBe('succeeded');
  });

  it('colours across iterations by the most telling run, and by one iteration when a target is selected', () => {
    // Arrange
    const h = new History();
    const map = h.start();
    const first = h.task(h.iteration(map, 0), 'Copy', 'exit');
    h.task(h.task(first, 'Verify', 'exit'), 'Deploy', 'exit');
    h.task(h.iteration(map, 1), 'Copy', 'fail');

    // Act
    const every = stateRuns(DEFINITION, h.events, 'FAILED');
    const target0 = stateRuns(DEFINITION, h.events, 'FAILED', 0);
    const target1 = stateRuns(DEFINITION, h.events, 'FAILED', 1);

    // Assert
    expect(every.get('Copy')).toBe('failed');
    expect(every.get('Deploy')).toBe('succeeded');
    expect(target0.get('Copy')).toBe('succeeded');
    expect(target0.get('Deploy')).toBe('succeeded');
    expect(target1.get('Copy')).toBe('failed');
    expect(target1.has('Deploy')).toBe(false);
    expect(target1.get('Resolve')).toBe('succeeded');
  });
});

describe('targetPath', () => {
  it("lists a target's state runs in order with their attempts and the last error", () => {
    // Arrange
    const h = new History();
    const map = h.start();
    h.task(h.iteration(map, 0), 'Copy', 'exit');
    const copied = h.task(h.iteration(map, 1), 'Copy', 'exit', 3);
    h.task(copied, 'Verify', 'fail');

    // Act
    const path = targetPath(DEFINITION, h.events, 'FAILED', 1);

    // Assert
    expect(path).toEqual([
      {
        state: 'Copy',
        iteration: 'Fan[1]',
        run: 'succeeded',
        attempts: 3,
        error: 'AccessDenied',
        cause: 'denied on Copy',
      },
      {
        state: 'Verify',
        iteration: 'Fan[1]',
        run: 'failed',
        attempts: 1,
        error: 'AccessDenied',
        cause: 'denied on Verify',
      },
    ]);
  });
});

describe('definitionGraph', () => {
  it('draws a Map as a compound node holding its iterator’s states, and Catch transitions as catch edges', () => {
    // Act
    const graph = definitionGraph(DEFINITION);

    // Assert
    const fan = graph?.children?.find((node) => node.label === 'Fan');
    expect(fan?.type).toBe('Map');
    expect(fan?.children?.map((node) => node.label)).toEqual(['Copy', 'Verify', 'Deploy', 'Skipped']);
    expect(fan?.edges?.filter((edge) => edge.kind === 'catch').map((edge) => edge.targets[0])).toEqual([
      'state:Skipped',
    ]);
  });

  it('answers undefined for something that is not a States Language definition', () => {
    // Act / Assert
    expect(definitionGraph({ States: 'none' })).toBeUndefined();
  });
});

describe('approval states (a Task that waits for its task token)', () => {
  const definition = buildDefinition({ deploymentWaves: 2, approvals: [{ wave: 2, timeoutSeconds: 3600 }] });
  const APPROVE = approveWaveState(2);

  /** The approval asked: its state entered, the event put with the token, waiting; returns the last id. */
  function asked(h: History): number {
    const started = h.add('ExecutionStarted', 0);
    const choice = h.add('ChoiceStateEntered', started, { stateName: approvalNeededState(2) });
    const chosen = h.add('ChoiceStateExited', choice, { stateName: approvalNeededState(2) });
    const entered = h.add('TaskStateEntered', chosen, { stateName: APPROVE });
    const scheduled = h.add('TaskScheduled', entered, {
      details: { resourceType: 'events', resource: 'putEvents.waitForTaskToken', timeoutInSeconds: 3600 },
    });
    return h.add('TaskSubmitted', h.add('TaskStarted', scheduled));
  }

  it('draws `Approve wave N` as a Task that waits for a callback, after the Choice that asks for it', () => {
    // Act
    const graph = definitionGraph(definition);

    // Assert
    const approve = graph?.children?.find((node) => node.label === APPROVE);
    expect(approve).toMatchObject({ type: 'Task', callback: true });
    expect(graph?.children?.find((node) => node.label === 'ResolveTargets')?.callback).toBeUndefined();
    const into = graph?.edges?.filter((edge) => edge.targets[0] === `state:${APPROVE}`);
    expect(into?.map((edge) => [edge.sources[0], edge.kind])).toEqual([
      [`state:${approvalNeededState(2)}`, 'choice'],
    ]);
  });

  it('colours it in progress while it waits, succeeded once approved, failed once rejected or timed out', () => {
    // Arrange
    const waiting = new History();
    asked(waiting);
    const approved = new History();
    const done = approved.add('TaskSucceeded', asked(approved), { details: { output: '{}' } });
    approved.add('TaskStateExited', done, { stateName: APPROVE });
    const rejected = new History();
    rejected.add(
      'ExecutionFailed',
      rejected.add('TaskFailed', asked(rejected), {
        details: { error: 'Relay.ApprovalRejected', cause: '{"decision":"rejected"}' },
      }),
    );
    const timedOut = new History();
    timedOut.add('TaskTimedOut', asked(timedOut), { details: { error: 'States.Timeout' } });

    // Act
    const runs = [
      stateRuns(definition, waiting.events, 'RUNNING'),
      stateRuns(definition, approved.events, 'RUNNING'),
      stateRuns(definition, rejected.events, 'FAILED'),
      stateRuns(definition, timedOut.events, 'FAILED'),
    ].map((run) => run.get(APPROVE));

    // Assert
    expect(runs).toEqual(['running', 'succeeded', 'failed', 'failed']);
  });
});
