import { describe, expect, it } from 'vitest';
import { compileScope, MAX_TIMEOUT_SECONDS } from '../../../../local/stepfunctions/compile.ts';
import { parseDefinition } from '../../../../local/stepfunctions/definition.ts';
import { ExecutionHistory } from '../../../../local/stepfunctions/history.ts';
import { Lane } from '../../../../local/stepfunctions/lane.ts';
import type { AslScope } from '../../../../local/stepfunctions/library.ts';
import { TaskHandlerRegistry } from '../../../../local/stepfunctions/resources.ts';
import { ExecutionRun } from '../../../../local/stepfunctions/run.ts';
import { TaskTokens } from '../../../../local/stepfunctions/task-tokens.ts';
import { fn, ROLE } from './fixture.ts';

const definition = {
  StartAt: 'Resolve',
  TimeoutSeconds: 99999999,
  States: {
    Resolve: {
      Type: 'Task',
      Resource: fn('resolve'),
      Retry: [
        { ErrorEquals: ['Throttled'], IntervalSeconds: 10, MaxDelaySeconds: 60, BackoffRate: 3 },
        { ErrorEquals: ['States.ALL'] },
      ],
      Next: 'Pause',
    },
    Pause: { Type: 'Wait', SecondsPath: '$.delay', Next: 'Targets' },
    Targets: {
      Type: 'Map',
      ItemsPath: '$.targets',
      MaxConcurrency: 3,
      ItemProcessor: {
        StartAt: 'Copy',
        States: {
          Copy: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: fn('copy'), 'Payload.$': '$' },
            Next: 'Both',
          },
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Verify', States: { Verify: { Type: 'Task', Resource: fn('verify'), End: true } } },
              { StartAt: 'Deploy', States: { Deploy: { Type: 'Task', Resource: fn('deploy'), End: true } } },
            ],
            End: true,
          },
        },
      },
      End: true,
    },
  },
};

function compiled(timeScale: number) {
  return compileScope(parseDefinition(JSON.stringify(definition)), timeScale);
}

describe('compileScope', () => {
  it('scales Retry intervals and caps by the time scale, keeping backoff and attempts', () => {
    // Act
    const scope = compiled(0.001);

    // Assert
    const retry = (scope.definition.States.Resolve as Record<string, unknown>).Retry;
    expect(retry).toEqual([
      { ErrorEquals: ['Throttled'], IntervalSeconds: 0.01, MaxDelaySeconds: 0.06, BackoffRate: 3 },
      { ErrorEquals: ['States.ALL'], IntervalSeconds: 0.001 },
    ]);
  });

  it('turns Wait, Map and Parallel into Tasks so that every one runs in process', () => {
    // Act
    const scope = compiled(1);

    // Assert
    const types = (s: AslScope): string[] => Object.values(s.States).map((state) => state.Type);
    // The Map is followed by the synthetic Task that checks its output's size.
    expect(types(scope.definition)).toEqual(['Task', 'Task', 'Task', 'Task']);
    const iterator = scope.iterators.get('Targets');
    expect(iterator && types(iterator.definition)).toEqual(['Task', 'Task']);
    expect(scope.states.get('Pause')?.type).toBe('Wait');
    expect(scope.states.get('Targets')?.kind).toBe('Map');
  });

  it('gives Tasks without a timeout the longest one Node timers can hold, instead of 60 seconds', () => {
    // Act
    const scope = compiled(1);

    // Assert
    expect((scope.definition.States.Resolve as Record<string, unknown>).TimeoutSeconds).toBe(
      MAX_TIMEOUT_SECONDS,
    );
    expect(scope.definition.TimeoutSeconds).toBe(MAX_TIMEOUT_SECONDS);
  });
});

describe('ExecutionRun.overrides', () => {
  it('supplies a local override for every Task the library could run, at every nesting level', () => {
    // Arrange
    const scope = compiled(1);
    const record = {
      executionArn: 'arn:aws:states:us-east-1:000000000000:execution:relay:x',
      stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:relay',
      stateMachineName: 'relay',
      name: 'x',
      region: 'us-east-1',
      roleArn: ROLE,
      definition: JSON.stringify(definition),
      input: '{}',
      status: 'RUNNING' as const,
      startDate: new Date().toISOString(),
      redriveCount: 0,
    };
    const run = new ExecutionRun({
      record,
      scope,
      history: new ExecutionHistory([], () => undefined),
      registry: new TaskHandlerRegistry(),
      tokens: new TaskTokens(),
      timeScale: 1,
      onProgress: () => undefined,
    });
    const scopes = [scope, ...scope.iterators.values(), ...[...scope.branches.values()].flat()];
    const iterator = scope.iterators.get('Targets');
    if (iterator) scopes.push(...[...iterator.branches.values()].flat());
    const signal = new AbortController().signal;

    // Act
    const missing = scopes.flatMap((s) => {
      const handlers = run.overrides(new Lane(run, s, 0, signal), null);
      return Object.entries(s.definition.States)
        .filter(([name, state]) => state.Type === 'Task' && typeof handlers[name] !== 'function')
        .map(([name]) => name);
    });

    // Assert
    expect(scopes).toHaveLength(4);
    expect(missing).toEqual([]);
  });
});
